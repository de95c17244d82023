#include "daemon/service_reconciler.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "ovn/env_file.h"
#include "ovn/run_tool.h"

namespace movn::daemon {
namespace {

// The supervised processes, by the service that runs them.
constexpr const char* kNbServer = "ovsdb-server-nb";
constexpr const char* kSbServer = "ovsdb-server-sb";
constexpr const char* kNorthd = "ovn-northd";
constexpr const char* kSwitchServer = "ovsdb-server-switch";
constexpr const char* kVswitchd = "ovs-vswitchd";
constexpr const char* kController = "ovn-controller";

constexpr std::uint64_t kToolTimeoutMs = 30'000;
constexpr std::uint64_t kSocketWaitMs = 20'000;
constexpr std::uint64_t kStopWaitMs = 20'000;

// "10.0.0.1:6686" -> "10.0.0.1"; "[fd00::1]:6686" -> "fd00::1".
std::string host_of(const std::string& address) {
  if (!address.empty() && address.front() == '[') {
    const auto end = address.find(']');
    return end == std::string::npos ? address : address.substr(1, end - 1);
  }
  const auto colon = address.rfind(':');
  return colon == std::string::npos ? address : address.substr(0, colon);
}

bool has(const std::vector<std::string>& v, std::string_view s) { return std::find(v.begin(), v.end(), s) != v.end(); }

void sleep_ms(std::uint64_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

}  // namespace

bool DesiredServices::operator==(const DesiredServices& o) const {
  const auto& a = config;
  const auto& b = o.config;
  return services == o.services && removed_ips == o.removed_ips && a.member_name == b.member_name &&
         a.local_ip == b.local_ip &&
         a.central_ips == b.central_ips && a.encap_ip == b.encap_ip && a.userspace_datapath == b.userspace_datapath;
}

struct ServiceReconciler::Shared {
  ovn::SteadyClock clock;
  std::unique_ptr<ovn::Supervisor> supervisor;
  std::map<std::string, ovn::Argv> argv;  // each process's command line when last started
  std::map<std::string, ProcessInfo> processes;  // the Supervisor's view after the last job

