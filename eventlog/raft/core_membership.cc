// raft::Core: configurations (kConfig entries take effect when appended, roll back when
// truncated, are reported to the host when committed), single-server changes, the leader's
// view of its members for the role policy (online, catch-up rounds), and the leader's own removal.
#include <algorithm>
#include <cassert>

#include "eventlog/raft/core.h"

namespace movn::raft {

namespace {

std::string entry_name(const Entry& e) {
  return "configuration entry " + std::to_string(e.index.value) + " (term " +
         std::to_string(e.term.value) + ")";
}

}  // namespace

const Configuration& Core::configuration() const {
  return uncommitted_configs_.empty() ? committed_config_.configuration
                                      : uncommitted_configs_.back().configuration;
}

void Core::load_configurations(const LogReader& storage,
                               std::optional<IndexedConfiguration> committed) {
  LogIndex from(1);
  if (committed) {
    if (committed->index > log_.last_index()) {
      broken("the host's committed configuration (index " + std::to_string(committed->index.value) +
             ") is past the end of the log (" + std::to_string(log_.last_index().value) + ")");
    } else if (committed->index > log_.committed()) {
      // The core reported it committed, so it is, even if the host kept an older commit index.
      log_.commit_to(committed->index);
    }
    committed_config_ = std::move(*committed);
    reported_config_index_ = committed_config_.index;
    // The host wrote it with the hard state it recovered: it is the configuration at that commit
    // index, so only the entries above it can hold others.
    from = log_.committed().next();
  } else {
    committed_config_ = IndexedConfiguration{LogIndex(0), voters_configuration(config_.voters)};
  }
  std::vector<Entry> found;
  LogIndex last = storage.last_index();
  if (from <= last) storage.config_entries(from, last.next(), found);
  for (Entry& e : found) {
    auto c = decode_configuration(e.data);
    if (!c.ok()) {
      broken("stored " + entry_name(e) + ": " + c.error().message);
      continue;
    }
    IndexedConfiguration ic{e.index, std::move(c).value()};
    if (e.index <= log_.committed()) {
      committed_config_ = std::move(ic);
    } else {
      uncommitted_configs_.push_back(std::move(ic));
    }
  }
  refresh_configuration();
}

void Core::refresh_configuration() {
  const Configuration& c = configuration();
  quorum_ = c.quorum();
  self_voter_ = c.is_voter(config_.id);
  for (auto& [id, pr] : progress_) pr.voter = c.is_voter(id);
}

bool Core::log_append(std::vector<Entry> entries) {
  if (entries.empty()) return true;
  bool has_config = std::any_of(entries.begin(), entries.end(),
                                [](const Entry& e) { return e.type == EntryType::kConfig; });
  if (!has_config &&
      (uncommitted_configs_.empty() || uncommitted_configs_.back().index < entries.front().index)) {
    log_.truncate_and_append(std::move(entries));  // the common case: no configuration involved
    return true;
  }
  // Decode first: an undecodable configuration leaves the log untouched.
  std::vector<IndexedConfiguration> added;
  for (const Entry& e : entries) {
    if (e.type != EntryType::kConfig) continue;
    auto c = decode_configuration(e.data);
    if (!c.ok()) {
      broken(entry_name(e) + " from member " + std::to_string(lead_.value) + ": " +
             c.error().message);
      return false;
    }
    added.push_back(IndexedConfiguration{e.index, std::move(c).value()});
  }
  LogIndex first = entries.front().index;
  // A truncation rolls back every configuration it removes (Raft dissertation §4.1).
  std::size_t rolled_back = std::erase_if(
      uncommitted_configs_, [first](const IndexedConfiguration& c) { return c.index >= first; });
  log_.truncate_and_append(std::move(entries));
  for (IndexedConfiguration& c : added) uncommitted_configs_.push_back(std::move(c));
  if (rolled_back > 0 || !added.empty()) refresh_configuration();
  return true;
}

void Core::commit_to(LogIndex index) {
  log_.commit_to(index);
  auto it = uncommitted_configs_.begin();
  while (it != uncommitted_configs_.end() && it->index <= log_.committed()) ++it;
  if (it == uncommitted_configs_.begin()) return;
  committed_config_ = std::move(*std::prev(it));
  uncommitted_configs_.erase(uncommitted_configs_.begin(), it);
  settle_needed_ = true;
}

void Core::add_progress_for_members() {
  LogIndex last = log_.last_index();
  auto add = [&](NodeId id) {
    if (progress_.contains(id)) return;
    Progress pr(config_.max_inflight_msgs);
    pr.next = last.next();
    if (id == config_.id) {
      pr.match = log_.stable_last();  // what is durable here; the rest once persisted
      pr.become_replicate();
      pr.recent_active = true;
    } else {
      pr.ticks_since_heard = config_.election_ticks;  // offline until it answers
    }
    progress_.emplace(id, std::move(pr));
  };
  add(config_.id);
  for (const auto& [id, role] : configuration().members) add(id);
  // A member removed by a change not yet committed still gets the entry that removes it, so it
  // learns it is out and stops campaigning.
  for (const auto& [id, role] : committed_config_.configuration.members) add(id);
  refresh_configuration();
}

Result<LogIndex> Core::propose_change(NodeId member, std::optional<MemberRole> role) {
  MOVN_TRY(check_can_propose());
  if (!committed_in_term()) {
    // Until its no-op commits, a new leader may hold an uncommitted change of an earlier term.
    return make_error(Errc::kUnavailable, "the leader has not committed an entry of term " +
                                              std::to_string(term_.value) + " yet");
  }
  if (!uncommitted_configs_.empty()) {
    return make_error(Errc::kConflict, "the configuration change at index " +
                                           std::to_string(uncommitted_configs_.back().index.value) +
                                           " is not committed yet");
  }
  if (member == kNoNode) return make_error(Errc::kInvalidArgument, "member id 0");
  const Configuration& current = configuration();
  std::optional<MemberRole> now = current.role(member);
  std::string name = "member " + std::to_string(member.value);
  if (!role && !now) return make_error(Errc::kNotFound, name + " is not in the configuration");
  if (role && now == role) {
    return make_error(Errc::kAlreadyExists,
                      name + " is already a " + std::string(member_role_name(*role)));
  }
  Configuration next = current.with(member, role);
  if (next.voter_count() == 0) {
    return make_error(Errc::kFailedPrecondition, "the change would leave no voter");
  }
  if (next.members.size() > kMaxConfigurationMembers) {
    return make_error(Errc::kTooLarge,
                      "more than " + std::to_string(kMaxConfigurationMembers) + " members");
  }
  Entry e{LogIndex(0), Term(0), EntryType::kConfig, encode_configuration(next)};
  uncommitted_bytes_ += entry_bytes(e);
  append_entries({std::move(e)});  // takes effect now
  LogIndex index = log_.last_index();
  confirm_reads_after_change();
  add_progress_for_members();
  bcast_append();
  settle();
  return index;
}

void Core::settle() {
  if (role_ != Role::kLeader) return;
  if (!held_reads_.empty() && committed_in_term()) {
    std::vector<std::uint64_t> held;
    held.swap(held_reads_);
    bool confirm = false;
    for (std::uint64_t ctx : held) confirm |= start_read(ctx);
    if (confirm) bcast_heartbeat(pending_reads_.back().round);
  }
  if (!settle_needed_) return;
  settle_needed_ = false;
  const Configuration& current = configuration();
  const Configuration& committed = committed_config_.configuration;
  // A member whose removal committed gets nothing more.
  for (auto it = progress_.begin(); it != progress_.end();) {
    bool keep =
        it->first == config_.id || current.contains(it->first) || committed.contains(it->first);
    it = keep ? std::next(it) : progress_.erase(it);
  }
  if (!leaving_ && uncommitted_configs_.empty() && !current.is_voter(config_.id)) {
    // The leader's own removal (or demotion) committed: hand over to the most up-to-date voter
    // (it needs the fewest entries to catch up), then step down (docs/adr/0006).
    leaving_ = true;
    NodeId best;
    LogIndex best_match;
    for (const auto& [id, pr] : progress_) {
      if (!current.is_voter(id)) continue;
      if (best == kNoNode || pr.match > best_match) {
        best = id;
        best_match = pr.match;
      }
    }
    if (best == kNoNode) {
      become_follower(term_, kNoNode);
      return;
    }
    start_transfer(best);
  }
  if (leaving_ && handed_over_) become_follower(term_, kNoNode);
}

// ---- the role policy's view ----

void Core::update_catch_up(NodeId id, Progress& pr) {
  CatchUp& cu = pr.catch_up;
  bool online = pr.ticks_since_heard < config_.election_ticks;
  if (id == config_.id || pr.voter || !online) {
    cu = CatchUp{};
    return;
  }
  if (cu.given_up) return;
  if (cu.target.value == 0) {
    cu.target = log_.last_index();
    cu.ticks = 0;
    cu.rounds = 1;
    return;
  }
  if (pr.match < cu.target) {
    if (cu.ticks > config_.election_ticks) cu.caught_up = false;  // this round is too slow
    return;
  }
  // The round ended: quick enough means caught up; too many slow rounds in a row, give up.
  cu.caught_up = cu.ticks <= config_.election_ticks;
  if (cu.caught_up) {
    cu.rounds = 0;
  } else if (cu.rounds >= CatchUp::kMaxCatchUpRounds) {
    cu.given_up = true;
    return;
  }
  cu.target = log_.last_index();
  cu.ticks = 0;
  ++cu.rounds;
}

std::vector<MemberStatus> Core::member_statuses() const {
  std::vector<MemberStatus> out;
  if (role_ != Role::kLeader) return out;
  for (const auto& [id, role] : configuration().members) {
    MemberStatus s;
    s.id = id;
    s.role = role;
    auto it = progress_.find(id);
    assert(it != progress_.end());
    const Progress& pr = it->second;
    s.match = pr.match;
    if (id == config_.id) {
      s.online = true;
      s.caught_up = true;
    } else {
      s.online = pr.ticks_since_heard < config_.election_ticks;
      s.caught_up = role == MemberRole::kVoter || pr.catch_up.caught_up;
    }
    out.push_back(s);
  }
  return out;
}

std::optional<RoleChange> Core::next_role_change() const {
  if (role_ != Role::kLeader || transferee_ != kNoNode || leaving_ ||
      !uncommitted_configs_.empty() || !committed_in_term()) {
    return std::nullopt;
  }
  return plan_role_change(member_statuses(), config_.id, config_.role_targets);
}

}  // namespace movn::raft
