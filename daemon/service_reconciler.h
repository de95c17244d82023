// The service reconciler: converges this member's OVN/OVS processes on the services projection
// (docs/adr/0017). For each service this member is to run it makes what the service needs and
// keeps its processes running through an ovn::Supervisor: central (the clustered NB and SB
// ovsdb-servers, created with create-cluster by the only central or joined to the other centrals,
// their shared pssl: connections, and ovn-northd), switch (the local Open_vSwitch ovsdb-server
// and ovs-vswitchd) and chassis (the Open_vSwitch settings and ovn-controller). Processes of a
// service no longer placed here are stopped (ovn-controller first, NB last). data/env/ovn.env is
// rewritten whenever the centrals change.
// All of it runs on the effects thread, one job at a time (the Supervisor is only touched
// there): a convergence at start, whenever the desired state changes, and every 30 s; between
// them the Supervisor is polled every second (crashed processes restart with a backoff).
// After a convergence it reports the OVSDB schema versions this member's OVN expects
// (schema_version_reported) and, on a central, its NB and SB cluster ids (central_ready), when
// the log does not hold them yet.
// Processes run in sessions of their own and outlive microovnd; a new microovnd adopts them
// from their pidfiles. A failure is retried after a backoff (1 s doubling to 1 min).
// Core thread only (except what runs in its jobs).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "daemon/api.h"
#include "daemon/host_seams.h"
#include "host/seams.h"
#include "ovn/commands.h"
#include "ovn/layout.h"
#include "ovn/supervisor.h"

namespace movn::daemon {

// What this member is to run, from the applied projections: compared between runs, and
// everything a job needs (a copy: jobs share nothing with the core thread).
struct DesiredServices {
  std::vector<std::string> services;  // of projections::kServices, in that order
  ovn::OvnConfig config;
  // The IPs of removed members that are not centrals now: a raft server of theirs still in NB or
  // SB (removed while it was down, so it could not leave) is kicked out.
  std::vector<std::string> removed_ips;
  // The other centrals that reported their NB and SB servers in their clusters (central_ready),
  // in join order: a central without databases joins them; when there are none, the first
  // central founds new clusters and the others wait for it.
  std::vector<std::string> ready_ips;
  bool operator==(const DesiredServices& o) const;
};

class ServiceReconciler {
 public:
  ServiceReconciler(Node& node, host::Effects& effects, MemberContext& member, ovn::Layout layout);
  ~ServiceReconciler();

  // Every daemon tick.
  void tick();

  // This member was removed from the cluster: its chassis leaves the southbound database
  // (ovn-controller exits gracefully), its NB and SB servers leave their raft clusters (unless it
  // is the only central), then every OVN/OVS process stops. `done` runs on the core thread after
  // that, whatever failed on the way (logged). Nothing is started afterwards.
  void decommission(std::function<void()> done);

  // Runs `done` (core thread) once a convergence that started from the applied state at `index`
  // or later has ended: ok when it converged, its error when it failed (it is retried later),
  // kTimeout after kWaitTicks. `microovn enable/disable` waits so for this member's services.
  void when_converged(LogIndex index, std::function<void(Result<void>)> done);
  static constexpr std::uint64_t kWaitTicks = 600;  // 60 s

  static constexpr std::uint64_t kPollTicks = 10;        // 1 s
  static constexpr std::uint64_t kRecheckTicks = 300;    // 30 s
  static constexpr std::uint64_t kBackoffFirstTicks = 10;
  static constexpr std::uint64_t kBackoffMaxTicks = 600;

  struct ProcessInfo {
    std::string state;
    long pid = 0;
    std::uint32_t restarts = 0;
    bool adopted = false;
  };
  struct Stats {
    std::uint64_t runs = 0;
    std::uint64_t converged = 0;
    std::uint64_t failures = 0;
    std::string last_error;
    std::vector<std::string> services;                // what the last convergence ran
    std::map<std::string, ProcessInfo> processes;  // as the Supervisor last said
  };
  const Stats& stats() const { return stats_; }

  // The desired state as the applied projections give it; nullopt outside a cluster.
  std::optional<DesiredServices> desired() const;

 private:
  void start_converge(DesiredServices d);
  void start_decommission();
  void start_poll();
  void back_off();

  Node& node_;
  host::Effects& effects_;
  MemberContext& member_;
  ovn::Layout layout_;
  // Touched only by effects jobs (which run one at a time); shared so a job outlives nothing.
  struct Shared;
  std::shared_ptr<Shared> shared_;
  bool running_ = false;
  bool decommissioning_ = false;
  std::function<void()> decommission_done_;  // waiting for the job in flight to end
  std::optional<DesiredServices> converged_;
  std::optional<DesiredServices> attempted_;  // what the last convergence started from
  std::uint64_t ticks_ = 0;
  std::uint64_t converged_at_tick_ = 0;
  std::uint64_t last_poll_tick_ = 0;
  std::uint64_t retry_at_tick_ = 0;
  std::uint64_t backoff_ticks_ = kBackoffFirstTicks;
  Stats stats_;
  struct Waiter {
    LogIndex index;
    std::uint64_t deadline_tick = 0;
    std::function<void(Result<void>)> done;
  };
  std::vector<Waiter> waiters_;
  LogIndex job_index_{0};        // the applied index the convergence in flight started from
  LogIndex converged_index_{0};  // ... and the last one that succeeded
  bool reporting_schemas_ = false;
  bool reporting_central_ = false;
  void report_central(const std::string& nb_cid, const std::string& sb_cid);
  // Proposes a report of this member's; `in_flight` is true until it is answered.
  void propose_report(bool& in_flight, commands::Request request, const char* id_prefix, const char* what);
  void answer_waiters(LogIndex up_to, const Result<void>& r);
  void report_schemas(const std::string& nb, const std::string& sb);
};

}  // namespace movn::daemon
