// raft::Core: a pure Raft state machine in the style of etcd-io/raft (docs/design.md §4).
// Owned by the host's core thread; single-threaded, no I/O, no clock, no threads: time is tick(),
// randomness is a PRNG seeded from Config, storage is read through the host's LogReader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "eventlog/raft/configuration.h"
#include "eventlog/raft/log_reader.h"
#include "eventlog/raft/message.h"
#include "eventlog/raft/progress.h"
#include "eventlog/raft/raft_log.h"
#include "eventlog/raft/roles.h"

// Host loop: feed tick() / step() / propose(); when has_ready(), take ready(); persist its hard
// state and entries (truncating from the first entry's index) and sync; send its messages; apply
// its committed entries; then advance(ready). Never take a second Ready before advance().
// The leader may send while it persists: messages that are not replies (must_follow_persist())
// may leave before the write completes, unless the Ready changes the term or the vote. A leader
// counts its own log toward a quorum only from advance() on (its match is what is durable), so
// an entry commits once a quorum holds it durably, with or without the leader's own copy.
// Storage model (etcd's): entries not yet persisted live in the core's unstable tail and are handed
// out in Ready::entries_to_persist; after advance() they are read back through the LogReader.
// Heartbeats are empty Apps (they carry prev index/term and prove a match up to there only).
// Membership (docs/adr/0006): single-server changes, one at a time, carried by kConfig entries.
// A configuration takes effect on every member when its entry is appended and is rolled back when
// a truncation removes it. Every member receives the whole log; only voters vote and count toward
// a quorum; a non-voter or removed member never campaigns once that change is committed (until
// then it may: see may_campaign()). A leader whose own removal (or demotion) commits hands
// leadership to the most up-to-date voter (transfer) and steps down.

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
  // Bug 7: the leader counts its own copy of an entry toward a quorum as soon as it appends it,
  // while the host sends it before the leader's write is durable.
  bool self_match_on_append = false;
  // Bug 12: an early Ready (taken while the host's write runs) hands out replies too, which must
  // wait for that write.
  bool early_replies = false;
};
#endif

struct Config {
  NodeId id;
  // The initial configuration (all voters) when the host has no committed configuration of its
  // own: the configuration before the log's first kConfig entry. A member joining an existing
  // cluster passes none: it learns the configuration from the log it receives.
  std::vector<NodeId> voters;
  int election_ticks = 10;             // randomized in [election_ticks, 2 * election_ticks)
  int heartbeat_ticks = 1;             // < election_ticks
  std::uint64_t seed = 1;              // seeds the election-timeout PRNG (never a clock)
  std::uint64_t max_append_bytes = 1 << 20;  // per App message (at least one entry is sent)
  std::size_t max_inflight_msgs = 256;       // per follower in replicate state
  std::uint64_t max_committed_bytes_per_ready = 64 << 20;
  // The leader refuses proposals (kUnavailable) while its not-yet-applied proposals exceed this
  // many bytes, so a backlog stays bounded (etcd's MaxUncommittedEntriesSize). 0 = unlimited.
  std::uint64_t max_uncommitted_bytes = 64 << 20;
  // ReadIndex requests a leader holds unconfirmed; past it read_index() answers kUnavailable.
  std::size_t max_pending_reads = 4096;
  RoleTargets role_targets;  // for next_role_change()
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
  // hard_state and storage are what the host recovered from disk; committed_config is the last
  // Ready::committed_config the host persisted, written with (or before) that hard state, so it is
  // the configuration at hard_state.commit: the core reads only the configuration entries above
  // the commit index (LogReader::config_entries). Without one, Config::voters is the initial
  // configuration and the configuration entries of the whole log are read.
  Core(Config config, const LogReader& storage, HardState hard_state,
       std::optional<IndexedConfiguration> committed_config = std::nullopt);

  void tick();
  void step(const Message& m) { step(Message(m)); }
  void step(Message&& m);
  // Appends data as an EventBatch entry; returns its index. Error kUnavailable if not the leader
  // or if max_uncommitted_bytes would be exceeded (retry after commits).
  Result<LogIndex> propose(std::string data);
  // Starts an election now (pre-vote first if enabled); for tests. A non-voter never campaigns
  // (see may_campaign()).
  void campaign();

