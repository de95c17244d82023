#include "ovn/services.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <thread>

#include "common/address.h"
#include "ovn/proc.h"
#include "ovn/run_tool.h"

namespace movn::ovn {
namespace {
constexpr std::uint64_t kToolTimeoutMs = 30'000;
constexpr std::uint64_t kSocketWaitMs = 20'000;
constexpr std::uint64_t kStopWaitMs = 20'000;

bool has(const std::vector<std::string>& v, std::string_view s) { return std::find(v.begin(), v.end(), s) != v.end(); }

void sleep_ms(std::uint64_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

std::string first_line(std::string s) {
  if (auto nl = s.find('\n'); nl != std::string::npos) s.resize(nl);
  return s;
}

}  // namespace


Result<void> stop_and_wait(ovn::Supervisor& sv, const std::vector<std::string>& names) {
  MOVN_TRY(sv.stop(names));
  for (std::uint64_t waited = 0; sv.stopping() && waited < kStopWaitMs; waited += 50) {
    sv.poll();
    sleep_ms(50);
  }
  if (sv.stopping()) return make_error(Errc::kTimeout, "processes did not stop in time");
  return {};
}

// Starts (or keeps, or adopts) one process. One that runs with another command line (northd
// after the centrals changed) is restarted with the new one.
static Result<void> run_process(ovn::Supervisor& sv, std::map<std::string, ovn::Argv>& started, const char* name, ovn::Argv argv,
                 const std::vector<std::string>& env) {
  if (auto it = started.find(name); it != started.end() && it->second != argv) {
    auto s = sv.status(name);
    if (s && s->state != ovn::ProcessState::kStopped) {
      spdlog::info("restarting {}: its command line changed", name);
      MOVN_TRY(stop_and_wait(sv, {name}));
    }
  }
  started[name] = argv;
  const ovn::ProcessSpec spec{name, std::move(argv), env};
  auto r = sv.start(spec);
  if (!r.ok() && r.error().code == Errc::kCorruption) {
    // A damaged pidfile: nothing trustworthy names a process, so start afresh.
    spdlog::warn("{}: {}; starting it afresh", name, r.error().message);
    MOVN_TRY(sv.discard_pidfile(name));
    r = sv.start(spec);
  }
  if (!r.ok()) return std::move(r).error().wrap(std::string("starting ") + name);
  if (*r == ovn::StartOutcome::kStarted) spdlog::info("started {}", name);
  if (*r == ovn::StartOutcome::kAdopted) {
    spdlog::info("adopted {}, still running from before", name);
    // Started by an earlier microovnd, perhaps with other centrals: its command line tells.
    auto s = sv.status(name);
    auto cmdline = s ? ovn::read_proc_cmdline(s->pid) : Result<std::vector<std::string>>(make_error(Errc::kNotFound, ""));
    if (cmdline.ok() && !cmdline->empty() && *cmdline != started[name]) {
      spdlog::info("restarting {}: it runs with another command line", name);
      MOVN_TRY(stop_and_wait(sv, {name}));
      auto again = sv.start(spec);
      if (!again.ok()) return std::move(again).error().wrap(std::string("starting ") + name);
    }
  }
  return {};
}

// Waits until `path` exists (a server's socket), polling the Supervisor meanwhile.
static Result<void> wait_for_file(ovn::Supervisor& sv, const std::filesystem::path& path, const char* name) {
  for (std::uint64_t waited = 0; waited < kSocketWaitMs; waited += 50) {
    std::error_code ec;
    if (std::filesystem::exists(path, ec)) return {};
    sv.poll();
    sleep_ms(50);
  }
  return make_error(Errc::kTimeout, std::string(name) + " did not open " + path.string() + " within " +
                                        std::to_string(kSocketWaitMs / 1000) + " s (see its log under logs/)");
}

// Makes the Supervisor manage `name` if a process of an earlier microovnd still runs under it, so
// that it can be stopped.
static void adopt_if_unmanaged(ovn::Supervisor& sv, const char* name, ovn::Argv argv, const std::vector<std::string>& env) {
  if (sv.status(name)) return;
  auto adopted = sv.adopt(ovn::ProcessSpec{name, std::move(argv), env});
  if (!adopted.ok()) spdlog::warn("{}: {}", name, adopted.error().message);
}

static bool is_running(const ovn::Supervisor& sv, const char* name) {
  auto s = sv.status(name);
  return s && s->state == ovn::ProcessState::kRunning;
}

// ovn-controller exits gracefully: its Chassis row leaves SB (a SIGTERM would keep it). Call
// stop() for it before the next poll(), or the Supervisor restarts it.
Result<void> exit_controller(const ovn::Supervisor& sv, const ovn::OvnConfig& c, const std::vector<std::string>& env) {
  if (!is_running(sv, kController)) return {};
  MOVN_TRY(ovn::run_tool_checked(ovn::controller_exit_argv(c), env, kToolTimeoutMs).wrap_error("ovn-controller exit"));
  return {};
}

static bool is_cluster_member(const ovn::Layout& layout, ovn::Db db, const std::vector<std::string>& env) {
  const std::string schema(ovn::db_schema_name(db));
  auto st = ovn::run_tool({"ovs-appctl", "--timeout=5", "-t", ovn::db_ctl(layout, db).string(), "cluster/status", schema},
                          env, 10'000);
  return st.ok() && st->exit_code == 0 && st->output.find("Status: cluster member") != std::string::npos;
}

Result<void> exit_vswitchd(const Supervisor& sv, const Layout& layout, const std::vector<std::string>& env) {
  if (!is_running(sv, kVswitchd)) return {};
  MOVN_TRY(run_tool_checked({"ovs-appctl", "--timeout=10", "-t", (layout.switch_run / "ovs-vswitchd.ctl").string(), "exit",
                             "--cleanup"},
                            env, kToolTimeoutMs)
               .wrap_error("ovs-vswitchd exit --cleanup"));
  return {};
}

// This member's NB and SB servers leave their raft clusters, and are waited for (a server that
// left stays up without its database: stop it afterwards). Asking again while a server is
// leaving is harmless: one that is no longer a cluster member is not asked.
Result<void> leave_db_clusters(const ovn::Supervisor& sv, const ovn::Layout& layout, const std::vector<std::string>& env) {
  for (auto db : {ovn::Db::kNorthbound, ovn::Db::kSouthbound}) {
    if (!is_running(sv, db == ovn::Db::kNorthbound ? kNbServer : kSbServer)) continue;
    const auto ctl = ovn::db_ctl(layout, db).string();
    const std::string schema(ovn::db_schema_name(db));
    auto member = [&] { return is_cluster_member(layout, db, env); };
    if (!member()) continue;
    MOVN_TRY(ovn::run_tool_checked({"ovs-appctl", "--timeout=10", "-t", ctl, "cluster/leave", schema}, env,
                                   kToolTimeoutMs)
                 .wrap_error("leaving the " + schema + " cluster"));
    bool left = false;
    for (std::uint64_t waited = 0; waited < kSocketWaitMs && !left; waited += 100) {
      left = !member();
      if (!left) sleep_ms(100);
    }
    if (!left) return make_error(Errc::kTimeout, schema + " did not leave its cluster in time");
    spdlog::info("left the {} cluster", schema);
  }
  return {};
}

// Moves this member's NB and SB database files aside (upstream: *_backup_<datetime>.db): a
// central enabled here again later starts from no database, joining the centrals then or
// founding new clusters.
static Result<void> set_db_files_aside(const ovn::Layout& layout) {
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  std::strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", &tm);
  for (auto db : {ovn::Db::kNorthbound, ovn::Db::kSouthbound}) {
    const auto file = ovn::db_file(layout, db);
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) continue;
    auto aside = file;
    aside.replace_filename(file.stem().string() + "_backup_" + stamp + ".db");
    std::filesystem::rename(file, aside, ec);
    if (ec) return make_error(Errc::kIo, "cannot move " + file.string() + " aside: " + ec.message());
    spdlog::info("moved {} aside to {}", file.filename().string(), aside.filename().string());
  }
  return {};
}

// Stops the processes of services no longer placed here, each the way upstream disables it:
// chassis (ovn-controller exits, its chassis leaving SB), switch, central (NB and SB leave their
// raft clusters unless no other member runs central, then northd and the servers stop and the
// database files are set aside). ovn-controller first, NB last (ovn-runtime.md §11).
Result<void> stop_unwanted(ovn::Supervisor& sv, const ovn::OvnConfig& c, const std::vector<std::string>& env,
                           const std::vector<std::string>& services) {
  auto running = [&](const char* name) {
    auto s = sv.status(name);
    return s && s->state != ovn::ProcessState::kStopped;
  };
  if (!has(services, "chassis")) {
    adopt_if_unmanaged(sv, kController, ovn::controller_argv(c), env);
    if (running(kController)) {
      spdlog::info("chassis is no longer placed here: ovn-controller exits");
      if (auto e = exit_controller(sv, c, env); !e.ok()) spdlog::warn("{}", e.error().message);
      MOVN_TRY(stop_and_wait(sv, {kController}));
    }
  }
  if (!has(services, "switch")) {
    adopt_if_unmanaged(sv, kVswitchd, ovn::vswitchd_argv(c), env);
    adopt_if_unmanaged(sv, kSwitchServer, ovn::switch_db_server_argv(c), env);
    std::vector<std::string> names;
    for (const char* n : {kVswitchd, kSwitchServer})
      if (running(n)) names.emplace_back(n);
    if (!names.empty()) {
      spdlog::info("switch is no longer placed here: stopping Open vSwitch");
      if (auto e = exit_vswitchd(sv, c.layout, env); !e.ok()) spdlog::warn("{}", e.error().message);
      MOVN_TRY(stop_and_wait(sv, names));
    }
  }
  if (!has(services, "central")) {
    adopt_if_unmanaged(sv, kNorthd, ovn::northd_argv(c), env);
    adopt_if_unmanaged(sv, kSbServer, ovn::db_server_argv(c, ovn::Db::kSouthbound), env);
    adopt_if_unmanaged(sv, kNbServer, ovn::db_server_argv(c, ovn::Db::kNorthbound), env);
    std::vector<std::string> names;
    for (const char* n : {kNorthd, kSbServer, kNbServer})
      if (running(n)) names.emplace_back(n);
    std::error_code ec;
    const bool has_db = std::filesystem::exists(ovn::db_file(c.layout, ovn::Db::kNorthbound), ec) ||
                        std::filesystem::exists(ovn::db_file(c.layout, ovn::Db::kSouthbound), ec);
    if (!names.empty() || has_db) {
      spdlog::info("central is no longer placed here: {}", c.central_ips.empty()
                                                               ? "its databases go with it (no other central)"
                                                               : "leaving the NB and SB clusters");
      // The centrals that stay: this member's servers leave them. Without any, the clusters end.
      if (!c.central_ips.empty()) MOVN_TRY(leave_db_clusters(sv, c.layout, env));
      if (!names.empty()) MOVN_TRY(stop_and_wait(sv, names));
      MOVN_TRY(set_db_files_aside(c.layout));
    }
  }
  return {};
}

// The raft servers in `status` (ovs-appctl cluster/status) whose address is one of `ips`: their
// server ids. A server line reads "    1b18 (1b18 at ssl:192.0.2.13:6643) ...".
static std::vector<std::string> servers_at(const std::string& status, const std::vector<std::string>& ips) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < status.size()) {
    auto end = status.find('\n', pos);
    if (end == std::string::npos) end = status.size();
    const std::string_view line(status.data() + pos, end - pos);
    pos = end + 1;
    if (!line.starts_with("    ") || line.size() < 9 || line[8] != ' ') continue;
    const auto at = line.find(" at ");
    const auto close = line.find(')', at == std::string_view::npos ? 0 : at);
    if (at == std::string_view::npos || close == std::string_view::npos) continue;
    std::string_view address = line.substr(at + 4, close - at - 4);  // ssl:IP:PORT
    if (const auto colon = address.find(':'); colon != std::string_view::npos) address.remove_prefix(colon + 1);
    const std::string ip = ip_of_address(std::string(address));
    if (has(ips, ip)) out.emplace_back(line.substr(4, 4));
  }
  return out;
}