  Result<ovn::Supervisor*> ensure(const ovn::Layout& layout) {
    if (!supervisor) {
      MOVN_TRY(ovn::create_layout_directories(layout));
      ovn::SupervisorOptions o;
      o.log_dir = layout.logs;
      o.pid_dir = layout.supervisor_run;
      supervisor = std::make_unique<ovn::Supervisor>(o, clock);
    }
    return supervisor.get();
  }
  void snapshot() {
    processes.clear();
    if (!supervisor) return;
    for (const auto& name : supervisor->names()) {
      auto s = supervisor->status(name);
      if (!s) continue;
      processes[name] = ProcessInfo{std::string(ovn::process_state_name(s->state)), static_cast<long>(s->pid),
                                    s->restarts, s->adopted};
    }
  }
};

namespace {

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
Result<void> run(ovn::Supervisor& sv, std::map<std::string, ovn::Argv>& started, const char* name, ovn::Argv argv,
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
  if (*r == ovn::StartOutcome::kAdopted) spdlog::info("adopted {}, still running from before", name);
  return {};
}

// Waits until `path` exists (a server's socket), polling the Supervisor meanwhile.
Result<void> wait_for_file(ovn::Supervisor& sv, const std::filesystem::path& path, const char* name) {
  for (std::uint64_t waited = 0; waited < kSocketWaitMs; waited += 50) {
    std::error_code ec;
    if (std::filesystem::exists(path, ec)) return {};
    sv.poll();
    sleep_ms(50);
  }
  return make_error(Errc::kTimeout, std::string(name) + " did not open " + path.string() + " within " +
                                        std::to_string(kSocketWaitMs / 1000) + " s (see its log under logs/)");
}

Result<void> stop_unwanted(ovn::Supervisor& sv, const std::vector<std::string>& services) {
  std::vector<std::string> names;
  auto add_if_running = [&](const char* name) {
    auto s = sv.status(name);
    if (s && s->state != ovn::ProcessState::kStopped) names.emplace_back(name);
  };
  // ovn-controller first, NB last (ovn-runtime.md §11).
  if (!has(services, "chassis")) add_if_running(kController);
  if (!has(services, "switch")) {
    add_if_running(kVswitchd);
    add_if_running(kSwitchServer);
  }
  if (!has(services, "central")) {
    add_if_running(kNorthd);
    add_if_running(kSbServer);
    add_if_running(kNbServer);
  }
  if (names.empty()) return {};
  spdlog::info("stopping {} process(es) of services no longer placed here", names.size());
  return stop_and_wait(sv, names);
}

// The raft servers in `status` (ovs-appctl cluster/status) whose address is one of `ips`: their
// server ids. A server line reads "    1b18 (1b18 at ssl:192.0.2.13:6643) ...".
std::vector<std::string> servers_at(const std::string& status, const std::vector<std::string>& ips) {
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
    const std::string ip = host_of(std::string(address));
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

Result<void> converge_central(ovn::Supervisor& sv, std::map<std::string, ovn::Argv>& started, const ovn::OvnConfig& c,
                              const std::vector<std::string>& env) {
  for (auto db : {ovn::Db::kNorthbound, ovn::Db::kSouthbound}) {
    std::error_code ec;
    if (std::filesystem::exists(ovn::db_file(c.layout, db), ec)) continue;
    // The only central founds the OVSDB clusters; the others join the centrals already there.
    const bool alone = c.central_ips.size() == 1 && c.central_ips.front() == c.local_ip;
    auto argv = alone ? ovn::create_cluster_argv(c, db) : ovn::join_cluster_argv(c, db);
    MOVN_TRY(ovn::run_tool_checked(argv, env, kToolTimeoutMs).wrap_error(std::string("creating the ") +
                                                                        std::string(ovn::db_schema_name(db)) +
                                                                        " database"));
    spdlog::info("{} the {} cluster", alone ? "created" : "joined", ovn::db_schema_name(db));
  }
  MOVN_TRY(run(sv, started, kNbServer, ovn::db_server_argv(c, ovn::Db::kNorthbound), env));
  MOVN_TRY(run(sv, started, kSbServer, ovn::db_server_argv(c, ovn::Db::kSouthbound), env));
  MOVN_TRY(wait_for_file(sv, ovn::db_socket(c.layout, ovn::Db::kNorthbound), kNbServer));
  MOVN_TRY(wait_for_file(sv, ovn::db_socket(c.layout, ovn::Db::kSouthbound), kSbServer));
  for (auto db : {ovn::Db::kNorthbound, ovn::Db::kSouthbound})
    MOVN_TRY(ovn::run_tool_checked(ovn::set_connection_argv(c, db), env, kToolTimeoutMs)
                 .wrap_error(std::string("setting the ") + std::string(ovn::db_schema_name(db)) + " connection"));
  return run(sv, started, kNorthd, ovn::northd_argv(c), env);
}

Result<void> converge_switch(ovn::Supervisor& sv, std::map<std::string, ovn::Argv>& started, const ovn::OvnConfig& c,
                             const std::vector<std::string>& env) {
  std::error_code ec;
  if (!std::filesystem::exists(c.layout.switch_conf_db(), ec))
    MOVN_TRY(ovn::run_tool_checked(ovn::create_switch_db_argv(c), env, kToolTimeoutMs)
                 .wrap_error("creating the Open_vSwitch database"));
  MOVN_TRY(run(sv, started, kSwitchServer, ovn::switch_db_server_argv(c), env));
  MOVN_TRY(wait_for_file(sv, c.layout.switch_db_socket(), kSwitchServer));
  MOVN_TRY(ovn::run_tool_checked(ovn::switch_init_argv(c), env, kToolTimeoutMs)
               .wrap_error("initialising the Open_vSwitch database"));
  return run(sv, started, kVswitchd, ovn::vswitchd_argv(c), env);
}

Result<void> converge_chassis(ovn::Supervisor& sv, std::map<std::string, ovn::Argv>& started, const ovn::OvnConfig& c,
                              const std::vector<std::string>& env) {
  std::error_code ec;
  if (!std::filesystem::exists(c.layout.switch_db_socket(), ec))
    return make_error(Errc::kFailedPrecondition, "the chassis needs the switch's Open_vSwitch database, which is not running");
  MOVN_TRY(ovn::run_tool_checked(ovn::chassis_settings_argv(c), env, kToolTimeoutMs)
               .wrap_error("configuring the chassis in Open_vSwitch"));
  return run(sv, started, kController, ovn::controller_argv(c), env);
}

}  // namespace

ServiceReconciler::ServiceReconciler(Node& node, host::Effects& effects, MemberContext& member, ovn::Layout layout)
    : node_(node), effects_(effects), member_(member), layout_(std::move(layout)), shared_(std::make_shared<Shared>()) {}

ServiceReconciler::~ServiceReconciler() = default;

std::optional<DesiredServices> ServiceReconciler::desired() const {
  const auto& state = node_.applied();
  if (member_.name.empty()) return std::nullopt;
  const auto* me = state.membership().find(member_.name);
  if (me == nullptr) return std::nullopt;
  DesiredServices d;
  d.services = state.services().of(member_.name);
  auto& c = d.config;
  c.member_name = member_.name;
  c.local_ip = host_of(me->address);
  c.encap_ip = me->encap_ip.empty() ? c.local_ip : me->encap_ip;
  // The centrals in the order they joined (upstream: the cluster's member order).
  std::vector<const projections::Member*> by_join;
  for (const auto& [name, m] : state.membership().members())
    if (state.services().enabled(name, "central")) by_join.push_back(&m);
  std::sort(by_join.begin(), by_join.end(),
            [](const auto* a, const auto* b) { return a->joined_index < b->joined_index; });
  for (const auto* m : by_join) c.central_ips.push_back(host_of(m->address));
  for (const auto& [id, name] : state.membership().removed()) {
    const auto* gone = state.membership().removed_member(id);
    if (gone == nullptr) continue;
    const std::string ip = host_of(gone->address);
    if (!has(c.central_ips, ip) && !has(d.removed_ips, ip)) d.removed_ips.push_back(ip);
  }
  c.pki = ovn::pki_paths_in(layout_.pki);
  c.layout = layout_;
  std::error_code ec;
  c.userspace_datapath = !std::filesystem::exists("/sys/module/openvswitch", ec);
  return d;
}

void ServiceReconciler::tick() {
  ++ticks_;
  if (running_) return;
  if (decommission_done_) return start_decommission();
  if (decommissioning_) return;
  if (ticks_ >= retry_at_tick_) {
    auto d = desired();
    if (d && (!converged_ || !(*converged_ == *d) || ticks_ >= converged_at_tick_ + kRecheckTicks)) {
      // Nothing placed here and nothing ever run: nothing to do.
      if (!d->services.empty() || shared_->supervisor) return start_converge(std::move(*d));
    }
  }
  if (shared_->supervisor && ticks_ >= last_poll_tick_ + kPollTicks) start_poll();
}

void ServiceReconciler::start_converge(DesiredServices d) {
  running_ = true;
  ++stats_.runs;
  auto shared = shared_;
  auto job_desired = std::make_shared<DesiredServices>(d);
  effects_.run(
      [shared, job_desired]() -> Result<void> {
        const auto& c = job_desired->config;
        MOVN_TRY(ovn::validate_config(c));
        MOVN_ASSIGN_OR_RETURN(ovn::Supervisor * sv, shared->ensure(c.layout));
        auto result = [&]() -> Result<void> {
          MOVN_TRY(stop_unwanted(*sv, job_desired->services));
          if (!c.central_ips.empty()) MOVN_TRY(ovn::write_env_file(c));
          if (job_desired->services.empty()) return {};
          // OVN talks TLS only: the certificate reconciler must have written this member's files.
          for (const auto& f : {c.pki.ca_cert, c.pki.client.certificate}) {
            std::error_code ec;
            if (!std::filesystem::exists(f, ec))
              return make_error(Errc::kUnavailable, "waiting for this member's certificates (" + f.string() + ")");
          }
          const auto env = ovn::process_environment(c.layout);
          if (has(job_desired->services, "central")) {
            MOVN_TRY(converge_central(*sv, shared->argv, c, env));
            kick_removed_servers(c, job_desired->removed_ips, env);
          }
          if (has(job_desired->services, "switch")) MOVN_TRY(converge_switch(*sv, shared->argv, c, env));
          if (has(job_desired->services, "chassis")) MOVN_TRY(converge_chassis(*sv, shared->argv, c, env));
          return {};
        }();
        shared->snapshot();
        return result;
      },
      [this, d = std::move(d)](Result<void> r) mutable {
        running_ = false;
        stats_.processes = shared_->processes;
        last_poll_tick_ = ticks_;
        if (!r.ok()) {
          ++stats_.failures;
          stats_.last_error = r.error().message;
          spdlog::warn("OVN services: {} (retrying in {} s)", r.error().message, backoff_ticks_ / 10);
          return back_off();
        }
        backoff_ticks_ = kBackoffFirstTicks;
        ++stats_.converged;
        stats_.services = d.services;
        converged_ = std::move(d);
        converged_at_tick_ = ticks_;
      });
}

void ServiceReconciler::decommission(std::function<void()> done) {
  decommissioning_ = true;
  decommission_done_ = std::move(done);
  // A job in flight ends first; the next tick starts the decommission.
  if (!running_) start_decommission();
}

void ServiceReconciler::start_decommission() {
  auto done = std::move(decommission_done_);
  decommission_done_ = nullptr;
  if (!shared_->supervisor && !converged_) return done();  // nothing ever ran here
  running_ = true;
  auto shared = shared_;
  auto last = converged_;
  const auto layout = layout_;
  effects_.run(
      [shared, last, layout]() -> Result<void> {
        MOVN_ASSIGN_OR_RETURN(ovn::Supervisor * sv, shared->ensure(layout));
        const auto env = ovn::process_environment(layout);
        auto is_running = [&](const char* name) {
          auto s = sv->status(name);
          return s && s->state == ovn::ProcessState::kRunning;
        };
        std::string problems;
        auto note = [&](const Result<std::string>& r, const char* what) {
          if (!r.ok()) problems += std::string(problems.empty() ? "" : "; ") + what + ": " + r.error().message;
        };
        // The chassis leaves SB: ovn-controller exits and deletes its Chassis row (a SIGTERM
        // would keep it). No poll() in between, so the Supervisor does not restart it.
        if (is_running(kController) && last) {
          note(ovn::run_tool_checked(ovn::controller_exit_argv(last->config), env, kToolTimeoutMs),
               "ovn-controller exit");
        }
        // NB and SB leave their raft clusters, unless this member is the only central (then
        // the databases go with it). A server that left stays up without its database: it is
        // stopped below.
        const bool other_centrals = last && last->config.central_ips.size() > 1;
        for (auto db : {ovn::Db::kNorthbound, ovn::Db::kSouthbound}) {
          const char* name = db == ovn::Db::kNorthbound ? kNbServer : kSbServer;
          if (!other_centrals || !is_running(name)) continue;
          const auto ctl = ovn::db_ctl(layout, db).string();
          const std::string schema(ovn::db_schema_name(db));
          note(ovn::run_tool_checked({"ovs-appctl", "--timeout=10", "-t", ctl, "cluster/leave", schema}, env, kToolTimeoutMs),
               "cluster/leave");
          bool left = false;
          for (std::uint64_t waited = 0; waited < kSocketWaitMs && !left; waited += 100) {
            auto st = ovn::run_tool({"ovs-appctl", "--timeout=5", "-t", ctl, "cluster/status", schema}, env, 10'000);
            left = !st.ok() || st->exit_code != 0 || st->output.find("Status: cluster member") == std::string::npos;
            if (!left) sleep_ms(100);
          }
          if (!left) problems += std::string(problems.empty() ? "" : "; ") + schema + " did not leave its cluster in time";
          else spdlog::info("left the {} cluster", schema);
        }
        std::vector<std::string> names;
        for (const char* n : {kController, kVswitchd, kSwitchServer, kNorthd, kSbServer, kNbServer}) {
          auto s = sv->status(n);
          if (s && s->state != ovn::ProcessState::kStopped) names.emplace_back(n);
        }
        if (!names.empty()) {
          auto stopped = stop_and_wait(*sv, names);
          if (!stopped.ok()) problems += std::string(problems.empty() ? "" : "; ") + stopped.error().message;
        }
        shared->snapshot();
        if (!problems.empty()) return make_error(Errc::kInternal, problems);
        return {};
      },
      [this, done = std::move(done)](Result<void> r) {
        running_ = false;
        stats_.processes = shared_->processes;
        if (!r.ok()) spdlog::warn("OVN on this removed member: {}", r.error().message);
        else spdlog::info("OVN on this removed member: chassis and databases left, processes stopped");
        done();
      });
}

void ServiceReconciler::start_poll() {
  running_ = true;
  last_poll_tick_ = ticks_;
  auto shared = shared_;
  effects_.run(
      [shared]() -> Result<void> {
        if (shared->supervisor) shared->supervisor->poll();
        shared->snapshot();
        return {};
      },
      [this](Result<void>) {
        running_ = false;
        stats_.processes = shared_->processes;
      });
}

void ServiceReconciler::back_off() {
  retry_at_tick_ = ticks_ + backoff_ticks_;
  backoff_ticks_ = std::min(backoff_ticks_ * 2, kBackoffMaxTicks);
}

}  // namespace movn::daemon