  // Membership. Proposes the single change "member gets role" (nullopt: member is removed);
  // returns the kConfig entry's index. The change takes effect at once (on append). Errors:
  // kUnavailable: not the leader, a leadership transfer is in progress, or no entry of this
  // leader's term is committed yet (retry shortly); kConflict: another change is not committed
  // yet; kInvalidArgument: id 0; kNotFound: removing a non-member; kAlreadyExists: the member
  // has that role; kFailedPrecondition: it would leave no voter.
  Result<LogIndex> propose_change(NodeId member, std::optional<MemberRole> role);
  // The configuration in effect (the last one in the log) and the last committed one.
  const Configuration& configuration() const;
  const IndexedConfiguration& committed_configuration() const { return committed_config_; }
  // Leader: each member of its configuration as the role policy sees it; empty otherwise.
  std::vector<MemberStatus> member_statuses() const;
  // Leader: the next role change the policy asks for (roles.h, Config::role_targets), or nullopt
  // (not the leader, a change or transfer is pending, or the roles fit). The host calls it
  // periodically and proposes what it returns with propose_change().
  std::optional<RoleChange> next_role_change() const;

  // Leadership transfer to a voter: proposals are refused (kUnavailable) while it runs; the
  // target is brought up to date, then sent TimeoutNow, and campaigns at once. Aborted after an
  // election timeout (the leader carries on; retry is allowed). Errors: kUnavailable (not the
  // leader, or the leader is leaving), kInvalidArgument (to is this member), kNotFound (not a
  // member), kFailedPrecondition (not a voter).
  Result<void> transfer(NodeId to);
  // The transfer target while a transfer runs, else kNoNode.
  NodeId transferee() const { return transferee_; }

  // ReadIndex (Raft §6.4): records the commit index, confirms leadership with a heartbeat round
  // acknowledged by a quorum of voters, then hands out ReadState{request_ctx, index} in a Ready.
  // Held until the leader has committed an entry of its term. A read that loses its leader is
  // never answered (the host's timeout covers it). kUnavailable if not the leader (forward it)
  // or past Config::max_pending_reads.
  Result<void> read_index(std::uint64_t request_ctx);

  // The host's LogReader finished a read that fetch() started (log_reader.h): peers that waited
  // for entries are sent them now.
  void entries_fetched();

  bool has_ready() const;
  Ready ready();
  void advance(const Ready& ready);
  // While the host writes the last Ready (after ready(), before advance()), what may be handed out
  // before that write completes, in an early Ready: the messages that are not replies
  // (must_follow_persist(); replies stay for the next Ready, whose write they follow) and the
  // committed entries that were durable here before the write began (at or below the persisted
  // part) and were not handed out yet. Nothing to persist: no entries, no hard state, no committed
  // configuration (they come with the next Ready). None while the Ready being written changes the
  // term or the vote, or once the term, the vote or the role changed after it was taken. A leader
  // sends the entries proposed meanwhile at once, and applies and answers what a follower's
  // acknowledgement committed, instead of waiting for its own write to finish.
  bool has_early_ready() const;
  Ready early_ready();
  void advance_early(const Ready& ready);

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

  struct PendingRead {
    std::uint64_t request_ctx;
    LogIndex index;
    std::uint64_t round;  // the heartbeat context that confirms it
    std::set<NodeId> acks;
  };

  // kUnavailable unless this member leads and no leadership transfer runs.
  Result<void> check_can_propose() const;
  void reset(Term term);
  void become_follower(Term term, NodeId lead);
  void become_pre_candidate();
  void become_candidate();
  void become_leader();
  void start_campaign(bool pre, bool transfer);
  VoteResult poll(NodeId from, bool granted);
  bool is_voter() const { return self_voter_; }
  // A voter of the configuration in effect, or of the committed one while the change that
  // removes or demotes this member is not committed: a leader cut off right after appending its
  // own removal may be the only member holding it, and the voters left behind cannot win its vote.
  bool may_campaign() const {
    return self_voter_ || committed_config_.configuration.is_voter(config_.id);
  }
  bool committed_in_term() const { return log_.term(log_.committed()) == term_; }

