// Fuzz target: the local API's request parsing, through the functions the daemon calls
// (daemon/api_request.h): target (path and query), headers (X-Request-Id), and the JSON bodies of
// every write route. Input: fields separated by NUL bytes: target, then "name:value" headers,
// then the body (the last field).
#include <cstdint>

#include "commands/validate.h"
#include "daemon/api_request.h"
#include "tests/fuzz/fuzz_util.h"

using namespace movn;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto fields = fuzz::split(fuzz::as_view(data, size), '\0', 6);
  transport::HttpRequest req;
  req.method = "POST";
  req.target = std::string(fields.front());
  req.body = std::string(fields.back());
  for (std::size_t i = 1; i + 1 < fields.size(); ++i) {
    auto colon = fields[i].find(':');
    auto name = fields[i].substr(0, colon);
    auto value = colon == std::string_view::npos ? std::string_view() : fields[i].substr(colon + 1);
    req.headers.emplace(std::string(name), std::string(value));
  }
  if (auto p = daemon::parse_request(req); p.ok()) {
    if (p->request_id) MOVN_FUZZ_CHECK(daemon::valid_request_id(*p->request_id), "only valid request ids pass");
    MOVN_FUZZ_CHECK(req.headers.count("x-request-id") <= 1, "a repeated X-Request-Id is refused");
    if (auto q = daemon::parse_events_query(p->query); q.ok()) MOVN_FUZZ_CHECK(q->since >= 1, "since starts at 1");
  }
  if (auto b = daemon::parse_bootstrap_body(req.body); b.ok() && b->address)
    MOVN_FUZZ_CHECK(commands::normalize_address(*b->address).ok(), "a normalized address stays valid");
  if (auto t = daemon::parse_token_body(req.body); t.ok())
    MOVN_FUZZ_CHECK(t->lifetime_ms > 0, "a token lives at least 1 ms");
  (void)daemon::parse_config_body(req.body);
  for (const char* service : {"central", "bgp", "bogus"}) {
    (void)daemon::parse_service_body(service, true, req.body);
    (void)daemon::parse_service_body(service, false, req.body);
  }
  if (auto ca = daemon::parse_set_ca_body(req.body); ca.ok())
    MOVN_FUZZ_CHECK(!ca->certificate.empty() && !ca->private_key.empty(), "a CA body holds both parts");
  return 0;
}