// Kicks the raft servers of removed members out of NB and SB (a member removed while it was
// down could not leave). Failures are logged: the next convergence tries again.
void kick_removed_servers(const ovn::OvnConfig& c, const std::vector<std::string>& removed_ips,
                          const std::vector<std::string>& env) {
  if (removed_ips.empty()) return;
  for (auto db : {ovn::Db::kNorthbound, ovn::Db::kSouthbound}) {
    const std::string ctl = ovn::db_ctl(c.layout, db).string(), schema(ovn::db_schema_name(db));
    auto status = ovn::run_tool_checked({"ovs-appctl", "--timeout=5", "-t", ctl, "cluster/status", schema}, env,
                                        kToolTimeoutMs);
    if (!status.ok()) continue;
    for (const auto& sid : servers_at(*status, removed_ips)) {
      auto kicked = ovn::run_tool_checked({"ovs-appctl", "--timeout=5", "-t", ctl, "cluster/kick", schema, sid}, env,
                                          kToolTimeoutMs);
      if (kicked.ok()) spdlog::info("kicked server {} of a removed member out of {}", sid, schema);
      else spdlog::warn("kicking server {} out of {}: {}", sid, schema, kicked.error().message);
    }
  }
}

static Result<void> wait_for_cluster_member(ovn::Supervisor& sv, const ovn::Layout& layout, ovn::Db db,
                                     const std::vector<std::string>& env) {
  for (std::uint64_t waited = 0; waited < kSocketWaitMs; waited += 100) {
    if (is_cluster_member(layout, db, env)) return {};
    sv.poll();
    sleep_ms(100);
  }
  return make_error(Errc::kTimeout, std::string(ovn::db_schema_name(db)) + " has not become a member of its cluster within " +
                                        std::to_string(kSocketWaitMs / 1000) + " s (see its log under logs/)");
}

