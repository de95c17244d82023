// raft::Core: construction, ticks, elections, the step dispatcher and Ready.
// Replication (append/heartbeat handling, progress, commit) is in core_replication.cc;
// configurations and the role policy in core_membership.cc; leadership transfer and ReadIndex in
// core_leadership.cc.
#include "eventlog/raft/core.h"

#include <algorithm>
#include <cassert>
#include <climits>
#include <cstdio>
#include <cstdlib>

namespace movn::raft {

std::string_view role_name(Role role) {
  switch (role) {
    case Role::kFollower: return "follower";
    case Role::kPreCandidate: return "pre-candidate";
    case Role::kCandidate: return "candidate";
    case Role::kLeader: return "leader";
  }
  return "?";
}

Core::Core(Config config, const LogReader& storage, HardState hard_state,
           std::optional<IndexedConfiguration> committed_config)
    : config_(std::move(config)),
      log_(storage, hard_state.commit, config_.applied),
      term_(hard_state.term),
      vote_(hard_state.vote),
      prev_hard_state_(hard_state),
      rng_state_(config_.seed ^ (config_.id.value * 0x9E3779B97F4A7C15ULL)) {
  assert(config_.id != kNoNode);
  assert(config_.heartbeat_ticks > 0 && config_.heartbeat_ticks < config_.election_ticks);
  assert(config_.max_inflight_msgs > 0);
  std::sort(config_.voters.begin(), config_.voters.end());
  assert(std::adjacent_find(config_.voters.begin(), config_.voters.end()) ==
         config_.voters.end());
  load_configurations(storage, std::move(committed_config));
  become_follower(term_, kNoNode);
}

std::uint64_t Core::next_random() {
  // splitmix64: deterministic from the configured seed.
  std::uint64_t z = (rng_state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

void Core::reset_randomized_timeout() {
  randomized_election_timeout_ =
      config_.election_ticks +
      static_cast<int>(next_random() % static_cast<std::uint64_t>(config_.election_ticks));
}

void Core::broken(std::string_view what) {
  if (config_.on_broken_invariant) {
    config_.on_broken_invariant(what);
    return;
  }
  std::fprintf(stderr, "raft: broken invariant on member %llu: %.*s\n",
               static_cast<unsigned long long>(config_.id.value), static_cast<int>(what.size()),
               what.data());
  std::abort();
}

bool Core::hook_reply_with_last_index() const {
#ifdef MOVN_RAFT_TEST_HOOKS
  return config_.hooks.reply_with_last_index;
#else
  return false;
#endif
}

bool Core::hook_self_match_on_append() const {
#ifdef MOVN_RAFT_TEST_HOOKS
  return config_.hooks.self_match_on_append;
#else
  return false;
#endif
}

bool Core::hook_early_replies() const {
#ifdef MOVN_RAFT_TEST_HOOKS
  return config_.hooks.early_replies;
#else
  return false;
#endif
}

bool Core::hook_commit_old_terms() const {
#ifdef MOVN_RAFT_TEST_HOOKS
  return config_.hooks.commit_old_terms_without_noop;
#else
  return false;
#endif
}

const Progress* Core::progress(NodeId id) const {
  if (role_ != Role::kLeader) return nullptr;
  auto it = progress_.find(id);
  return it == progress_.end() ? nullptr : &it->second;
}

void Core::send(Message m) {
  m.from = config_.id;
  if (m.term.value == 0) m.term = term_;
  msgs_.push_back(std::move(m));
}

// ---- roles ----

void Core::reset(Term term) {
  if (term_ != term) {
    term_ = term;
    vote_ = kNoNode;
    // Acknowledgements of the old term not yet handed out may cover entries that a leader of the
    // new term truncates before they are ever written: sent later, with the write of the new
    // term, they would tell the old leader of a match that is no longer there. Messages are
    // lossy by contract, so they are dropped.
    std::erase_if(msgs_, [&](const Message& m) {
      return m.term < term && !m.reject &&
             (m.type == MessageType::kAppResp || m.type == MessageType::kHeartbeatResp);
    });
  }
  lead_ = kNoNode;
  election_elapsed_ = 0;
  heartbeat_elapsed_ = 0;
  reset_randomized_timeout();
  votes_.clear();
  progress_.clear();
  uncommitted_bytes_ = 0;
  transferee_ = kNoNode;
  transfer_elapsed_ = 0;
  leaving_ = false;
  handed_over_ = false;
  held_reads_.clear();
  pending_reads_.clear();
}

void Core::become_follower(Term term, NodeId lead) {
  reset(term);
  lead_ = lead;
  role_ = Role::kFollower;
}

void Core::become_pre_candidate() {
  // Changes neither term nor vote: a pre-vote that fails leaves no trace.
  assert(role_ != Role::kLeader);
  votes_.clear();
  lead_ = kNoNode;
  role_ = Role::kPreCandidate;
}

void Core::become_candidate() {
  assert(role_ != Role::kLeader);
  reset(term_.next());
  vote_ = config_.id;
  role_ = Role::kCandidate;
}

void Core::become_leader() {
  assert(role_ == Role::kCandidate);
  reset(term_);
  lead_ = config_.id;
  role_ = Role::kLeader;
  add_progress_for_members();
  settle_needed_ = true;
  // The no-op lets this term commit (and with it every earlier entry) without waiting for a
  // proposal (Raft §5.4.2, §8).
  if (!hook_commit_old_terms()) {
    append_entries({Entry{LogIndex(0), Term(0), EntryType::kNoop, {}}});
  }
}

void Core::campaign() {
  if (role_ == Role::kLeader || !may_campaign()) return;
  start_campaign(config_.pre_vote, false);
}

// transfer: a leadership transfer's campaign (no pre-vote; receivers ignore their lease).
void Core::start_campaign(bool pre, bool transfer) {
  Term vote_term;
  MessageType type;
  if (pre) {
    become_pre_candidate();
    vote_term = term_.next();
    type = MessageType::kPreVote;
  } else {
    become_candidate();
    vote_term = term_;
    type = MessageType::kVote;
  }
  if (poll(config_.id, true) == VoteResult::kWon) {
    // A single-member cluster wins at once.
    if (pre) {
      start_campaign(false, transfer);
    } else {
      become_leader();
      bcast_append();
    }
    return;
  }
  for (NodeId v : configuration().voters()) {
    if (v == config_.id) continue;
    Message m;
    m.type = type;
    m.to = v;
    m.term = vote_term;
    m.index = log_.last_index();
    m.log_term = log_.last_term();
    m.transfer = transfer;
    send(std::move(m));
  }
}

Core::VoteResult Core::poll(NodeId from, bool granted) {
  // Only voters count: a non-voter may answer (its view of the configuration can be older than
  // the candidate's), but its answer is not a vote.
  const Configuration& c = configuration();
  if (!c.is_voter(from)) return VoteResult::kPending;
  votes_.emplace(from, granted);  // the first answer counts
  std::size_t yes = 0;
  std::size_t no = 0;
  for (const auto& [id, v] : votes_) (v ? yes : no)++;
  if (yes >= c.quorum()) return VoteResult::kWon;
  if (c.voter_count() - no < c.quorum()) return VoteResult::kLost;
  return VoteResult::kPending;
}

// ---- input ----

void Core::tick() {
  if (role_ == Role::kLeader) {
    tick_leader();
  } else {
    ++election_elapsed_;
    if (election_elapsed_ >= randomized_election_timeout_) {
      if (may_campaign()) {
        election_elapsed_ = 0;
        start_campaign(config_.pre_vote, false);
      } else {
        // A stand-by, spare or removed member (the change committed) never campaigns; it stays
        // out of any lease.
        election_elapsed_ = randomized_election_timeout_;
      }
    }
  }
  settle();
}

void Core::tick_leader() {
  ++heartbeat_elapsed_;
  ++election_elapsed_;
  for (auto& [id, pr] : progress_) {
    if (id == config_.id) continue;
    if (pr.ticks_since_heard < INT_MAX / 2) ++pr.ticks_since_heard;
    if (pr.catch_up.target.value != 0) ++pr.catch_up.ticks;
    update_catch_up(id, pr);
  }
  if (transferee_ != kNoNode && ++transfer_elapsed_ >= config_.election_ticks) {
    // The target did not take over in time: carry on (or, leaving, step down regardless).
    transferee_ = kNoNode;
    transfer_elapsed_ = 0;
    if (leaving_) {
      become_follower(term_, kNoNode);
      return;
    }
  }
  if (election_elapsed_ >= config_.election_ticks) {
    election_elapsed_ = 0;
    if (config_.check_quorum && !quorum_active()) {
      // Cut off from a majority: stop accepting proposals that cannot commit.
      become_follower(term_, kNoNode);
      return;
    }
  }
  if (heartbeat_elapsed_ >= config_.heartbeat_ticks) {
    heartbeat_elapsed_ = 0;
    // The newest unconfirmed read rides along, so a lost heartbeat round is retried.
    bcast_heartbeat(pending_reads_.empty() ? 0 : pending_reads_.back().round);
  }
}

Result<void> Core::check_can_propose() const {
  if (role_ != Role::kLeader) {
    return make_error(Errc::kUnavailable,
                      "not the leader (leader: " + std::to_string(lead_.value) + ")");
  }
  if (transferee_ != kNoNode) {
    return make_error(Errc::kUnavailable, "leadership transfer to member " +
                                              std::to_string(transferee_.value) + " in progress");
  }
  return {};
}

Result<LogIndex> Core::propose(std::string data) {
  MOVN_TRY(check_can_propose());
  Entry e{LogIndex(0), Term(0), EntryType::kEventBatch, std::move(data)};
  std::uint64_t bytes = entry_bytes(e);
  if (config_.max_uncommitted_bytes != 0 && uncommitted_bytes_ > 0 &&
      uncommitted_bytes_ + bytes > config_.max_uncommitted_bytes) {
    return make_error(Errc::kUnavailable, "too many uncommitted proposals (" +
                                              std::to_string(uncommitted_bytes_) + " bytes)");
  }
  uncommitted_bytes_ += bytes;
  append_entries({std::move(e)});
  bcast_append();
  return log_.last_index();
}

void Core::step(Message&& m) {
  dispatch(m);
  settle();
}

void Core::dispatch(Message& m) {
  if (m.term > term_) {
    if (m.type == MessageType::kVote || m.type == MessageType::kPreVote) {
      // Within the lease of a leader we heard from, ignore would-be disruptors (check-quorum),
      // unless the leader itself asked for this election (leadership transfer).
      bool in_lease = config_.check_quorum && lead_ != kNoNode &&
                      election_elapsed_ < config_.election_ticks;
      bool forced = m.type == MessageType::kVote && m.transfer;
      if (in_lease && !forced) return;
    }
    if (m.type == MessageType::kPreVote) {
      // Never change term for a pre-vote.
    } else if (m.type == MessageType::kPreVoteResp && !m.reject) {
      // The term is bumped when the pre-vote wins.
    } else if (m.type == MessageType::kApp || m.type == MessageType::kHeartbeat) {
      become_follower(m.term, m.from);
    } else {
      become_follower(m.term, kNoNode);
    }
  } else if (m.term < term_) {
    if ((config_.check_quorum || config_.pre_vote) &&
        (m.type == MessageType::kApp || m.type == MessageType::kHeartbeat)) {
      // Tell a stale leader about the newer term, so it steps down.
      Message r;
      r.type = MessageType::kAppResp;
      r.to = m.from;
      r.reject = true;
      r.index = m.index;
      r.reject_hint = log_.last_index();
      send(std::move(r));
    } else if (m.type == MessageType::kPreVote) {
      Message r;
      r.type = MessageType::kPreVoteResp;
      r.to = m.from;
      r.reject = true;
      send(std::move(r));
    }
    return;
  }

  if (m.type == MessageType::kVote || m.type == MessageType::kPreVote) {
    handle_vote_request(m);
    return;
  }
  switch (role_) {
    case Role::kLeader: step_leader(m); break;
    case Role::kPreCandidate:
    case Role::kCandidate: step_candidate(m); break;
    case Role::kFollower: step_follower(m); break;
  }
}

void Core::handle_vote_request(const Message& m) {
  bool pre = m.type == MessageType::kPreVote;
  bool can_vote = vote_ == m.from || (vote_ == kNoNode && lead_ == kNoNode) ||
                  (pre && m.term > term_);
  Message r;
  r.type = pre ? MessageType::kPreVoteResp : MessageType::kVoteResp;
  r.to = m.from;
  if (can_vote && log_.is_up_to_date(m.index, m.log_term)) {
    // The vote is in this Ready's hard state, which the host persists before sending r.
    r.term = m.term;
    if (!pre) {
      election_elapsed_ = 0;
      vote_ = m.from;
    }
  } else {
    r.term = term_;
    r.reject = true;
  }
  send(std::move(r));
}

void Core::step_candidate(Message& m) {
  switch (m.type) {
    case MessageType::kApp:
      become_follower(m.term, m.from);
      handle_append(m);
      return;
    case MessageType::kHeartbeat:
      become_follower(m.term, m.from);
      handle_heartbeat(m);
      return;
    case MessageType::kTimeoutNow:
      // Still in the leader's term (a pre-vote changes no term): the leader wants us to lead.
      if (role_ == Role::kPreCandidate && may_campaign()) start_campaign(false, true);
      return;
    case MessageType::kPreVoteResp:
    case MessageType::kVoteResp: {
      bool pre = role_ == Role::kPreCandidate;
      if ((m.type == MessageType::kPreVoteResp) != pre) return;
      switch (poll(m.from, !m.reject)) {
        case VoteResult::kWon:
          if (pre) {
            start_campaign(false, false);
          } else {
            become_leader();
            bcast_append();
          }
          return;
        case VoteResult::kLost: become_follower(term_, kNoNode); return;
        case VoteResult::kPending: return;
      }
      return;
    }
    default: return;
  }
}

void Core::step_follower(Message& m) {
  switch (m.type) {
    case MessageType::kApp:
      election_elapsed_ = 0;
      lead_ = m.from;
      handle_append(m);
      return;
    case MessageType::kHeartbeat:
      election_elapsed_ = 0;
      lead_ = m.from;
      handle_heartbeat(m);
      return;
    case MessageType::kTimeoutNow:
      // Leadership transfer: campaign now, without pre-vote; a non-voter cannot take over.
      if (may_campaign()) start_campaign(false, true);
      return;
    default: return;
  }
}

void Core::step_leader(Message& m) {
  switch (m.type) {
    case MessageType::kAppResp: handle_append_resp(m); return;
    case MessageType::kHeartbeatResp: handle_heartbeat_resp(m); return;
    case MessageType::kApp:
    case MessageType::kHeartbeat:
      broken("two leaders in term " + std::to_string(term_.value));
      return;
    default: return;
  }
}

// ---- output ----

bool Core::has_ready() const {
  if (awaiting_advance_) return false;
  return !msgs_.empty() || !log_.unstable().empty() || hard_state() != prev_hard_state_ ||
         log_.has_next_committed() || committed_config_.index != reported_config_index_ ||
         !read_states_.empty();
}

LogIndex Core::next_to_hand_out() const { return std::max(log_.applied(), handed_out_).next(); }

Ready Core::ready() {
  assert(!awaiting_advance_);
  Ready rd;
  HardState hs = hard_state();
  ready_changes_term_or_vote_ = hs.term != prev_hard_state_.term || hs.vote != prev_hard_state_.vote;
  if (hs != prev_hard_state_) {
    rd.hard_state = hs;
    prev_hard_state_ = hs;
  }
  ready_term_ = term_;
  ready_vote_ = vote_;
  ready_role_ = role_;
  if (committed_config_.index != reported_config_index_) {
    rd.committed_config = committed_config_;
    reported_config_index_ = committed_config_.index;
  }
  rd.entries_to_persist = log_.unstable();
  rd.messages = std::move(msgs_);
  msgs_.clear();
  rd.committed = hand_out_committed(log_.committed());
  if (!read_states_.empty()) {
    rd.read_states = std::move(read_states_);
    read_states_.clear();
  }
  awaiting_advance_ = true;
  return rd;
}

void Core::advance(const Ready& rd) {
  assert(awaiting_advance_);
  awaiting_advance_ = false;
  // An early Ready taken during the write may have handed out (and the host applied) later ones.
  if (!rd.committed.empty() && rd.committed.back().index > log_.applied()) log_.applied_to(rd.committed.back().index);
  release_uncommitted(rd.committed);
  if (!rd.entries_to_persist.empty()) {
    const Entry& last = rd.entries_to_persist.back();
    log_.stable_to(last.index, last.term);
  }
  // A leader counts its own copy toward a quorum once it is durable.
  if (role_ == Role::kLeader) {
    auto self = progress_.find(config_.id);
    if (self != progress_.end() && self->second.maybe_update(log_.stable_last()) && maybe_commit()) bcast_append();
  }
}

bool Core::early_allowed() const {
  return awaiting_advance_ && !ready_changes_term_or_vote_ && term_ == ready_term_ && vote_ == ready_vote_ &&
         role_ == ready_role_;
}

LogIndex Core::early_committed_end() const { return std::min(log_.committed(), log_.stable_last()); }

bool Core::has_early_ready() const {
  if (!early_allowed()) return false;
  for (const Message& m : msgs_)
    if (!must_follow_persist(m.type) || hook_early_replies()) return true;
  return next_to_hand_out() <= early_committed_end();
}

Ready Core::early_ready() {
  assert(early_allowed());
  Ready rd;
  std::vector<Message> replies;
  for (Message& m : msgs_) {
    if (must_follow_persist(m.type) && !hook_early_replies()) replies.push_back(std::move(m));
    else rd.messages.push_back(std::move(m));
  }
  msgs_ = std::move(replies);
  rd.committed = hand_out_committed(early_committed_end());
  return rd;
}

void Core::advance_early(const Ready& rd) {
  assert(awaiting_advance_);
  if (!rd.committed.empty()) log_.applied_to(rd.committed.back().index);
  release_uncommitted(rd.committed);
}

std::vector<Entry> Core::hand_out_committed(LogIndex end) {
  const LogIndex from = next_to_hand_out();
  if (from > end) return {};
  std::vector<Entry> out = log_.slice(from, end.next(), config_.max_committed_bytes_per_ready);
  if (!out.empty()) handed_out_ = out.back().index;
  return out;
}

void Core::release_uncommitted(const std::vector<Entry>& committed) {
  if (role_ != Role::kLeader) return;
  for (const Entry& e : committed) uncommitted_bytes_ -= std::min(uncommitted_bytes_, entry_bytes(e));
}

}  // namespace movn::raft
