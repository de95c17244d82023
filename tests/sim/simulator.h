// Simulator: N members in one process on a fake network and a fake clock (ticks), with
// crash-restart that loses unsynced writes, disk errors (fail-stop), slow disks and partitions.
// Every member runs the daemon's host loop (host::Node: the speculative view, request dedup,
// held requests, the ReadIndex barrier, the apply path and the real projections), built from the
// simulator's parts for its seams (sim_member.h). Every step is checked by Checker.
// Deterministic: one seed, one run. Single-threaded.
// Scripted tests drive it through the member/network methods; run_seed() drives it randomly.
// Membership:
// machines past the initial voters start outside the configuration and are added, promoted,
// demoted and removed by an operator (scripted, or random with SimOptions::membership) and by
// the leader host's role policy.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "commands/decide.h"
#include "common/result.h"
#include "common/time.h"
#include "eventlog/raft/core.h"
#include "projections/state.h"
#include "tests/sim/checker.h"
#include "tests/sim/rng.h"
#include "tests/sim/sim_network.h"
#include "tests/sim/sim_store.h"
#include "tests/sim/trace.h"

namespace movn::sim {

// What every member hands a joiner it admits (NodeOptions::shared_secrets), and what each admitted
// joiner must have received.
inline constexpr const char* kSimClusterKey = "the simulated cluster key";

struct SimOptions {
  int members = 3;  // the initial voters: machines 1..members
  // Machines 1..machines (0: members). Those past `members` start outside the configuration, with
  // an empty log and no configuration of their own, and join when a leader adds them.
  int machines = 0;
  // run_seed(): random membership changes (add, promote, demote, remove, the leader included),
  // leadership transfers and faults aimed at changes in flight.
  bool membership = false;
  // The cluster forms as an operator forms one: machine 1 bootstraps (no pre-formed voters), the
  // operator issues join tokens and machines join through the token path (SimOptions::members
  // is then only how many machines there are to start with, beside `machines`), members are
  // removed (and told so) and may join again, and leaders stop cleanly (handing over first).
  // The leader's membership loop and role policy place every member in the Raft configuration.
  bool joins = false;
  // The leader's host loop proposes what Core::next_role_change() returns every this many ticks,
  // as the daemon does (0: never).
  int role_policy_every_ticks = 0;
  raft::RoleTargets role_targets;
  std::uint64_t seed = 1;
  // 1 or 2: the raft-notes.md bugs, through the core's test hooks. 3: a host bug, a leader that
  // serves reads from its own state without confirming it still leads (ReadIndex skipped).
  // 4: no dedup check: the host loop proposes a retry of a known request again, and apply folds
  // it again (host/test_hooks.h, projections/test_hooks.h). 5: a new leader proposes before its no-op has committed
  // (host/test_hooks.h), deciding on a view that misses committed entries. 6-10: the host bugs
  // of host/test_hooks.h (a forward answered before apply, the leader's own copy counted on
  // append, replies before persistence, catch-up reads kept after a write replaced them, a
  // catch-up read whose completion the core never hears of). 11: a joiner admitted without the
  // cluster's shared secrets (with `joins`). 12: an early Ready that lets replies out before the
  // write they follow is durable.
  int plant_bug = 0;
  bool trace = false;  // print every event
  std::size_t trace_keep = 400;  // events kept for a failure report
  // Off in some random seeds: a leader cut off from its quorum then believes it leads until it
  // hears of a newer term, which is what makes a stale read possible (ReadIndex must not serve
  // one either way); check-quorum closes that window.
  bool check_quorum = true;
  int election_ticks = 10;
  int heartbeat_ticks = 2;
  std::uint64_t max_append_bytes = 1 << 20;
  std::size_t max_inflight_msgs = 8;
  std::uint64_t max_uncommitted_bytes = 64 << 10;
  // Each member's store keeps only its newest this many entries in memory (LogStore::cached_from):
  // a leader reads older ones for a peer that catches up off the core thread, and such a read
  // completes up to log_read_delay_ticks later (host::CatchUpReader).
  std::uint64_t log_cache_entries = UINT64_MAX;
  int log_read_delay_ticks = 0;
  // The checker compares state-machine digests at every index that is a multiple of this (1: at
  // every index), and the settled members' digests at the end of the liveness phase.
  std::uint64_t digest_every_entries = 1;
};

struct SeedResult {
  bool ok = true;
  std::string violation;
  std::uint64_t ticks = 0;
  std::uint64_t committed = 0;         // distinct committed indexes
  std::uint64_t acked = 0;             // requests a client saw applied
  std::uint64_t refused = 0;           // requests the member refused (decide(), a reused id, ...)
  std::uint64_t leaders = 0;           // distinct terms with a leader
  std::uint64_t digests_compared = 0;  // state-machine digests compared at an equal index
  std::uint64_t crashes = 0;
  std::uint64_t changes = 0;        // configuration changes a leader accepted
  std::uint64_t configs_committed = 0;  // distinct committed configurations reported
  std::uint64_t transfers = 0;      // leadership transfers a leader accepted
  std::uint64_t reads_served = 0;   // ReadIndex reads served and checked
  std::uint64_t retried = 0;        // requests a client sent again with the same id
  std::uint64_t forwarded = 0;      // writes a follower forwarded to the leader
  std::uint64_t joined = 0;         // joins (SimOptions::joins) that the cluster admitted
  std::uint64_t removed = 0;        // members that learnt of their removal and left
  std::uint64_t follower_reads = 0;  // reads served by a member that did not lead
  std::uint64_t duplicates_refused = 0;  // batches apply refused as already applied (per member)
  std::uint64_t catch_up_reads = 0;      // log reads a leader made off the core thread for a peer
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
  // A client's request with id `data` (scripted tests): a configuration value unique to it, after
  // a bootstrap when the member's view has none. acked(data) once applied.
  Result<LogIndex> propose(std::uint64_t id, std::string data);
  // Hands `request` to member id's host loop (Node::propose), as a client of that member: the
  // index where it was proposed; LogIndex(0) when it was accepted without being proposed now (a
  // retry of an applied or pending request, nothing to record, or held by a new leader). The
  // client is answered once the member has applied it.
  Result<LogIndex> propose_command(std::uint64_t id, const commands::Request& request,
                                   std::string request_id);
  // A request id no client of this seed has used.
  std::string next_request_id();
  // Membership at member `at`, as its host calls the core: the single change "member gets role"
  // (nullopt: removed). A client waits for it like for a proposal (acked_change()).
  Result<LogIndex> propose_change(std::uint64_t at, std::uint64_t member,
                                  std::optional<raft::MemberRole> role);
  Result<void> transfer(std::uint64_t at, std::uint64_t to);
  // ReadIndex at member `at`; returns the read's context. The read is served (and checked) once
  // `at` has applied up to the index its ReadState carries.
  Result<std::uint64_t> read(std::uint64_t at);
  bool read_served(std::uint64_t ctx) const { return served_reads_.contains(ctx); }
  // A configuration change proposed at `index` that its client saw committed.
  bool acked_change(LogIndex index) const;
  // SimOptions::joins: `cluster add` of machine `machine` at member `at` (a token with a fresh
  // secret, listing the members' addresses); once it is acknowledged, the machine joins with it.
  Result<LogIndex> add_machine(std::uint64_t at, std::uint64_t machine);
  // SimOptions::joins: `cluster remove NAME` at member `at`.
  Result<LogIndex> remove_member(std::uint64_t at, const std::string& name);
  // SimOptions::joins: the Raft id machine `id` was admitted with, if any.
  std::optional<NodeId> raft_id_of(std::uint64_t id) const;
  void block(std::uint64_t from, std::uint64_t to);
  void isolate(std::uint64_t id);  // both directions, to and from everyone
  void heal();
  void set_disk_delay(std::uint64_t id, int ticks);  // 0 = sync at once
  // SimOptions::log_cache_entries and log_read_delay_ticks for one member (exactly this delay).
  void set_log_cache(std::uint64_t id, std::uint64_t entries, int read_delay_ticks);
  // Log reads that members made off the core thread for a peer that catches up, in this run.
  std::uint64_t catch_up_reads() const { return catch_up_reads_; }
  FakeNetwork& network() { return network_; }
  // Member id leads and has applied an entry of its term (host::Node::leader_ready).
  bool leader_ready(std::uint64_t id) const;
  // The leader with the highest term among live members, if any.
  std::optional<std::uint64_t> leader() const;
  const raft::Core& core(std::uint64_t id) const;
  const SimStore& store(std::uint64_t id) const;
  // Entries applied by a live member in this incarnation.
  LogIndex applied(std::uint64_t id) const;
  bool acked(const std::string& data) const;
  bool acked_request(const std::string& request_id) const;
  // The projections a live member has applied.
  const projections::State& projections(std::uint64_t id) const;
  // Liveness: heal everything, restart everyone, and require a new proposal to be acknowledged
  // within `bound_ticks`, every member to apply it and all to settle at one applied index with
  // equal digests, every acknowledged configuration change to be in every member's log and every
  // acknowledged request in every member's requests projection. Records a violation otherwise.
  bool check_liveness(int bound_ticks);

