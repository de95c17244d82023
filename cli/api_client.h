// ApiClient: the local microovnd API (docs/api.md) as the CLI sees it: LXD-style envelope decoding,
// request ids, per-call timeouts, and checked access to JSON fields of daemon answers.
// Owned by cli/; one ApiClient per CLI invocation. Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "cli/http_client.h"
#include "common/result.h"

namespace movn::cli {

using Json = nlohmann::ordered_json;

inline constexpr std::chrono::milliseconds kDefaultCallTimeout{30'000};
inline constexpr std::string_view kDefaultStateDir = "/var/lib/microovn/state";
inline constexpr std::string_view kSocketName = "control.socket";

// Answers nested deeper than this are refused before they are parsed (rendering recurses).
inline constexpr std::size_t kMaxResponseDepth = 32;
// The metadata of a success envelope, or an error carrying the envelope's `error` message.
// A body that is not an envelope (not JSON, not an object, bad field types) is an error too.
Result<Json> decode_envelope(const HttpResponse& response);

// A fresh id for X-Request-Id: 16 random bytes from /dev/urandom, as 32 lowercase hex characters.
std::string generate_request_id();
// The daemon's rule: 1-128 characters from [A-Za-z0-9._:-].
bool is_valid_request_id(std::string_view id);

// The call timeout: MICROOVN_CALL_TIMEOUT_MS when set (a positive integer), else the default.
Result<std::chrono::milliseconds> call_timeout_from_env(const char* env_value);

// STATE_DIR/control.socket.
std::string socket_path_for(std::string_view state_dir);

struct ApiOptions {
  std::string state_dir{kDefaultStateDir};
  std::string request_id;  // the same id for every call of one CLI invocation
  std::chrono::milliseconds timeout = kDefaultCallTimeout;
  bool debug = false;  // print one line per call on stderr
};

class ApiClient {
 public:
  explicit ApiClient(ApiOptions options);

  Result<Json> get(std::string_view target) { return call("GET", target, nullptr); }
  Result<Json> post(std::string_view target, const Json& body) {
    return call("POST", target, &body);
  }
  Result<Json> put(std::string_view target, const Json& body) { return call("PUT", target, &body); }
  Result<Json> del(std::string_view target) { return call("DELETE", target, nullptr); }
  Result<Json> del(std::string_view target, const Json& body) { return call("DELETE", target, &body); }

  // One request, envelope decoded. `target` is the URL-encoded path and query.
  Result<Json> call(std::string_view method, std::string_view target, const Json* body);

  // One request with a custom timeout, no envelope decoding (waitready polls with this).
  Result<HttpResponse> call_raw(std::string_view method, std::string_view target,
                                std::chrono::milliseconds timeout);

  TransportFailure last_failure() const { return http_.last_failure(); }
  const ApiOptions& options() const { return options_; }

 private:
  ApiOptions options_;
  UnixHttpClient http_;
};

// Checked field access for objects received from the daemon: the error names the field and `what`
// ("invalid response from microovnd: member 2: field 'name' is missing or not a string").
Result<std::string> string_field(const Json& object, std::string_view key, std::string_view what);
Result<bool> bool_field(const Json& object, std::string_view key, std::string_view what);
Result<std::uint64_t> uint_field(const Json& object, std::string_view key, std::string_view what);
// An error saying the daemon's answer does not have the expected shape.
Error invalid_response(std::string_view detail);

}  // namespace movn::cli