Result<void> converge_central(ovn::Supervisor& sv, Started& s, const ovn::OvnConfig& c,
                              const std::vector<std::string>& ready_ips, const std::vector<std::string>& env) {
  auto& started = s.argv;
  for (auto db : {ovn::Db::kNorthbound, ovn::Db::kSouthbound}) {
    std::error_code ec;
    if (std::filesystem::exists(ovn::db_file(c.layout, db), ec)) continue;
    // A central joins the centrals that are ready. When none is, the first central (in join
    // order) founds the OVSDB clusters, and the others wait for it.
    const bool found = ready_ips.empty() && !c.central_ips.empty() && c.central_ips.front() == c.local_ip;
    if (!found && ready_ips.empty())
      return make_error(Errc::kUnavailable, "waiting for the first central (" +
                                                (c.central_ips.empty() ? std::string("none") : c.central_ips.front()) +
                                                ") to found the NB and SB clusters");
    ovn::OvnConfig join = c;
    join.central_ips = ready_ips;
    auto argv = found ? ovn::create_cluster_argv(c, db) : ovn::join_cluster_argv(join, db);
    MOVN_TRY(ovn::run_tool_checked(argv, env, kToolTimeoutMs).wrap_error(std::string("creating the ") +
                                                                        std::string(ovn::db_schema_name(db)) +
                                                                        " database"));
    spdlog::info("{} the {} cluster", found ? "created" : "joined", ovn::db_schema_name(db));
  }
  MOVN_TRY(run_process(sv, started, kNbServer, ovn::db_server_argv(c, ovn::Db::kNorthbound), env));
  MOVN_TRY(run_process(sv, started, kSbServer, ovn::db_server_argv(c, ovn::Db::kSouthbound), env));
  MOVN_TRY(wait_for_file(sv, ovn::db_socket(c.layout, ovn::Db::kNorthbound), kNbServer));
  MOVN_TRY(wait_for_file(sv, ovn::db_socket(c.layout, ovn::Db::kSouthbound), kSbServer));
  // A server that has just joined answers only once the cluster has taken it in.
  for (auto db : {ovn::Db::kNorthbound, ovn::Db::kSouthbound}) MOVN_TRY(wait_for_cluster_member(sv, c.layout, db, env));
  for (auto db : {ovn::Db::kNorthbound, ovn::Db::kSouthbound})
    MOVN_TRY(ovn::run_tool_checked(ovn::set_connection_argv(c, db), env, kToolTimeoutMs)
                 .wrap_error(std::string("setting the ") + std::string(ovn::db_schema_name(db)) + " connection"));
  return run_process(sv, started, kNorthd, ovn::northd_argv(c), env);
}

