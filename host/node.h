// Node: the host loop, the layer between the pure Raft core and the world, and the same code in
// microovnd and microovn-sim. It runs decide() against the speculative view (applied state plus
// proposed batches), proposes batches to the Raft core, and drives each Ready: persisted through
// the LogStore (entries and hard state in one synced write), then its messages sent through the
// Transport, its committed entries applied (hash chain linked, requester answered), and the core
// advanced. One Ready is in flight at a time, so proposals that arrive during a sync share the
// next one (group commit). The world reaches it only through host/seams.h.
// A member that is not part of a cluster yet has an empty log and runs no Raft; a bootstrap makes
// it a one-voter Raft cluster. Not thread-safe: core thread only.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands/decide.h"
#include "common/time.h"
#include "eventlog/entry.h"
#include "eventlog/raft/core.h"
#include "host/catch_up_reader.h"
#include "host/peer_message.h"
#include "host/seams.h"
#include "projections/state.h"

namespace movn::host {

// Takes the `done` of every waiter in `waiting` (a map or multimap of structs with deadline_tick
// and done) whose deadline has come by `tick`, removing it, in key order.
template <class Map>
auto take_expired(Map& waiting, std::uint64_t tick) {
  std::vector<decltype(waiting.begin()->second.done)> expired;
  for (auto it = waiting.begin(); it != waiting.end();) {
    if (it->second.deadline_tick > tick) {
      ++it;
      continue;
    }
    expired.push_back(std::move(it->second.done));
    it = waiting.erase(it);
  }
  return expired;
}

struct RequestMeta {
  std::string request_id;
  events::Actor actor;
};

struct Outcome {
  LogIndex index;          // where the batch was applied (0 when nothing needed recording)
  bool duplicate = false;  // a retry of an already applied request
};

using ProposeDone = std::function<void(Result<Outcome>)>;
using FailStop = std::function<void(const Error&)>;

// What a member's store holds when it starts: the committed log replayed into the projections
// (the daemon's replay: checkpoint plus the entries after it; the simulator's: nothing, and the
// core hands every committed entry to apply again).
struct Recovered {
  projections::State applied;
  Digest last_link = eventlog::kGenesisLink;  // the hash-chain link at applied.applied_index()
  LogIndex last_index;                        // the last entry the store holds
  raft::HardState hard_state;
  std::optional<raft::IndexedConfiguration> committed_config;
  std::uint64_t replayed = 0;  // entries replayed at start
  bool from_checkpoint = false;
};

struct NodeOptions {
  // Raft tuning. The Node sets id, voters and applied; a seed of 0 is drawn from the clock, and
  // without on_broken_invariant a broken invariant is fail-stop.
  raft::Config raft;
  // The simulator's pre-formed cluster: when set, the member starts Raft at once as `self` with
  // these voters (none: a member outside the initial configuration, which learns it from the
  // log it receives), and a missing committed-configuration record is derived from the log.
  // Unset in the daemon: an uninitialised member runs no Raft until a bootstrap (or a join).
  std::optional<std::vector<NodeId>> genesis_voters;
  // This member's Raft id when it is known before its log holds anything (a member that joined);
  // such a member runs Raft from the start. kNoNode: from the membership, by name.
  NodeId self;
  // The leader reconciles the Raft configuration with the membership projection (below). Off in
  // the simulator's pre-formed clusters, whose voters the projection does not list.
  bool reconcile_membership = true;
  // This member's address (where join answers come back).
  std::string address;
  // The leader's membership loop (every tick): members of the membership projection not in the
  // Raft configuration are added without a vote, removed ones are taken out (one change at a
  // time), and a committed removal is announced to the removed member. Every this many ticks it
  // also proposes what Core::next_role_change() returns (0: never).
  int role_policy_every_ticks = 10;
  // Runs when this member learns that it was removed from the cluster (its Raft has stopped).
  std::function<void()> on_removed;
  // The secrets this member hands a joiner it admitted, in the join answer (microovnd: the
  // cluster key, which seals the CA's key in the log). Unset: none.
  std::function<std::map<std::string, std::string>()> shared_secrets;
};

class Node {
 public:
  Node(LogStore& log, Transport& transport, Executor& executor, FailStop fail_stop,
       const Clock& clock = system_clock(), Observer* observer = nullptr, NodeOptions options = {});

