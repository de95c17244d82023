#include "daemon/service_reconciler.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/address.h"
#include "ovn/env_file.h"
#include "ovn/services.h"
#include "pki/random.h"

namespace movn::daemon {
namespace {

bool has(const std::vector<std::string>& v, std::string_view s) { return std::find(v.begin(), v.end(), s) != v.end(); }

}  // namespace

bool DesiredServices::operator==(const DesiredServices& o) const {
  const auto& a = config;
  const auto& b = o.config;
  return services == o.services && removed_ips == o.removed_ips && ready_ips == o.ready_ips &&
         a.member_name == b.member_name &&
         a.local_ip == b.local_ip &&
         a.central_ips == b.central_ips && a.encap_ip == b.encap_ip && a.userspace_datapath == b.userspace_datapath;
}

struct ServiceReconciler::Shared {
  ovn::SteadyClock clock;
  std::unique_ptr<ovn::Supervisor> supervisor;
  ovn::Started started;
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
  c.local_ip = ip_of_address(me->address);
  c.encap_ip = me->encap_ip.empty() ? c.local_ip : me->encap_ip;
  // The centrals in the order they joined (upstream: the cluster's member order).
  std::vector<const projections::Member*> by_join;
  for (const auto* m : state.membership().in_join_order())
    if (state.services().enabled(m->name, "central")) by_join.push_back(m);
  for (const auto* m : by_join) c.central_ips.push_back(ip_of_address(m->address));
  for (const auto* m : by_join)
    if (m->name != member_.name && state.services().ready_central(m->name) != nullptr)
      d.ready_ips.push_back(ip_of_address(m->address));
  for (const auto& [id, name] : state.membership().removed()) {
    const auto* gone = state.membership().removed_member(id);
    if (gone == nullptr) continue;
    const std::string ip = ip_of_address(gone->address);
    if (!has(c.central_ips, ip) && !has(d.removed_ips, ip)) d.removed_ips.push_back(ip);
  }
  c.pki = ovn::pki_paths_in(layout_.pki);
  c.layout = layout_;
  std::error_code ec;
  c.userspace_datapath = !std::filesystem::exists("/sys/module/openvswitch", ec);
  return d;
}

void ServiceReconciler::when_converged(LogIndex index, std::function<void(Result<void>)> done) {
  if (converged_ && index <= converged_index_ && !running_) return done({});
  waiters_.push_back(Waiter{index, ticks_ + kWaitTicks, std::move(done)});
}

void ServiceReconciler::answer_waiters(LogIndex up_to, const Result<void>& r) {
  std::vector<Waiter> due;
  for (auto it = waiters_.begin(); it != waiters_.end();) {
    if (it->index <= up_to) {
      due.push_back(std::move(*it));
      it = waiters_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& w : due) w.done(r);
}

void ServiceReconciler::report_schemas(const std::string& nb, const std::string& sb) {
  const auto* known = node_.applied().services().schemas_of(member_.name);
  if (reporting_schemas_ || (known != nullptr && known->nb == nb && known->sb == sb)) return;
  propose_report(reporting_schemas_, commands::ReportSchemaRequest{member_.name, nb, sb}, "schemas-",
                 "the expected schema versions");
}

void ServiceReconciler::propose_report(bool& in_flight, commands::Request request, const char* id_prefix,
                                       const char* what) {
  in_flight = true;
  node_.propose(std::move(request),
                RequestMeta{std::string(id_prefix) + pki::random_hex(8), events::Actor{member_.name, {}}},
                [&in_flight, what](Result<Outcome> o) {
                  in_flight = false;
                  // Tried again after the next convergence.
                  if (!o.ok()) spdlog::warn("reporting {}: {}", what, o.error().message);
                });
}

void ServiceReconciler::report_central(const std::string& nb_cid, const std::string& sb_cid) {
  const auto& services = node_.applied().services();
  const auto* known = services.ready_central(member_.name);
  if (reporting_central_ || !services.enabled(member_.name, "central") ||
      (known != nullptr && known->nb == nb_cid && known->sb == sb_cid))
    return;
  propose_report(reporting_central_, commands::ReportCentralRequest{member_.name, nb_cid, sb_cid}, "central-",
                 "this central's clusters");
}

void ServiceReconciler::tick() {
  ++ticks_;
  for (auto it = waiters_.begin(); it != waiters_.end();) {
    if (ticks_ < it->deadline_tick) {
      ++it;
      continue;
    }
    auto done = std::move(it->done);
    it = waiters_.erase(it);
    done(make_error(Errc::kTimeout, "still converging after " + std::to_string(kWaitTicks / 10) + " s"));
  }
  if (running_) return;
  if (decommission_done_) return start_decommission();
  if (decommissioning_) return;
  auto d = desired();
  // A change of the desired state is tried at once, whatever the backoff of the last failure (a
  // central waiting for another to be ready goes on when it is).
  const bool changed_since_attempt = d && attempted_ && !(*attempted_ == *d);
  if (ticks_ >= retry_at_tick_ || changed_since_attempt) {
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
  job_index_ = node_.applied().applied_index();
  attempted_ = d;
  auto shared = shared_;
  auto job_desired = std::make_shared<DesiredServices>(d);
  // The schema versions this member's OVN expects (empty: it has no such schema).
  auto schemas = std::make_shared<std::optional<std::pair<std::string, std::string>>>();
  // This central's NB and SB cluster ids, once its servers are cluster members.
  auto cids = std::make_shared<std::optional<std::pair<std::string, std::string>>>();
  effects_.run(
      [shared, job_desired, schemas, cids]() -> Result<void> {
        const auto& c = job_desired->config;
        MOVN_TRY(ovn::validate_config(c));
        MOVN_ASSIGN_OR_RETURN(ovn::Supervisor * sv, shared->ensure(c.layout));
        auto result = [&]() -> Result<void> {
          const auto env = ovn::process_environment(c.layout);
          MOVN_TRY(ovn::stop_unwanted(*sv, c, env, job_desired->services));
          MOVN_TRY(ovn::write_env_file(c));
          if (job_desired->services.empty()) return {};
          // OVN talks TLS only: the certificate reconciler must have written this member's files.
          for (const auto& f : {c.pki.ca_cert, c.pki.client.certificate}) {
            std::error_code ec;
            if (!std::filesystem::exists(f, ec))
              return make_error(Errc::kUnavailable, "waiting for this member's certificates (" + f.string() + ")");
          }
          if (has(job_desired->services, "central")) {
            MOVN_TRY(ovn::converge_central(*sv, shared->started, c, job_desired->ready_ips, env));
            ovn::kick_removed_servers(c, job_desired->removed_ips, env);
            *cids = ovn::read_cluster_ids(c.layout, env);
          }
          if (has(job_desired->services, "switch")) MOVN_TRY(ovn::converge_switch(*sv, shared->started, c, env));
          if (has(job_desired->services, "chassis")) MOVN_TRY(ovn::converge_chassis(*sv, shared->started, c, env));
          *schemas = ovn::expected_schema_versions(c, env);
          return {};
        }();
        shared->snapshot();
        return result;
      },
      [this, d = std::move(d), schemas, cids](Result<void> r) mutable {
        running_ = false;
        stats_.processes = shared_->processes;
        last_poll_tick_ = ticks_;
        if (!r.ok()) {
          ++stats_.failures;
          stats_.last_error = r.error().message;
          spdlog::warn("OVN services: {} (retrying in {} s)", r.error().message, backoff_ticks_ / 10);
          back_off();
          return answer_waiters(job_index_, r);
        }
        backoff_ticks_ = kBackoffFirstTicks;
        ++stats_.converged;
        stats_.services = d.services;
        stats_.last_error.clear();
        converged_ = std::move(d);
        converged_at_tick_ = ticks_;
        converged_index_ = job_index_;
        answer_waiters(converged_index_, {});
        if (*schemas) report_schemas((*schemas)->first, (*schemas)->second);
        if (*cids) report_central((*cids)->first, (*cids)->second);
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
        std::string problems;
        auto note = [&](const Result<void>& r) {
          if (!r.ok()) problems += std::string(problems.empty() ? "" : "; ") + r.error().message;
        };
        // No poll() before the stop below, so the Supervisor does not restart the controller.
        if (last) note(ovn::exit_controller(*sv, last->config, env));
        // NB and SB leave their raft clusters, unless this member is the only central (then
        // the databases go with it).
        if (last && last->config.central_ips.size() > 1) note(ovn::leave_db_clusters(*sv, layout, env));
        note(ovn::exit_vswitchd(*sv, layout, env));
        note(ovn::stop_all(*sv));
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