Result<void> converge_switch(ovn::Supervisor& sv, Started& s, const ovn::OvnConfig& c,
                             const std::vector<std::string>& env) {
  auto& started = s.argv;
  std::error_code ec;
  if (!std::filesystem::exists(c.layout.switch_conf_db(), ec))
    MOVN_TRY(ovn::run_tool_checked(ovn::create_switch_db_argv(c), env, kToolTimeoutMs)
                 .wrap_error("creating the Open_vSwitch database"));
  MOVN_TRY(run_process(sv, started, kSwitchServer, ovn::switch_db_server_argv(c), env));
  MOVN_TRY(wait_for_file(sv, c.layout.switch_db_socket(), kSwitchServer));
  MOVN_TRY(ovn::run_tool_checked(ovn::switch_init_argv(c), env, kToolTimeoutMs)
               .wrap_error("initialising the Open_vSwitch database"));
  return run_process(sv, started, kVswitchd, ovn::vswitchd_argv(c), env);
}

Result<void> converge_chassis(ovn::Supervisor& sv, Started& s, const ovn::OvnConfig& c,
                              const std::vector<std::string>& env) {
  auto& started = s.argv;
  auto& controller_centrals = s.controller_centrals;
  std::error_code ec;
  if (!std::filesystem::exists(c.layout.switch_db_socket(), ec))
    return make_error(Errc::kFailedPrecondition, "the chassis needs the switch's Open_vSwitch database, which is not running");
  MOVN_TRY(ovn::run_tool_checked(ovn::chassis_settings_argv(c), env, kToolTimeoutMs)
               .wrap_error("configuring the chassis in Open_vSwitch"));
  if (c.central_ips.empty())
    MOVN_TRY(ovn::run_tool_checked(ovn::clear_ovn_remote_argv(c), env, kToolTimeoutMs)
                 .wrap_error("clearing ovn-remote (no member runs central)"));
  const bool was_running = is_running(sv, kController);
  MOVN_TRY(run_process(sv, started, kController, ovn::controller_argv(c), env));
  // The centrals changed under a running ovn-controller: it forgets the SB cluster it knew, or
  // it would refuse a new one (a central disabled and enabled again).
  if (was_running && controller_centrals && *controller_centrals != c.central_ips) {
    auto reset = ovn::run_tool_checked(ovn::controller_sb_reset_argv(c), env, kToolTimeoutMs);
    if (!reset.ok()) spdlog::warn("ovn-controller sb-cluster-state-reset: {}", reset.error().message);
  }
  controller_centrals = c.central_ips;
  return {};
}

