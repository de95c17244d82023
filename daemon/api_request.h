// Parsing of the local API's requests (docs/api.md): the target into path segments and query
// parameters, the X-Request-Id header, and the JSON bodies of the write routes into checked
// values. Everything a caller sends passes through here before a handler sees it; every input
// gives a value or a clear error (tests/fuzz/fuzz_api_request.cc). Pure; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "transport/http_types.h"

namespace movn::daemon {

// Request bodies are flat objects; anything nested deeper is refused before it is parsed.
inline constexpr std::size_t kMaxBodyDepth = 8;
inline constexpr double kDefaultTokenLifetimeS = 10800;

struct ParsedRequest {
  std::vector<std::string> path;             // percent-decoded segments, empty ones dropped
  std::map<std::string, std::string> query;  // percent-decoded ('+' is a space)
  std::optional<std::string> request_id;     // X-Request-Id, when sent
};

// The path, the query and X-Request-Id of `req`. A malformed percent escape, a repeated query
// parameter, a repeated or invalid X-Request-Id give kInvalidArgument.
Result<ParsedRequest> parse_request(const transport::HttpRequest& req);
bool valid_request_id(std::string_view id);

// The body as a JSON object ({} when empty).
Result<nlohmann::json> parse_body_object(std::string_view body);

struct BootstrapBody {
  std::optional<std::string> name;     // not yet validated: the default (host name) needs its own message
  std::optional<std::string> address;  // normalized ip:port
  std::string encap_ip;                // an IP address, or empty (the address's IP)
};
Result<BootstrapBody> parse_bootstrap_body(std::string_view body);

// POST /1.0/cluster/join: the token (checked by the caller: it needs the token codec), and
// optionally this member's name and address.
struct JoinBody {
  std::string token;
  std::optional<std::string> name;
  std::optional<std::string> address;  // normalized ip:port
  std::string encap_ip;                // as in BootstrapBody
};
Result<JoinBody> parse_join_body(std::string_view body);

struct TokenBody {
  std::string name;
  std::uint64_t lifetime_ms = 0;
};
Result<TokenBody> parse_token_body(std::string_view body);

// The value of a config set.
Result<std::string> parse_config_body(std::string_view body);

// POST /1.0/ca: the operator's CA, as upstream sends it: {"certificate": PEM, "private_key": PEM}.
// Both required, non-empty strings of at most kMaxCaPemBytes (their content is checked by pki/).
inline constexpr std::size_t kMaxCaPemBytes = 256 * 1024;
struct SetCaBody {
  std::string certificate;
  std::string private_key;
};
Result<SetCaBody> parse_set_ca_body(std::string_view body);

// PUT /1.0/service/{svc} (enable) and DELETE /1.0/service/{svc} (disable), with upstream's
// bodies: enable takes {} or null, or {"bgpConfig": ...}, which only bgp accepts (and bgp is not
// supported here); disable takes {"allowDisableLastCentral": bool}. `service` is the path's; the
// member is the query's `target`, when given (checked by decide()).
struct ServiceBody {
  bool allow_disable_last_central = false;
};
Result<ServiceBody> parse_service_body(std::string_view service, bool enable, std::string_view body);

struct EventsQuery {
  std::uint64_t since = 1;
  std::uint64_t limit = 0;  // 0: no limit
  std::string type;
  std::string member;
};
Result<EventsQuery> parse_events_query(const std::map<std::string, std::string>& query);

}  // namespace movn::daemon