  const std::optional<std::string>& violation() const { return checker_.violation(); }
  const SimOptions& options() const { return options_; }
  const Checker& checker() const { return checker_; }
  std::uint64_t now() const { return now_; }
  std::vector<std::string> trace_tail(std::size_t n) const { return trace_.tail(n); }

 private:
  struct Member;
  class Log;       // host::LogStore over the member's SimStore
  class Net;       // host::Transport onto the fake network
  class Watch;     // host::Observer reporting to the checker

  void tick_once();
  void random_faults();
  void random_proposals();
  void random_reads();
  // sim_membership.cc: the operator's random changes and transfers, and the host's role policy.
  void random_membership();
  void random_change();
  void random_transfer();
  // sim_membership.cc, SimOptions::joins: tokens, joins, removals and clean stops.
  void random_joins();
  void start_join(Member& m);
  void wipe(std::uint64_t id);
  std::optional<std::uint64_t> machine_of(NodeId raft_id) const;
  std::optional<std::uint64_t> machine_of_address(const std::string& address) const;
  std::vector<std::string> member_addresses() const;
  std::optional<std::uint64_t> client_target();
  void crash_for(std::uint64_t id);  // random mode: crash, restart after a random delay
  commands::Request random_request(std::uint64_t id);
  commands::Request bootstrap_request(std::uint64_t id) const;
  bool check_acked_visible(const std::vector<std::uint64_t>& ids);
  // The members of the newest leader's committed configuration (empty without a leader): the
  // machines that must hold the whole log once the cluster settles.
  std::vector<std::uint64_t> configured() const;
  // Runs the member's queued host-loop work until none is left, observing after each step; a
  // member that failed (fail-stop) crashes then.
  void after_input(Member& m);
  // Random mode: draws a disk error for an I/O of member m; on one, crashes it (true).
  bool disk_error(Member& m);
  void complete_sync(Member& m);
  void complete_log_reads(Member& m);
  void acknowledge(const std::string& request_id, LogIndex index);
  void observe(Member& m);
  void event(EventKind kind, std::uint64_t a = 0, std::uint64_t b = 0, std::uint64_t c = 0,
             std::uint64_t d = 0);
  Member& member(std::uint64_t id);
  const Member& member(std::uint64_t id) const;

