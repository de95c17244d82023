// GET /1.0/status (docs/api.md): what `microovn status` prints (reference-behaviour §1.4): every
// member and the services placed on it, the OVN databases' running schema versions against the
// ones every member's OVN expects (this member's read now, the others' as reported in the log),
// and this member's certificates that have expired or are not valid yet. The versions come from
// the OVN tools, run on the effects thread.
#include <ctime>
#include <nlohmann/json.hpp>

#include "daemon/api.h"
#include "daemon/api_call.h"
#include "daemon/member_info.h"
#include "daemon/service_reconciler.h"
#include "ovn/run_tool.h"
#include "pki/service_files.h"

namespace movn::daemon {
namespace {
using nlohmann::ordered_json;

constexpr std::uint64_t kVersionToolTimeoutMs = 10'000;

struct DbReport {
  std::string name;        // "OVN Northbound"
  std::string active;      // the running schema version; empty when it could not be read
  std::string active_error;
  std::string expected;    // this member's OVN's schema version
  std::string expected_error;
};

std::string first_line(std::string s) {
  if (auto nl = s.find('\n'); nl != std::string::npos) s.resize(nl);
  return s;
}

// Reads the versions of one database: the running one from this member's server when it runs
// central, else from the centrals in turn over ssl with the client certificate; the expected one
// from the schema file this member's OVN ships.
DbReport read_versions(const DesiredServices& d, ovn::Db db) {
  const auto& c = d.config;
  DbReport r;
  r.name = db == ovn::Db::kNorthbound ? "OVN Northbound" : "OVN Southbound";
  const auto env = ovn::process_environment(c.layout);
  const std::string schema_name(ovn::db_schema_name(db));
  auto expected = ovn::run_tool_checked(
      {"ovsdb-tool", "schema-version", (db == ovn::Db::kNorthbound ? c.nb_schema : c.sb_schema).string()}, env,
      kVersionToolTimeoutMs);
  if (expected.ok()) r.expected = first_line(*expected);
  else r.expected_error = expected.error().message;
  std::vector<std::string> servers;
  bool local_central = false;
  for (const auto& s : d.services) local_central = local_central || s == "central";
  if (local_central) servers.push_back("unix:" + ovn::db_socket(c.layout, db).string());
  for (const auto& ip : c.central_ips)
    if (!local_central) servers.push_back(ovn::ssl_address(ip, db == ovn::Db::kNorthbound ? ovn::kNbPort : ovn::kSbPort));
  if (servers.empty()) r.active_error = "no member runs central";
  for (const auto& server : servers) {
    std::vector<std::string> argv{"ovsdb-client", "--timeout=5"};
    if (server.starts_with("ssl:")) {
      argv.insert(argv.end(), {"-p", c.pki.client.private_key.string(), "-c", c.pki.client.certificate.string(), "-C",
                               c.pki.ca_cert.string()});
    }
    argv.insert(argv.end(), {"get-schema-version", server, schema_name});
    auto active = ovn::run_tool_checked(argv, env, kVersionToolTimeoutMs);
    if (active.ok()) {
      r.active = first_line(*active);
      r.active_error.clear();
      break;
    }
    r.active_error = active.error().message;
  }
  return r;
}

}  // namespace

void Api::status(Call& c) {
  const auto& state = node_.applied();
  if (!state.membership().bootstrapped())
    return c.fail(make_error(Errc::kFailedPrecondition,
                             "this member is not part of a cluster yet (run 'microovn cluster bootstrap')"));
  auto members = ordered_json::array();
  for (const auto* m : state.membership().in_join_order())
    members.push_back(ordered_json{{"name", m->name}, {"address", m->address}, {"services", state.services().of(m->name)}});
  // This member's certificates that cannot be used now.
  const auto dir = member_data_dir(member_.state_dir) / "pki";
  const auto now = static_cast<std::int64_t>(std::time(nullptr));
  auto certificates = ordered_json::array();
  const std::pair<const char*, std::filesystem::path> files[] = {
      {"OVN CA", dir / pki::kCaCertFile},
      {"OVN Northbound Database", pki::service_cert_path(dir, "ovnnb")},
      {"OVN Southbound Database", pki::service_cert_path(dir, "ovnsb")},
      {"OVN Northd Service", pki::service_cert_path(dir, "ovn-northd")},
      {"OVN Chassis Service", pki::service_cert_path(dir, "ovn-controller")},
      {"Client", pki::service_cert_path(dir, "client")},
  };
  for (const auto& [name, path] : files) {
    auto info = pki::certificate_file_info(path);
    if (!info.ok() || !*info) continue;
    if ((*info)->not_after_unix_s <= now) certificates.push_back(ordered_json{{"name", name}, {"problem", "expired"}});
    else if ((*info)->not_before_unix_s > now)
      certificates.push_back(ordered_json{{"name", name}, {"problem", "not yet valid"}});
  }
  ordered_json out{{"members", members}, {"databases", ordered_json::array()}, {"certificates", certificates}};
  auto desired = services_ != nullptr ? services_->desired() : std::nullopt;
  if (!desired) {
    for (const char* db : {"OVN Northbound", "OVN Southbound"})
      out["databases"].push_back(ordered_json{{"name", db},
                                              {"active", ""},
                                              {"active_error", "this microovnd runs no OVN (--without-ovn)"},
                                              {"expected", ordered_json::array()}});
    return c.ok(out);
  }
  auto reports = std::make_shared<std::vector<DbReport>>();
  auto self = c.shared_from_this();
  effects_.run(
      [reports, d = *desired]() -> Result<void> {
        reports->push_back(read_versions(d, ovn::Db::kNorthbound));
        reports->push_back(read_versions(d, ovn::Db::kSouthbound));
        return {};
      },
      self->guard([this, self, reports, out, me = member_.name](Result<void>) mutable {
        // The versions each member expects: this member's as its OVN says now, the others' as
        // they last reported them in the log (schema_version_reported), in join order.
        const auto& st = node_.applied();
        const auto by_join = st.membership().in_join_order();
        for (std::size_t i = 0; i < reports->size(); ++i) {
          const auto& r = (*reports)[i];
          auto expected = ordered_json::array();
          for (const auto* m : by_join) {
            if (m->name == me) {
              expected.push_back(ordered_json{{"member", me}, {"version", r.expected}, {"error", r.expected_error}});
              continue;
            }
            const auto* reported = st.services().schemas_of(m->name);
            const std::string version = reported == nullptr ? "" : (i == 0 ? reported->nb : reported->sb);
            std::string error;
            if (reported == nullptr) error = "the member has not reported its schema versions";
            else if (version.empty()) error = "the member's OVN has no such schema";
            expected.push_back(ordered_json{{"member", m->name}, {"version", version}, {"error", error}});
          }
          out["databases"].push_back(ordered_json{
              {"name", r.name}, {"active", r.active}, {"active_error", r.active_error}, {"expected", expected}});
        }
        self->ok(out);
      }));
}

}  // namespace movn::daemon
