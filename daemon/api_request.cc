#include "daemon/api_request.h"

#include <charconv>
#include <cmath>

#include "commands/decide.h"
#include "eventlog/events.h"
#include "commands/validate.h"
#include "common/json_depth.h"

namespace movn::daemon {
namespace {
using nlohmann::json;

Error bad_request(std::string msg) { return make_error(Errc::kInvalidArgument, std::move(msg)); }

Result<std::string> url_decode(std::string_view s, bool plus_is_space = false) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      unsigned v = 0;
      if (s.size() - i < 3) return bad_request("truncated percent escape");
      auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      if (ec != std::errc() || p != s.data() + i + 3) return bad_request("invalid percent escape");
      out.push_back(static_cast<char>(v));
      i += 2;
    } else if (plus_is_space && s[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// Only the listed fields, each a string.
Result<void> only_string_fields(const json& body, std::initializer_list<std::string_view> allowed) {
  for (const auto& [k, v] : body.items()) {
    bool known = false;
    for (auto a : allowed) known = known || k == a;
    if (!known) return bad_request("unknown field '" + k + "'");
    if (!v.is_string()) return bad_request("field '" + k + "' must be a string");
  }
  return {};
}
}  // namespace

bool valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Result<ParsedRequest> parse_request(const transport::HttpRequest& req) {
  ParsedRequest out;
  std::string_view target = req.target;
  const auto qpos = target.find('?');
  const std::string_view path = target.substr(0, qpos);
  auto malformed = [&](const Error& e) { return bad_request("malformed URL: " + e.message + ": " + req.target); };
  if (path.empty() || path[0] != '/') return bad_request("malformed URL: " + req.target);
  std::size_t start = 1;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    auto seg = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!seg.empty()) {
      auto d = url_decode(seg);
      if (!d.ok()) return malformed(d.error());
      out.path.push_back(std::move(d).value());
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (qpos != std::string_view::npos) {
    std::string_view q = target.substr(qpos + 1);
    while (!q.empty()) {
      auto amp = q.find('&');
      auto kv = q.substr(0, amp);
      auto eq = kv.find('=');
      auto k = url_decode(kv.substr(0, eq), true);
      if (!k.ok()) return malformed(k.error());
      Result<std::string> v = std::string();
      if (eq != std::string_view::npos) v = url_decode(kv.substr(eq + 1), true);
      if (!v.ok()) return malformed(v.error());
      if (!k->empty() && !out.query.emplace(*k, *v).second)
        return bad_request("query parameter '" + *k + "' is given more than once");
      if (amp == std::string_view::npos) break;
      q = q.substr(amp + 1);
    }
  }
  const auto ids = req.headers.count("x-request-id");
  if (ids > 1) return bad_request("X-Request-Id is given " + std::to_string(ids) + " times: send it once");
  if (ids == 1) {
    const auto& id = req.headers.find("x-request-id")->second;
    if (!valid_request_id(id)) return bad_request("invalid X-Request-Id: use 1-128 characters from [A-Za-z0-9._:-]");
    out.request_id = id;
  }
  return out;
}

Result<json> parse_body_object(std::string_view body) {
  if (body.empty()) return json::object();
  if (!json_depth_within(body, kMaxBodyDepth))
    return bad_request("request body is nested more than " + std::to_string(kMaxBodyDepth) + " levels deep");
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return bad_request("request body is not valid JSON");
  if (!j.is_object()) return bad_request("request body must be a JSON object");
  return j;
}

namespace {
// "encap_ip": an IPv4 or IPv6 address (upstream's custom_encapsulation_ip), or absent.
Result<std::string> encap_ip_field(const nlohmann::json& body) {
  if (!body.contains("encap_ip")) return std::string();
  std::string ip = body["encap_ip"].get<std::string>();
  if (!commands::is_ip_address(ip))
    return bad_request("encapsulation IP \"" + ip + "\" is not an IPv4 or IPv6 address");
  return ip;
}
}  // namespace

Result<BootstrapBody> parse_bootstrap_body(std::string_view text) {
  MOVN_ASSIGN_OR_RETURN(auto body, parse_body_object(text));
  MOVN_TRY(only_string_fields(body, {"name", "address", "encap_ip"}));
  BootstrapBody out;
  if (body.contains("name")) out.name = body["name"].get<std::string>();
  if (body.contains("address")) {
    MOVN_ASSIGN_OR_RETURN(auto a, commands::normalize_address(body["address"].get<std::string>()));
    out.address = std::move(a);
  }
  MOVN_ASSIGN_OR_RETURN(out.encap_ip, encap_ip_field(body));
  return out;
}

Result<JoinBody> parse_join_body(std::string_view text) {
  MOVN_ASSIGN_OR_RETURN(auto body, parse_body_object(text));
  MOVN_TRY(only_string_fields(body, {"token", "name", "address", "encap_ip"}));
  if (!body.contains("token")) return bad_request("field 'token' is required");
  JoinBody out;
  out.token = body["token"].get<std::string>();
  if (body.contains("name")) out.name = body["name"].get<std::string>();
  if (body.contains("address")) {
    MOVN_ASSIGN_OR_RETURN(auto a, commands::normalize_address(body["address"].get<std::string>()));
    out.address = std::move(a);
  }
  MOVN_ASSIGN_OR_RETURN(out.encap_ip, encap_ip_field(body));
  return out;
}

Result<TokenBody> parse_token_body(std::string_view text) {
  MOVN_ASSIGN_OR_RETURN(auto body, parse_body_object(text));
  for (const auto& [k, v] : body.items())
    if (k != "name" && k != "expire_after_seconds") return bad_request("unknown field '" + k + "'");
  if (!body.contains("name") || !body["name"].is_string())
    return bad_request("field 'name' is required and must be a string");
  TokenBody out;
  out.name = body["name"].get<std::string>();
  double seconds = kDefaultTokenLifetimeS;
  if (body.contains("expire_after_seconds")) {
    const auto& v = body["expire_after_seconds"];
    if (!v.is_number()) return bad_request("field 'expire_after_seconds' must be a number");
    seconds = v.get<double>();
    if (!std::isfinite(seconds) || seconds <= 0)
      return bad_request("token timeout must be a positive number of seconds");
    if (seconds > static_cast<double>(commands::kMaxTokenLifetimeMs) / 1000)
      return bad_request("token timeout must be at most one year");
  }
  out.lifetime_ms = static_cast<std::uint64_t>(std::llround(seconds * 1000));
  if (out.lifetime_ms == 0) return bad_request("token timeout must be at least 1 ms");
  return out;
}

Result<std::string> parse_config_body(std::string_view text) {
  MOVN_ASSIGN_OR_RETURN(auto body, parse_body_object(text));
  for (const auto& [k, v] : body.items())
    if (k != "value" && k != "key") return bad_request("unknown field '" + k + "'");
  if (!body.contains("value") || !body["value"].is_string())
    return bad_request("field 'value' is required and must be a string");
  return body["value"].get<std::string>();
}

Result<ServiceBody> parse_service_body(std::string_view service, bool enable, std::string_view text) {
  if (service == "bgp") return bad_request("the bgp service is not supported by this MicroOVN");
  if (service != "central" && service != "chassis" && service != "switch")
    return bad_request("invalid argument \"" + std::string(service) + "\": the services are central, chassis and switch");
  std::string_view trimmed = text;
  while (!trimmed.empty() && std::string_view(" \t\r\n").find(trimmed.front()) != std::string_view::npos)
    trimmed.remove_prefix(1);
  while (!trimmed.empty() && std::string_view(" \t\r\n").find(trimmed.back()) != std::string_view::npos)
    trimmed.remove_suffix(1);
  if (trimmed == "null") return ServiceBody{};
  MOVN_ASSIGN_OR_RETURN(auto body, parse_body_object(text));
  ServiceBody out;
  for (const auto& [k, v] : body.items()) {
    if (enable && k == "bgpConfig") {
      if (!v.is_null()) return bad_request("service '" + std::string(service) + "' does not accept extra config");
    } else if (!enable && k == "allowDisableLastCentral") {
      if (!v.is_boolean()) return bad_request("field 'allowDisableLastCentral' must be true or false");
      out.allow_disable_last_central = v.get<bool>();
    } else {
      return bad_request("unknown field '" + k + "'");
    }
  }
  return out;
}

Result<SetCaBody> parse_set_ca_body(std::string_view text) {
  MOVN_ASSIGN_OR_RETURN(auto body, parse_body_object(text));
  for (const auto& [k, v] : body.items())
    if (k != "certificate" && k != "private_key") return bad_request("unknown field '" + k + "'");
  SetCaBody out;
  for (auto [field, into] : {std::pair{"certificate", &out.certificate}, std::pair{"private_key", &out.private_key}}) {
    auto it = body.find(field);
    if (it == body.end() || !it->is_string() || it->get_ref<const std::string&>().empty())
      return bad_request(std::string("field '") + field + "' is required and must be a non-empty string");
    if (it->get_ref<const std::string&>().size() > kMaxCaPemBytes)
      return bad_request(std::string("field '") + field + "' is longer than " + std::to_string(kMaxCaPemBytes) +
                         " bytes");
    *into = it->get<std::string>();
  }
  return out;
}

Result<EventsQuery> parse_events_query(const std::map<std::string, std::string>& query) {
  EventsQuery out;
  for (const auto& [k, v] : query) {
    if (k == "since") {
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out.since);
      if (ec != std::errc() || p != v.data() + v.size())
        return bad_request("since must be a log index (a non-negative integer), not '" + v + "'");
    } else if (k == "type") {
      if (!v.empty() && !events::is_known_type_name(v))
        return bad_request("unknown event type '" + v + "' (see docs/events.md)");
      out.type = v;
    } else if (k == "member") {
      out.member = v;
    } else if (k == "limit") {
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out.limit);
      if (ec != std::errc() || p != v.data() + v.size() || out.limit == 0)
        return bad_request("limit must be a positive number of log entries, not '" + v + "'");
    } else {
      return bad_request("unknown query parameter '" + k + "'");
    }
  }
  if (out.since == 0) out.since = 1;
  return out;
}

}  // namespace movn::daemon