Result<void> stop_all(Supervisor& sv) {
  std::vector<std::string> names;
  for (const char* n : {kController, kVswitchd, kSwitchServer, kNorthd, kSbServer, kNbServer}) {
    auto s = sv.status(n);
    if (s && s->state != ProcessState::kStopped) names.emplace_back(n);
  }
  if (names.empty()) return {};
  return stop_and_wait(sv, names);
}

std::optional<std::pair<std::string, std::string>> read_cluster_ids(const Layout& layout,
                                                                   const std::vector<std::string>& env) {
  std::string ids[2];
  for (auto db : {Db::kNorthbound, Db::kSouthbound}) {
    auto cid = run_tool_checked({"ovs-appctl", "--timeout=5", "-t", db_ctl(layout, db).string(), "cluster/cid",
                                 std::string(db_schema_name(db))},
                                env, kToolTimeoutMs);
    if (!cid.ok()) return std::nullopt;
    ids[db == Db::kNorthbound ? 0 : 1] = first_line(*cid);
  }
  if (ids[0].empty() || ids[1].empty()) return std::nullopt;
  return std::pair{ids[0], ids[1]};
}

std::pair<std::string, std::string> expected_schema_versions(const OvnConfig& c, const std::vector<std::string>& env) {
  auto version = [&](const std::filesystem::path& schema) {
    auto v = run_tool_checked({"ovsdb-tool", "schema-version", schema.string()}, env, kToolTimeoutMs);
    return v.ok() ? first_line(*v) : std::string();
  };
  return {version(c.nb_schema), version(c.sb_schema)};
}

}  // namespace movn::ovn