  // The state the store holds (called once, before start()).
  void recover(Recovered recovered);
  // Starts serving on the recovered state. An uninitialised member (empty log) runs no Raft,
  // never campaigns, and `on_ready` runs at once; its first bootstrap starts Raft.
  // Otherwise the Raft core starts with this member's Raft id (from the membership, by
  // `member_name`; the founder's, 1, when the log does not name it): the only voter campaigns at
  // once, and `on_ready` runs (on the core thread) once it leads and has applied its first entry
  // of the term (every earlier entry is applied by then). A member of a cluster of several
  // voters is ready at once (its peers may still be down).
  void start(std::function<void()> on_ready = nullptr, std::string_view member_name = {});
  // False until this member's log holds anything (a bootstrap, later a join).
  bool initialized() const;
  // This member's Raft id (meaningful once initialized).
  NodeId self() const { return self_; }
  // One Raft tick (the daemon calls this every kTickMs).
  void tick();
  // A message from a peer (through the Transport).
  void receive(PeerMessage message);
  void step(raft::Message message) { receive(std::move(message)); }
  // An uninitialised member asks the cluster to admit it with `request` (its token's secret), through
  // each of `addresses` in turn. On success it starts Raft with the Raft id it was given and no
  // configuration (it learns it from the log the leader sends) and `done` gets the id and the
  // secrets the cluster shares (NodeOptions::shared_secrets of the member that admitted it);
  // `done` gets the first refusal, or kUnavailable once every address failed.
  struct Admission {
    NodeId raft_id;
    std::map<std::string, std::string> shared;
  };
  using JoinDone = std::function<void(Result<Admission>)>;
  void join(commands::JoinRequest request, std::string request_id, std::vector<std::string> addresses, JoinDone done);
  // True once a removal notice stopped this member's Raft.
  bool removed() const { return removed_; }
  // On a clean stop: a leader hands leadership to the most up-to-date voter (kUnavailable if it
  // does not lead or no other voter exists).
  Result<NodeId> hand_over();
  // Operator and host actions on the core (the simulator's, later the daemon's membership loop).
  void campaign();
  Result<LogIndex> propose_change(NodeId member, std::optional<raft::MemberRole> role);
  Result<void> transfer(NodeId to);
  static constexpr int kTickMs = 100;
  // The founder's Raft id (decide() gives it to the bootstrapping member).
  static constexpr NodeId kFounder{1};
  // Proposals held while a new leader applies its predecessor's entries.
  static constexpr std::size_t kMaxHeldProposals = 4096;
  static constexpr int kElectionTicks = 10;
  // How long a read barrier may wait for leadership to be confirmed: two election timeouts.
  static constexpr int kReadTimeoutTicks = 2 * kElectionTicks;
  // How long a follower waits for the leader's answer to a forwarded write, and then for its own
  // apply of the answer's index.
  static constexpr int kForwardTimeoutTicks = 2 * kElectionTicks;
  // Forwarded writes a follower keeps waiting (more are refused: retry).
  static constexpr std::size_t kMaxForwards = 4096;
  // Writes a checkpoint of the applied state, and the links not yet written, through the store.
  void checkpoint();

  // Decides `request` against the speculative view and proposes the batch; `done` runs once it is
  // applied (or refused). A leader that has not yet applied its predecessor's entries holds the
  // request until it has (its dedup check and decide() need them). A follower forwards the
  // request to the leader, and answers once the leader has applied it and it has applied that
  // entry itself (so a read of your own write here sees it). Error kUnavailable when no leader is
  // known or the leader does not answer in time (the outcome is then unknown: retry with the
  // same request id).
  void propose(const commands::Request& request, RequestMeta meta, ProposeDone done);
  // A linearizable read barrier (Raft ReadIndex): `done` runs on the core thread once this member
  // has applied everything the cluster had committed when the barrier began, so a read of
  // applied() in `done` is not stale. A leader confirms it still leads; a follower asks the leader
  // for that index (docs/adr/0009). Error kUnavailable if no leader is known, or the index cannot
  // be had within kReadTimeoutTicks, or too many reads are waiting.
  // Returns the barrier's read context (what Observer::on_read_state reports), 0 when `done` ran
  // at once.
  using ReadDone = std::function<void(Result<void>)>;
  std::uint64_t read_barrier(ReadDone done);
  // The context the next read barrier will use (an observer can map it before it is reported).
  std::uint64_t next_read_context() const { return next_read_ctx_ + 1; }
  std::size_t reads_waiting() const { return reads_.size(); }

