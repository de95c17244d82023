// Simulator: N Raft members in one process on a fake network and a fake clock (ticks), with
// crash-restart that loses unsynced writes, disk errors (fail-stop), slow disks and partitions.
// Every step is checked by Checker. Deterministic: one seed, one run. Single-threaded.
// Scripted tests drive it through the member/network methods; run_seed() drives it randomly.
// Workload::kCommands runs the real projections and commands on every member.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands/decide.h"
#include "common/result.h"
#include "eventlog/raft/core.h"
#include "projections/state.h"
#include "tests/sim/applier.h"
#include "tests/sim/checker.h"
#include "tests/sim/rng.h"
#include "tests/sim/sim_network.h"
#include "tests/sim/sim_store.h"
#include "tests/sim/trace.h"

namespace movn::sim {

// What clients propose and what members fold committed entries into.
enum class Workload : std::uint8_t {
  kBytes,     // opaque byte strings, folded by BytesApplier (scripted Raft tests)
  kCommands,  // commands::Request decided on the applied projections of the member a client
              // reaches, proposed as an encoded EventBatch, folded by ProjectionApplier
};

struct SimOptions {
  int members = 3;
  std::uint64_t seed = 1;
  int plant_bug = 0;  // 1 or 2: the raft-notes.md bugs, through the core's test hooks
  bool trace = false;  // print every event
  std::size_t trace_keep = 400;  // events kept for a failure report
  int election_ticks = 10;
  int heartbeat_ticks = 2;
  std::uint64_t max_append_bytes = 1 << 20;
  std::size_t max_inflight_msgs = 8;
  std::uint64_t max_uncommitted_bytes = 64 << 10;
  Workload workload = Workload::kBytes;
  // The checker compares state-machine digests at every index that is a multiple of this (1: at
  // every index), and the settled members' digests at the end of the liveness phase.
  std::uint64_t digest_every_entries = 1;
  // Default: BytesApplier for kBytes, ProjectionApplier for kCommands (which requires one).
  std::function<std::unique_ptr<Applier>()> make_applier;
};

struct SeedResult {
  bool ok = true;
  std::string violation;
  std::uint64_t ticks = 0;
  std::uint64_t committed = 0;         // distinct committed indexes
  std::uint64_t acked = 0;             // proposals a client saw committed
  std::uint64_t refused = 0;           // kCommands: requests decide() refused (never proposed)
  std::uint64_t leaders = 0;           // distinct terms with a leader
  std::uint64_t digests_compared = 0;  // state-machine digests compared at an equal index
  std::uint64_t crashes = 0;
  std::vector<std::string> trace_tail;
};

class Simulator {
 public:
  explicit Simulator(SimOptions options);
  ~Simulator();

  // ---- random run: safety phase with faults, then liveness phase ----
  SeedResult run_seed(int safety_ticks = 1200, int liveness_ticks = 400);

  // ---- scripted control ----
  void run(int ticks);
  // Runs until pred() holds (true) or ticks run out (false); checks after every tick.
  bool run_until(const std::function<bool()>& pred, int max_ticks);
  void crash(std::uint64_t id);
  void restart(std::uint64_t id);
  bool up(std::uint64_t id) const;
  void campaign(std::uint64_t id);
  // Steps a message straight into a live member (scripted tests), as if the network delivered it.
  void deliver(raft::Message m);
  Result<LogIndex> propose(std::uint64_t id, std::string data);
  // kCommands: decides `request` against member id's applied projections, stamps the batch with
  // the cluster time (the tick, made monotonic) and proposes its encoding. LogIndex(0): decide()
  // accepted it with nothing to record, so nothing was proposed.
  Result<LogIndex> propose_command(std::uint64_t id, const commands::Request& request,
                                   std::string request_id);
  // A request id no client of this seed has used.
  std::string next_request_id();
  void block(std::uint64_t from, std::uint64_t to);
  void isolate(std::uint64_t id);  // both directions, to and from everyone
  void heal();
  void set_disk_delay(std::uint64_t id, int ticks);  // 0 = sync at once
  FakeNetwork& network() { return network_; }
  // The leader with the highest term among live members, if any.
  std::optional<std::uint64_t> leader() const;
  raft::Core& core(std::uint64_t id);
  const SimStore& store(std::uint64_t id) const;
  // Entries applied by a live member in this incarnation.
  LogIndex applied(std::uint64_t id) const;
  bool acked(const std::string& data) const;
  bool acked_request(const std::string& request_id) const;
  // kCommands: the projections a live member has applied.
  const projections::State& projections(std::uint64_t id) const;
  // Liveness: heal everything, restart everyone, and require a new proposal to be acknowledged
  // within `bound_ticks`, every member to apply it and all to settle at one applied index with
  // equal digests, every acknowledged proposal to be in every member's log and (kCommands) every
  // acknowledged request in every member's requests projection. Records a violation otherwise.
  bool check_liveness(int bound_ticks);

  const std::optional<std::string>& violation() const { return checker_.violation(); }
  const Checker& checker() const { return checker_; }
  std::uint64_t now() const { return now_; }
  std::vector<std::string> trace_tail(std::size_t n) const { return trace_.tail(n); }

 private:
  struct Member;

  void tick_once();
  void random_faults();
  void random_proposals();
  commands::Request random_request(std::uint64_t id);
  commands::Request bootstrap_request(std::uint64_t id) const;
  Result<LogIndex> propose_entry(std::uint64_t id, std::string data, std::string request_id);
  bool check_acked_visible();
  void after_input(Member& m);
  void handle_ready(Member& m);
  void complete_ready(Member& m);
  void observe(Member& m);
  void event(EventKind kind, std::uint64_t a = 0, std::uint64_t b = 0, std::uint64_t c = 0);
  Member& member(std::uint64_t id);
  const Member& member(std::uint64_t id) const;

  SimOptions options_;
  Rng rng_;
  FakeNetwork network_;
  Checker checker_;
  Trace trace_;
  std::uint64_t now_ = 0;
  std::vector<std::unique_ptr<Member>> members_;
  std::uint64_t next_proposal_ = 0;
  std::uint64_t crashes_ = 0;
  std::uint64_t refused_ = 0;
  std::map<std::string, LogIndex> acked_;           // proposal bytes -> index
  std::map<std::string, LogIndex> acked_requests_;  // kCommands: request id -> index
  bool random_mode_ = false;
  bool liveness_phase_ = false;
  struct Faults {
    double crash = 0;            // per member per tick
    int down_ticks_max = 100;
    double partition = 0;        // per tick: a new partition
    double heal = 0;             // per tick
    double disk_error = 0;       // per sync
    double slow_disk = 0;        // per member per tick: toggle
    int slow_disk_max_ticks = 8;
    double propose = 0.3;        // per tick
    double leader_fault = 0;     // per tick: crash or isolate the current leader
    double fault_after_propose = 0;  // per accepted proposal: crash or isolate that leader
  } faults_;
};

}  // namespace movn::sim

namespace movn::sim {
// The options of one random seed (batch sizes, inflight bounds, heartbeat) drawn from the seed.
SimOptions options_for_seed(std::uint64_t seed, int members, int plant_bug, bool trace,
                            Workload workload = Workload::kCommands);
}  // namespace movn::sim
