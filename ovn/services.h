// The steps that run a member's OVN services with a Supervisor (docs/adr/0017): for each service
// what it needs, in order, made idempotent (central: the NB and SB databases, created or joined,
// their servers, set-connection, northd; switch: the Open_vSwitch database, its server and
// ovs-vswitchd; chassis: the Open_vSwitch settings and ovn-controller), and taking a service off
// the member the way upstream's disable does. Blocking (they wait for sockets and run tools with
// time limits): the daemon runs them on its effects thread, one at a time. Not thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "ovn/commands.h"
#include "ovn/supervisor.h"

namespace movn::ovn {

// The supervised processes, by the service that runs them.
inline constexpr const char* kNbServer = "ovsdb-server-nb";
inline constexpr const char* kSbServer = "ovsdb-server-sb";
inline constexpr const char* kNorthd = "ovn-northd";
inline constexpr const char* kSwitchServer = "ovsdb-server-switch";
inline constexpr const char* kVswitchd = "ovs-vswitchd";
inline constexpr const char* kController = "ovn-controller";

// Each process's command line when last started (a changed one restarts the process), and the
// centrals ovn-controller was last pointed at (when they change it forgets the SB cluster it knew).
struct Started {
  std::map<std::string, Argv> argv;
  std::optional<std::vector<std::string>> controller_centrals;
};

// Stops `names` in that order (SIGTERM, SIGKILL after the Supervisor's timeout), within 20 s.
Result<void> stop_and_wait(Supervisor& sv, const std::vector<std::string>& names);
// Every process of the member that is not stopped, controller first and NB last.
Result<void> stop_all(Supervisor& sv);

// ovn-controller exits gracefully: its Chassis row leaves SB (a SIGTERM would keep it). Stop it
// before the next poll(), or the Supervisor restarts it.
Result<void> exit_controller(const Supervisor& sv, const OvnConfig& c, const std::vector<std::string>& env);
// ovs-vswitchd exits and releases its datapath resources (`exit --cleanup`: the bridges' devices
// go). Stop it before the next poll(), or the Supervisor restarts it.
Result<void> exit_vswitchd(const Supervisor& sv, const Layout& layout, const std::vector<std::string>& env);
// This member's NB and SB servers leave their raft clusters and are waited for (a server that left
// stays up without its database: stop it afterwards). Asking again while one leaves is harmless.
Result<void> leave_db_clusters(const Supervisor& sv, const Layout& layout, const std::vector<std::string>& env);
// Stops the processes of services not in `services`, each the way upstream disables it (chassis:
// the controller exits; central: NB and SB leave unless c.central_ips, the centrals that stay, is
// empty, then northd and the servers stop and the database files move aside). Processes of an
// earlier microovnd are adopted first.
Result<void> stop_unwanted(Supervisor& sv, const OvnConfig& c, const std::vector<std::string>& env,
                           const std::vector<std::string>& services);

// Central: without database files, joins the centrals in `ready_ips`, or, when there are none and
// this member is the first central (c.central_ips.front()), creates new clusters; else kUnavailable
// (waiting for the first central). Then the servers (waited for until they are cluster members),
// set-connection, northd.
Result<void> converge_central(Supervisor& sv, Started& started, const OvnConfig& c,
                              const std::vector<std::string>& ready_ips, const std::vector<std::string>& env);
// Kicks the raft servers at `removed_ips` (members removed while down) out of NB and SB. Failures
// are logged: the next convergence tries again.
void kick_removed_servers(const OvnConfig& c, const std::vector<std::string>& removed_ips,
                          const std::vector<std::string>& env);
Result<void> converge_switch(Supervisor& sv, Started& started, const OvnConfig& c, const std::vector<std::string>& env);
Result<void> converge_chassis(Supervisor& sv, Started& started, const OvnConfig& c, const std::vector<std::string>& env);

// This central's NB and SB cluster ids (`cluster/cid`); nullopt when either cannot be read.
std::optional<std::pair<std::string, std::string>> read_cluster_ids(const Layout& layout,
                                                                   const std::vector<std::string>& env);
// `ovsdb-tool schema-version` of the NB and SB schemas this member's OVN ships (empty: none).
std::pair<std::string, std::string> expected_schema_versions(const OvnConfig& c, const std::vector<std::string>& env);

}  // namespace movn::ovn