  SimOptions options_;
  Rng rng_;
  FakeNetwork network_;
  Checker checker_;
  Trace trace_;
  std::uint64_t now_ = 0;
  std::unique_ptr<Clock> clock_;  // reads now_
  std::vector<std::unique_ptr<Member>> members_;
  std::uint64_t next_proposal_ = 0;
  std::uint64_t crashes_ = 0;
  std::uint64_t refused_ = 0;
  std::uint64_t changes_ = 0;
  std::uint64_t transfers_ = 0;
  std::map<std::string, LogIndex> acked_requests_;  // request id -> the index its client was told
  std::map<LogIndex, std::string> acked_changes_;   // configuration changes: index -> bytes
  std::set<std::string> answered_error_;  // requests refused after propose() returned
  LogIndex acked_high_;
  std::pair<std::string, LogIndex> acked_request_high_;  // the newest acked request
  std::uint64_t next_read_ = 0;
  // Per read: the newest acknowledged request when it was issued, checked visible in the state it
  // is served from.
  std::map<std::uint64_t, std::pair<std::string, LogIndex>> read_requests_;
  std::map<std::uint64_t, LogIndex> served_reads_;  // ctx -> applied index it was served at
  // Requests clients sent lately, which they may send again with the same id (after a timeout or
  // a change of leader, to any member), as real clients do.
  std::vector<std::pair<commands::Request, std::string>> sent_;
  std::uint64_t retried_ = 0;
  std::uint64_t joined_ = 0;
  std::uint64_t removed_ = 0;
  std::map<std::uint64_t, std::uint64_t> machine_of_raft_;  // SimOptions::joins: Raft id -> machine
  std::map<std::string, std::uint64_t> token_requests_;     // issue requests in flight -> machine
  std::uint64_t forwarded_ = 0;
  std::uint64_t follower_reads_ = 0;
  std::uint64_t duplicates_refused_ = 0;
  std::uint64_t catch_up_reads_ = 0;
  bool random_mode_ = false;
  bool founded_ = false;  // SimOptions::joins: machine 1 bootstrapped the cluster
  bool liveness_phase_ = false;
  struct Faults {
    double crash = 0;            // per member per tick
    int down_ticks_max = 100;
    double partition = 0;        // per tick: a new partition
    double heal = 0;             // per tick
    double disk_error = 0;       // per sync or log read
    double slow_disk = 0;        // per member per tick: toggle
    int slow_disk_max_ticks = 8;
    double propose = 0.3;        // per tick
    double leader_fault = 0;     // per tick: crash or isolate the current leader
    double fault_after_propose = 0;  // per accepted proposal: crash or isolate that leader
    double read = 0;             // per tick: a client issues a ReadIndex read
    double retry = 0;            // per request sent: it is one sent before, with the same id
    double change = 0;           // per tick: the operator asks for a configuration change
    double transfer = 0;         // per tick: the operator asks for a leadership transfer
    double fault_after_change = 0;  // per accepted change: crash or isolate a party to it
    double forget_config_record = 0;  // per restart: the host passes no committed configuration
    double join = 0;                  // SimOptions::joins, per tick: the operator adds a machine
    double remove = 0;                // SimOptions::joins, per tick: the operator removes a member
    double clean_stop = 0;            // SimOptions::joins, per tick: the leader stops cleanly
  } faults_;
};

}  // namespace movn::sim

namespace movn::sim {
// The options of one random seed (batch sizes, inflight bounds, heartbeat) drawn from the seed.
// membership: machines past the initial voters, random changes and transfers, and (in most seeds)
// the role policy with targets drawn from the seed.
SimOptions options_for_seed(std::uint64_t seed, int members, int plant_bug, bool trace,
                            bool membership = false, bool joins = false);
}  // namespace movn::sim