  // True if the request id was applied or is being applied.
  bool known_request(const std::string& request_id) const;
  // Requests held or appended that are not applied yet.
  std::size_t in_flight() const { return pending_.size() + held_.size(); }
  std::size_t held() const { return held_.size(); }
  // Forwarded writes waiting for the leader's answer or for this member's apply.
  std::size_t forwards_waiting() const { return forwards_.size() + answers_after_apply_.size(); }

  // The role of a member in the committed Raft configuration, nullopt when it has none (a
  // member not yet added, or no Raft running).
  std::optional<raft::MemberRole> role_of(NodeId member) const;
  // Whether `member` is online as the leader sees it: a leader, when it heard from `member`
  // within the last election timeout; a follower, when the leader it follows said so in its
  // answer to this member's last read barrier (within kReadTimeoutTicks). Always true for itself.
  bool reachable(NodeId member) const;
  // This member's address (where join answers come back); set once it is known (bootstrap, join).
  void set_address(std::string address) { options_.address = std::move(address); }
  const std::string& address() const { return options_.address; }

  const projections::State& applied() const { return applied_; }
  // The applied state plus every proposed batch not yet applied (what decide() sees).
  const projections::State& view() const { return speculative_; }
  std::uint64_t entries_replayed() const { return replayed_; }
  bool loaded_from_checkpoint() const { return from_checkpoint_; }
  const raft::Core* raft() const { return core_.get(); }
  // What the core reads the log through (catch-up reads off the core thread).
  const CatchUpReader& log_reader() const { return reader_; }
  // True while a Ready is being written.
  bool writing() const { return ready_.has_value(); }
  // True once this member leads and has applied an entry of its current term.
  bool leader_ready() const;

  // Applied entries between two checkpoints.
  static constexpr std::uint64_t kCheckpointEveryEntries = 10'000;
  static constexpr std::string_view kCheckpointName = "state";

 private:
  void start_raft(NodeId self, std::vector<NodeId> voters);
  void propose_impl(const commands::Request& request, RequestMeta meta, ProposeDone done, bool may_forward);
  void forward(const commands::Request& request, RequestMeta meta, ProposeDone done);
  void on_forward(ForwardWrite f);
  void on_forward_reply(const ForwardReply& r);
  void on_read_ask(const ReadIndexAsk& a);
  void on_read_reply(const ReadIndexReply& r);
  void release_answers();
  void expire_waiting();
  void on_join_ask(JoinAsk a);
  void on_join_reply(const JoinReply& r);
  void send_join_ask();
  void on_removal_notice(const RemovalNotice& n);
  void membership_loop();
  void notify_removed(NodeId id);
  void release_held();
  void schedule_drive();
  void drive();
  void finish_ready();
  void drive_early();
  // Sends a Ready's messages, merged where a later one says what earlier ones did (coalesce.h).
  void send_messages(std::vector<raft::Message>& messages);
  void apply_committed(const std::vector<eventlog::Entry>& committed);
  Error expired_error(const std::string& request_id) const;
  Result<Outcome> outcome_of(projections::ApplyOutcome outcome, const std::string& request_id, LogIndex index) const;
  void abandon_pending(const Error& why);
  void resync_speculative();
  void serve_reads();
  void fail_reads(const Error& why);
  void write_links();
  // Writes the deferred commit index and committed configuration, and the links, without a sync.
  void write_deferred();
  ClusterTimeMs next_cluster_time();
  // Leader: itself and the members it heard from within the last election timeout.
  std::vector<NodeId> heard_from() const;

