// ApiClient and envelope decoding.
#include "cli/api_client.h"

#include <charconv>
#include <cstdio>
#include <fstream>
#include <random>

#include "common/json_depth.h"

namespace movn::cli {
namespace {

#ifndef MICROOVN_VERSION
#define MICROOVN_VERSION "unknown"
#endif

Errc errc_for_status(int status) {
  switch (status) {
    case 400:
      return Errc::kInvalidArgument;
    case 403:
      return Errc::kPermissionDenied;
    case 404:
      return Errc::kNotFound;
    case 405:
      return Errc::kInvalidArgument;
    case 409:
      return Errc::kConflict;
    case 413:
      return Errc::kTooLarge;
    case 503:
      return Errc::kUnavailable;
    default:
      return Errc::kInternal;
  }
}

std::string http_status_text(const HttpResponse& response) {
  std::string text = "HTTP " + std::to_string(response.status);
  if (!response.reason.empty()) text += " " + response.reason;
  return text;
}

}  // namespace

Error invalid_response(std::string_view detail) {
  return make_error(Errc::kCorruption, "invalid response from microovnd: " + std::string(detail));
}

Result<Json> decode_envelope(const HttpResponse& response) {
  const bool http_ok = response.status >= 200 && response.status < 300;
  // Rendering recurses per level; no answer of the daemon nests anywhere near this deep.
  if (!json_depth_within(response.body, kMaxResponseDepth))
    return invalid_response("body is nested more than " + std::to_string(kMaxResponseDepth) + " levels deep");
  Json envelope = Json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (envelope.is_discarded() || !envelope.is_object()) {
    if (!http_ok) {
      return make_error(errc_for_status(response.status),
                        "microovnd answered " + http_status_text(response));
    }
    return invalid_response(response.body.empty() ? "empty body" : "body is not a JSON object");
  }
  std::string type;
  if (auto it = envelope.find("type"); it != envelope.end()) {
    if (!it->is_string()) return invalid_response("field 'type' is not a string");
    type = it->get<std::string>();
  }
  std::string message;
  if (auto it = envelope.find("error"); it != envelope.end() && !it->is_null()) {
    if (!it->is_string()) return invalid_response("field 'error' is not a string");
    message = it->get<std::string>();
  }
  int envelope_code = 0;
  for (const char* key : {"error_code", "status_code"}) {
    auto it = envelope.find(key);
    if (it != envelope.end() && it->is_number_integer() && it->get<std::int64_t>() >= 400 &&
        it->get<std::int64_t>() < 600) {
      envelope_code = static_cast<int>(it->get<std::int64_t>());
      break;
    }
  }
  if (type == "error" || !http_ok || envelope_code != 0) {
    int code = !http_ok ? response.status : envelope_code;
    if (message.empty()) message = "microovnd answered " + http_status_text(response);
    return make_error(errc_for_status(code), std::move(message));
  }
  if (type != "sync") {
    return invalid_response(type.empty() ? "missing envelope type"
                                         : "unexpected envelope type '" + type + "'");
  }
  auto it = envelope.find("metadata");
  if (it == envelope.end()) return Json(nullptr);
  return std::move(*it);
}

std::string generate_request_id() {
  unsigned char bytes[16] = {};
  bool filled = false;
  if (std::FILE* f = std::fopen("/dev/urandom", "rb")) {
    filled = std::fread(bytes, 1, sizeof(bytes), f) == sizeof(bytes);
    std::fclose(f);
  }
  if (!filled) {
    std::random_device rd;
    std::mt19937_64 gen(
        (static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^
        static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
    for (auto& b : bytes) b = static_cast<unsigned char>(gen());
  }
  static constexpr char kHex[] = "0123456789abcdef";
  // "t<unix-ms>-": when it was first sent, so that a retry the cluster no longer remembers is
  // refused as expired instead of being applied again (docs/api.md).
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  std::string id = "t" + std::to_string(now_ms) + "-";
  id.reserve(id.size() + 32);
  for (unsigned char b : bytes) {
    id += kHex[b >> 4];
    id += kHex[b & 0xF];
  }
  return id;
}

bool is_valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Result<std::chrono::milliseconds> call_timeout_from_env(const char* env_value) {
  if (env_value == nullptr || *env_value == '\0') return kDefaultCallTimeout;
  std::string_view text(env_value);
  std::int64_t ms = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
  if (ec != std::errc() || ptr != text.data() + text.size() || ms <= 0) {
    return make_error(Errc::kInvalidArgument, "invalid MICROOVN_CALL_TIMEOUT_MS '" +
                                                  std::string(text) +
                                                  "': want a positive number of milliseconds");
  }
  return std::chrono::milliseconds(ms);
}

std::string socket_path_for(std::string_view state_dir) {
  std::string path(state_dir);
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  if (path.empty()) path = ".";
  if (path != "/") path += '/';
  path += kSocketName;
  return path;
}

ApiClient::ApiClient(ApiOptions options)
    : options_(std::move(options)),
      http_(socket_path_for(options_.state_dir), std::string("microovn/") + MICROOVN_VERSION) {}

Result<HttpResponse> ApiClient::call_raw(std::string_view method, std::string_view target,
                                         std::chrono::milliseconds timeout) {
  HttpRequest request{std::string(method), std::string(target), {}, options_.request_id};
  return http_.call(request, timeout);
}

Result<Json> ApiClient::call(std::string_view method, std::string_view target, const Json* body) {
  HttpRequest request{std::string(method), std::string(target), {}, options_.request_id};
  if (body != nullptr) request.body = body->dump(-1, ' ', false, Json::error_handler_t::replace);
  const auto start = std::chrono::steady_clock::now();
  auto response = http_.call(request, options_.timeout);
  if (options_.debug) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
    std::fprintf(
        stderr, "DEBUG: %s %s (request id %s) -> %s in %lld us\n", request.method.c_str(),
        request.target.c_str(), request.request_id.c_str(),
        response.ok() ? std::to_string(response->status).c_str() : response.error().message.c_str(),
        static_cast<long long>(us));
  }
  if (!response.ok()) return std::move(response).error();
  return decode_envelope(*response);
}

Result<std::string> string_field(const Json& object, std::string_view key, std::string_view what) {
  if (object.is_object()) {
    auto it = object.find(key);
    if (it != object.end() && it->is_string()) return it->get<std::string>();
  }
  return invalid_response(std::string(what) + ": field '" + std::string(key) +
                          "' is missing or not a string");
}

Result<bool> bool_field(const Json& object, std::string_view key, std::string_view what) {
  if (object.is_object()) {
    auto it = object.find(key);
    if (it != object.end() && it->is_boolean()) return it->get<bool>();
  }
  return invalid_response(std::string(what) + ": field '" + std::string(key) +
                          "' is missing or not a boolean");
}

Result<std::uint64_t> uint_field(const Json& object, std::string_view key, std::string_view what) {
  if (object.is_object()) {
    auto it = object.find(key);
    if (it != object.end() && it->is_number_unsigned()) return it->get<std::uint64_t>();
    if (it != object.end() && it->is_number_integer() && it->get<std::int64_t>() >= 0) {
      return static_cast<std::uint64_t>(it->get<std::int64_t>());
    }
  }
  return invalid_response(std::string(what) + ": field '" + std::string(key) +
                          "' is missing or not a non-negative integer");
}

}  // namespace movn::cli
