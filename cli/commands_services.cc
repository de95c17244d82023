// `microovn enable|disable SERVICE [--node NAME]` (reference-behaviour §1.2 and §1.5): places an OVN
// service on a member, or takes it off, through PUT|DELETE /1.0/service/SERVICE. The answer comes
// once the log holds the change and, for this member's own services, once its processes have
// followed (or could not yet: then a warning says why, and microovnd keeps trying).
#include <algorithm>
#include <iostream>

#include "cli/commands.h"

namespace movn::cli {
namespace {

// The daemon waits up to 60 s for this member's processes to follow.
constexpr std::chrono::milliseconds kServiceCallTimeout{75'000};
constexpr std::string_view kServices[] = {"bgp", "central", "chassis", "switch"};

struct ServiceFlags {
  std::string service;
  std::string node;
  std::vector<std::string> config;     // bgp only
  bool manual_bgpd_config = false;      // bgp only
  bool allow_disable_last_central = false;
};

Result<std::string> run_service(const GlobalOptions& global, const ServiceFlags& flags, bool enable) {
  const std::string verb = enable ? "enable" : "disable";
  if (std::find(std::begin(kServices), std::end(kServices), flags.service) == std::end(kServices))
    return make_error(Errc::kInvalidArgument, "invalid argument \"" + flags.service + "\" for \"microovn " + verb + "\"");
  auto failed = [&](const std::string& why) {
    return make_error(Errc::kInvalidArgument, "failed to " + verb + " service '" + flags.service + "': '" + why + "'");
  };
  if (flags.service == "bgp") return failed("the bgp service is not supported by this MicroOVN");
  if (!flags.config.empty()) return failed("service '" + flags.service + "' does not accept extra config");
  std::string target = "/1.0/service/" + url_encode(flags.service);
  if (!flags.node.empty()) target += "?target=" + url_encode(flags.node);
  ApiClient client(ApiOptions{global.state_dir, global.request_id, std::max(global.timeout, kServiceCallTimeout),
                              global.debug});
  Json body = Json::object();
  if (!enable) body["allowDisableLastCentral"] = flags.allow_disable_last_central;
  auto answer = enable ? client.put(target, body) : client.del(target, body);
  if (!answer.ok()) {
    auto code = answer.error().code;
    return make_error(code, "failed to " + verb + " service '" + flags.service + "': '" + answer.error().message + "'");
  }
  return render_service_change(*answer, flags.service, enable, global.verbose);
}

}  // namespace

Result<std::string> render_service_change(const Json& answer, const std::string& service, bool enable, bool verbose) {
  const std::string what = "the service change";
  if (!answer.is_object()) return invalid_response(what + " is not an object");
  const auto warnings = answer.find("warnings");
  if (warnings == answer.end() || !warnings->is_object()) return invalid_response(what + " has no warnings");
  MOVN_ASSIGN_OR_RETURN(const bool even, bool_field(*warnings, "EvenCentral", what));
  MOVN_ASSIGN_OR_RETURN(const bool few, bool_field(*warnings, "FewCentral", what));
  // Warnings go to stderr, as upstream's do.
  if (even) {
    std::cerr << (verbose ? "[central] Warning: Cluster with even number of members has same fault tolerance, but "
                            "higher quorum requirements, than cluster with one less member.\n"
                          : "[central] Warning: OVN Cluster has even number of members\n");
  }
  if (few) {
    std::cerr << (verbose ? "[central] Warning: Cluster with less than 3 nodes can't tolerate any node failures.\n"
                          : "[central] Warning: OVN Cluster has critically few members\n");
  }
  if (auto pending = answer.find("pending"); pending != answer.end()) {
    if (!pending->is_string()) return invalid_response(what + ": field 'pending' is not a string");
    std::cerr << "Warning: the change is recorded, but this member's OVN has not followed it yet: "
              << pending->get<std::string>() << " (microovnd keeps trying; see 'microovn status')\n";
  }
  return "Service " + service + (enable ? " enabled" : " disabled") + "\n";
}

void add_service_commands(CLI::App& root, CommandRegistry& registry, const GlobalOptions& global) {
  {
    auto flags = std::make_shared<ServiceFlags>();
    CLI::App* cmd = root.add_subcommand("enable", "Enable an OVN service on a member (central, chassis, switch)");
    cmd->add_option("SERVICE", flags->service, "The service")->required();
    cmd->add_option("--node", flags->node, "The member to enable it on (default: this one)");
    cmd->add_option("--config", flags->config, "Service configuration, key=value (bgp only)");
    cmd->add_flag("--manual-bgpd-config", flags->manual_bgpd_config, "Configure bgpd by hand (bgp only)");
    registry.add(cmd, [&global, flags]() { return run_service(global, *flags, true); });
  }
  {
    auto flags = std::make_shared<ServiceFlags>();
    CLI::App* cmd = root.add_subcommand("disable", "Disable an OVN service on a member");
    cmd->add_option("SERVICE", flags->service, "The service")->required();
    cmd->add_option("--node", flags->node, "The member to disable it on (default: this one)");
    cmd->add_flag("--allow-disable-last-central", flags->allow_disable_last_central,
                  "Disable central on the last member that runs it (its databases go with it)");
    registry.add(cmd, [&global, flags]() { return run_service(global, *flags, false); });
  }
}

}  // namespace movn::cli
