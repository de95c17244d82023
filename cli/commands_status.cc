// `microovn status`: the deployment summary, the OVN databases' schema versions and this member's
// unusable certificates, in upstream's layout (reference-behaviour §1.4).
#include <algorithm>

#include "cli/commands.h"
#include "common/address.h"

namespace movn::cli {
namespace {

Result<std::string> render_database(const Json& db) {
  const std::string what = "a database of the status";
  if (!db.is_object()) return invalid_response(what + " is not an object");
  MOVN_ASSIGN_OR_RETURN(auto name, string_field(db, "name", what));
  MOVN_ASSIGN_OR_RETURN(auto active, string_field(db, "active", what));
  MOVN_ASSIGN_OR_RETURN(auto active_error, string_field(db, "active_error", what));
  const auto expected = db.find("expected");
  if (expected == db.end() || !expected->is_array()) return invalid_response(what + " has no list of expected versions");
  bool attention = active.empty() || expected->empty();
  std::string report;
  for (const auto& e : *expected) {
    if (!e.is_object()) return invalid_response(what + ": an expected version is not an object");
    MOVN_ASSIGN_OR_RETURN(auto member, string_field(e, "member", what));
    MOVN_ASSIGN_OR_RETURN(auto version, string_field(e, "version", what));
    MOVN_ASSIGN_OR_RETURN(auto error, string_field(e, "error", what));
    if (!error.empty() || version != active) attention = true;
    report += "\t" + member + ": " + (error.empty() ? version : "Error. " + error) + "\n";
  }
  if (!attention) return name + ": OK (" + active + ")\n";
  return name + ": Upgrade or attention required!\n" + "Currently active schema: " +
         (active.empty() ? "unknown (" + active_error + ")" : active) + "\n" +
         "Cluster report (expected schema versions):\n" + report + "\n";
}

}  // namespace

Result<std::string> render_status(const Json& answer) {
  if (!answer.is_object()) return invalid_response("the status is not an object");
  std::string out = "MicroOVN deployment summary:\n";
  const auto members = answer.find("members");
  if (members == answer.end() || !members->is_array()) return invalid_response("the status has no members");
  for (const auto& m : *members) {
    const std::string what = "a member of the status";
    if (!m.is_object()) return invalid_response(what + " is not an object");
    MOVN_ASSIGN_OR_RETURN(auto name, string_field(m, "name", what));
    MOVN_ASSIGN_OR_RETURN(auto address, string_field(m, "address", what));
    const auto services = m.find("services");
    if (services == m.end() || !services->is_array()) return invalid_response(what + " has no services");
    std::vector<std::string> names;
    for (const auto& s : *services) {
      if (!s.is_string()) return invalid_response(what + ": a service is not a name");
      names.push_back(s.get<std::string>());
    }
    std::sort(names.begin(), names.end());
    std::string joined;
    for (const auto& s : names) joined += (joined.empty() ? "" : ", ") + s;
    out += "- " + name + " (" + ip_of_address(address) + ")\n  Services: " + joined + "\n";
  }
  out += "OVN Database summary:\n";
  const auto dbs = answer.find("databases");
  if (dbs == answer.end() || !dbs->is_array()) return invalid_response("the status has no databases");
  for (const auto& db : *dbs) {
    MOVN_ASSIGN_OR_RETURN(auto text, render_database(db));
    out += text;
  }
  const auto certs = answer.find("certificates");
  if (certs == answer.end() || !certs->is_array()) return invalid_response("the status has no certificates");
  for (const auto& c : *certs) {
    if (!c.is_object()) return invalid_response("a certificate of the status is not an object");
    MOVN_ASSIGN_OR_RETURN(auto name, string_field(c, "name", "a certificate of the status"));
    MOVN_ASSIGN_OR_RETURN(auto problem, string_field(c, "problem", "a certificate of the status"));
    out += name + (problem == "expired" ? " certificate has expired\n" : " certificate is not valid yet\n");
  }
  return out;
}

void add_status_command(CLI::App& root, CommandRegistry& registry, const GlobalOptions& global) {
  CLI::App* cmd = root.add_subcommand("status", "Show the deployment, the OVN databases and certificate problems");
  registry.add(cmd, [&global]() -> Result<std::string> {
    auto answer = global.client().get("/1.0/status");
    if (!answer.ok()) return std::move(answer).error();
    return render_status(*answer);
  });
}

}  // namespace movn::cli