  LogStore& log_;
  Transport& transport_;
  Executor& executor_;
  FailStop fail_stop_;
  const Clock& clock_;
  Observer* observer_;
  NodeOptions options_;
  projections::State applied_;
  projections::State speculative_;
  struct Pending {
    Term term;
    events::EventBatch batch;
    std::vector<ProposeDone> waiters;
  };
  std::map<std::uint64_t, Pending> pending_;                 // by index
  std::map<std::string, std::uint64_t> pending_by_request_;  // request id -> index
  struct Held {
    commands::Request request;
    RequestMeta meta;
    ProposeDone done;
  };
  std::vector<Held> held_;  // until this leader has applied its predecessor's entries
  NodeId self_ = kFounder;
  Digest last_link_ = eventlog::kGenesisLink;
  std::vector<std::pair<LogIndex, Digest>> unwritten_links_;
  std::uint64_t replayed_ = 0;
  bool from_checkpoint_ = false;
  std::uint64_t applied_since_checkpoint_ = 0;
  LogIndex recovered_last_index_;

  // Raft host loop.
  CatchUpReader reader_;
  std::unique_ptr<raft::Core> core_;
  raft::HardState recovered_hard_state_;
  raft::HardState written_hard_state_;  // the latest one, handed to the store or deferred
  // A commit index, and a committed configuration, not yet handed to the store (they ride along
  // with the next synced write, or go at the next tick).
  std::optional<raft::HardState> deferred_hard_state_;
  std::optional<raft::IndexedConfiguration> deferred_config_;
  std::optional<raft::Ready> ready_;    // taken from the core, not yet advanced
  bool drive_scheduled_ = false;
  bool was_leader_ = false;
  mutable Term ready_term_;  // the term in which leader_ready() last held (a cache)
  std::function<void()> on_leader_ready_;
  std::optional<raft::IndexedConfiguration> recovered_config_;
  std::uint64_t ticks_ = 0;
  struct PendingRead {
    ReadDone done;
    std::optional<LogIndex> index;  // set once leadership is confirmed
    std::uint64_t deadline_tick = 0;
  };
  std::map<std::uint64_t, PendingRead> reads_;  // by request context
  // Follower: who the leader reported reachable in its last read answer, and when.
  struct LeaderView {
    NodeId leader;
    std::vector<NodeId> reachable;
    std::uint64_t tick = 0;
  };
  std::optional<LeaderView> leader_view_;
  std::uint64_t next_read_ctx_ = 0;
  // Leader: followers' reads being confirmed, by the core's read context.
  struct RemoteRead {
    NodeId from;
    std::uint64_t ctx = 0;
    std::uint64_t deadline_tick = 0;
  };
  std::map<std::uint64_t, RemoteRead> remote_reads_;
  // Follower: forwarded writes waiting for the leader's answer, by context.
  struct Forward {
    ProposeDone done;
    std::uint64_t deadline_tick = 0;
  };
  std::map<std::uint64_t, Forward> forwards_;
  std::uint64_t next_forward_ctx_ = 0;
  // Follower: answers the leader gave, waiting until this member has applied their index.
  struct Answer {
    ProposeDone done;
    Outcome outcome;
    std::uint64_t deadline_tick = 0;
  };
  std::multimap<std::uint64_t, Answer> answers_after_apply_;  // by index
  // Joining: the request, the addresses left to try, and when the current one times out.
  struct Joining {
    commands::JoinRequest request;
    std::string request_id;
    std::vector<std::string> addresses;
    std::size_t next = 0;
    std::uint64_t ctx = 0;
    std::uint64_t deadline_tick = 0;
    std::vector<std::string> failures;
    JoinDone done;
  };
  std::optional<Joining> joining_;
  bool removed_ = false;
  std::map<NodeId, std::uint64_t> notified_at_;  // removed member -> tick of the last notice
  std::uint64_t join_ticks_ = 0;                 // ticks, counted with or without Raft
};

}  // namespace movn::host