  // Log writes that keep the configurations in step: a kConfig entry takes effect when appended,
  // and a truncation rolls back every configuration it removes. False (nothing appended) if a
  // configuration does not decode.
  bool log_append(std::vector<Entry> entries);
  void commit_to(LogIndex index);
  void load_configurations(const LogReader& storage, std::optional<IndexedConfiguration> committed);
  // Recomputes what the hot paths read instead of the configuration: quorum_, self_voter_ and
  // every Progress::voter. Called whenever the configuration in effect changes.
  void refresh_configuration();
  // Leader: a Progress for every member of the configuration in effect and of the committed one.
  void add_progress_for_members();
  // Leader work that must not run while a caller holds a Progress reference: drop members whose
  // removal committed, hand leadership over when the leader's own removal committed, start the
  // reads held for this term's first commit.
  void settle();

  void start_transfer(NodeId to);
  void maybe_send_timeout_now(NodeId to, const Progress& pr);
  void update_catch_up(NodeId id, Progress& pr);
  // Records a read; false if it is confirmed already (the only voter), else a round must go out.
  bool start_read(std::uint64_t request_ctx);
  void on_read_ack(NodeId from, std::uint64_t round);
  // The voters changed: confirms the reads whose acknowledgements already make a quorum of the
  // new configuration (with fewer voters, no further acknowledgement may ever come).
  void confirm_reads_after_change();

  void dispatch(Message& m);
  void tick_leader();
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
  void bcast_heartbeat(std::uint64_t context);
  bool maybe_commit();
  bool quorum_active();
  void send(Message m);
  void reset_randomized_timeout();
  std::uint64_t next_random();
  void broken(std::string_view what);
  bool hook_reply_with_last_index() const;
  bool hook_commit_old_terms() const;
  bool hook_self_match_on_append() const;
  bool hook_early_replies() const;
  bool early_allowed() const;
  // The last committed index an early Ready may hand out, and the first it has not handed out.
  LogIndex early_committed_end() const;
  LogIndex next_to_hand_out() const;
  // The committed entries from next_to_hand_out() through `end` (at most a Ready's byte budget),
  // marked as handed out; a leader's uncommitted-bytes budget is released for the applied ones.
  std::vector<Entry> hand_out_committed(LogIndex end);
  void release_uncommitted(const std::vector<Entry>& committed);

  Config config_;
  RaftLog log_;
  Term term_;
  NodeId vote_;
  NodeId lead_;
  Role role_ = Role::kFollower;
  IndexedConfiguration committed_config_;  // the last at or below the commit index
  std::vector<IndexedConfiguration> uncommitted_configs_;  // kConfig entries above it, in order
  LogIndex reported_config_index_;  // the committed configuration the host has seen
  std::size_t quorum_ = 1;          // of the configuration in effect
  bool self_voter_ = false;         // this member votes in the configuration in effect
  bool settle_needed_ = false;      // leader: settle() has membership work to do
  std::map<NodeId, Progress> progress_;  // leader only: every member, self included
  NodeId transferee_;                    // leader: leadership transfer target
  int transfer_elapsed_ = 0;             // leader: ticks since the transfer started
  bool leaving_ = false;                 // leader: its own removal committed; handing over
  bool handed_over_ = false;             // leader, leaving: TimeoutNow sent; step down
  std::vector<std::uint64_t> held_reads_;  // leader: before this term's first commit
  std::deque<PendingRead> pending_reads_;  // leader: waiting for a quorum, in order
  std::uint64_t read_round_ = 0;
  std::vector<ReadState> read_states_;
  std::map<NodeId, bool> votes_;
  int election_elapsed_ = 0;
  int heartbeat_elapsed_ = 0;
  int randomized_election_timeout_ = 0;
  std::vector<Message> msgs_;
  HardState prev_hard_state_;
  bool awaiting_advance_ = false;
  // What the Ready being written was taken at (early readies are refused once any changed), and
  // whether it changes the term or the vote.
  Term ready_term_;
  NodeId ready_vote_;
  Role ready_role_ = Role::kFollower;
  bool ready_changes_term_or_vote_ = false;
  LogIndex handed_out_;  // the last committed entry handed out in a Ready, early or not
  std::uint64_t uncommitted_bytes_ = 0;  // leader: proposed in this term, not yet handed to apply
  std::uint64_t rng_state_;
};

}  // namespace movn::raft
