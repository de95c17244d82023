// raft::Core: a pure Raft state machine in the style of etcd-io/raft (docs/design.md §4).
// Owned by the host's core thread; single-threaded, no I/O, no clock, no threads: time is tick(),
// randomness is a PRNG seeded from Config, storage is read through the host's LogReader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "eventlog/raft/log_reader.h"
#include "eventlog/raft/message.h"
#include "eventlog/raft/progress.h"
#include "eventlog/raft/raft_log.h"

// Host loop: feed tick() / step() / propose(); when has_ready(), take ready(); persist its hard
// state and entries (truncating from the first entry's index) and sync; send its messages; apply
// its committed entries; then advance(ready). Never take a second Ready before advance().
// Storage model (etcd's): entries not yet persisted live in the core's unstable tail and are handed
// out in Ready::entries_to_persist; after advance() they are read back through the LogReader.
// Members are a static voter set in this part; EntryType::kConfig is reserved for changes.
// Heartbeats are empty Apps (they carry prev index/term and prove a match up to there only).

namespace movn::raft {

enum class Role : std::uint8_t { kFollower, kPreCandidate, kCandidate, kLeader };
std::string_view role_name(Role role);

#ifdef MOVN_RAFT_TEST_HOOKS
// Switches that reintroduce known bugs (docs/raft-notes.md) so tests can prove the checkers catch
// them. Compiled only with the CMake option MICROOVN_RAFT_TEST_HOOKS.
struct TestHooks {
  // Bug 1: a follower's success reply carries its whole last index, not prev + n_entries.
  bool reply_with_last_index = false;
  // Bug 2: the leader commits by counting replicas of any term and appends no no-op on election.
  bool commit_old_terms_without_noop = false;
};
#endif

struct Config {
  NodeId id;
  std::vector<NodeId> voters;          // includes id
  int election_ticks = 10;             // randomized in [election_ticks, 2 * election_ticks)
  int heartbeat_ticks = 1;             // < election_ticks
  std::uint64_t seed = 1;              // seeds the election-timeout PRNG (never a clock)
  std::uint64_t max_append_bytes = 1 << 20;  // per App message (at least one entry is sent)
  std::size_t max_inflight_msgs = 256;       // per follower in replicate state
  std::uint64_t max_committed_bytes_per_ready = 64 << 20;
  // The leader refuses proposals (kUnavailable) while its not-yet-applied proposals exceed this
  // many bytes, so a backlog stays bounded (etcd's MaxUncommittedEntriesSize). 0 = unlimited.
  std::uint64_t max_uncommitted_bytes = 64 << 20;
  bool pre_vote = true;
  bool check_quorum = true;
  LogIndex applied;  // the host's state machine has applied up to here (a checkpoint), else 0
  // Called when a broken invariant is detected (e.g. a leader asks to overwrite a committed
  // entry). Default: print and abort. The simulator records it as a violation instead; the core
  // then ignores the offending message.
  std::function<void(std::string_view)> on_broken_invariant;
#ifdef MOVN_RAFT_TEST_HOOKS
  TestHooks hooks;
#endif
};

class Core {
 public:
  // hard_state and storage are what the host recovered from disk.
  Core(Config config, const LogReader& storage, HardState hard_state);

  void tick();
  void step(const Message& m) { step(Message(m)); }
  void step(Message&& m);
  // Appends data as an EventBatch entry; returns its index. Error kUnavailable if not the leader
  // or if max_uncommitted_bytes would be exceeded (retry after commits).
  Result<LogIndex> propose(std::string data);
  // Starts an election now (pre-vote first if enabled); for tests and leadership transfer.
  void campaign();

  bool has_ready() const;
  Ready ready();
  void advance(const Ready& ready);

  NodeId id() const { return config_.id; }
  Role role() const { return role_; }
  Term term() const { return term_; }
  NodeId vote() const { return vote_; }
  NodeId leader() const { return lead_; }
  LogIndex committed() const { return log_.committed(); }
  LogIndex applied() const { return log_.applied(); }
  LogIndex last_index() const { return log_.last_index(); }
  const RaftLog& log() const { return log_; }
  HardState hard_state() const { return HardState{term_, vote_, log_.committed()}; }
  // The leader's view of a member's log; nullptr when not the leader or not a member.
  const Progress* progress(NodeId id) const;
  const Config& config() const { return config_; }

 private:
  enum class VoteResult : std::uint8_t { kPending, kWon, kLost };

  void reset(Term term);
  void become_follower(Term term, NodeId lead);
  void become_pre_candidate();
  void become_candidate();
  void become_leader();
  void start_campaign(bool pre);
  VoteResult poll(NodeId from, bool granted);

  void step_leader(Message& m);
  void step_candidate(Message& m);
  void step_follower(Message& m);
  void handle_vote_request(const Message& m);
  void handle_append(Message& m);
  void handle_heartbeat(const Message& m);
  void handle_append_resp(const Message& m);
  void handle_heartbeat_resp(const Message& m);
  void on_ack(NodeId from, Progress& pr, LogIndex index, bool was_paused);

  void append_entries(std::vector<Entry> entries);
  bool maybe_send_append(NodeId to, bool send_if_empty);
  void bcast_append();
  void bcast_heartbeat();
  bool maybe_commit();
  bool quorum_active();
  std::size_t quorum() const { return config_.voters.size() / 2 + 1; }
  void send(Message m);
  void reset_randomized_timeout();
  std::uint64_t next_random();
  void broken(std::string_view what);
  bool hook_reply_with_last_index() const;
  bool hook_commit_old_terms() const;

  Config config_;
  RaftLog log_;
  Term term_;
  NodeId vote_;
  NodeId lead_;
  Role role_ = Role::kFollower;
  std::map<NodeId, Progress> progress_;  // leader only: every voter, self included
  std::map<NodeId, bool> votes_;
  int election_elapsed_ = 0;
  int heartbeat_elapsed_ = 0;
  int randomized_election_timeout_ = 0;
  std::vector<Message> msgs_;
  HardState prev_hard_state_;
  bool awaiting_advance_ = false;
  std::uint64_t uncommitted_bytes_ = 0;  // leader: proposed in this term, not yet handed to apply
  std::uint64_t rng_state_;
};

}  // namespace movn::raft
