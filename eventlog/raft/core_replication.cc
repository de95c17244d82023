// raft::Core: log replication: follower handling of App/Heartbeat, leader progress tracking,
// flow control (probe/replicate, inflights, byte-limited batches) and the commit rule.
#include <algorithm>
#include <cassert>

#include "eventlog/raft/core.h"

namespace movn::raft {

// Heartbeat rejections in a row (replicate state, no progress) before probing again.
constexpr int kStalledHeartbeatsToProbe = 3;

// ---- follower side ----

void Core::handle_append(Message& m) {
  Message r;
  r.type = MessageType::kAppResp;
  r.to = m.from;
  if (m.index < log_.committed()) {
    // Everything up to our commit index is known to match.
    r.index = log_.committed();
    send(std::move(r));
    return;
  }
  if (log_.match_term(m.index, m.log_term)) {
    LogIndex last_new(m.index.value + m.entries.size());
    LogIndex conflict = log_.find_conflict(m.entries);
    if (conflict.value != 0) {
      if (conflict <= log_.committed()) {
        broken("leader " + std::to_string(m.from.value) + " overwrites committed entry " +
               std::to_string(conflict.value));
        return;
      }
      std::vector<Entry> tail(std::make_move_iterator(m.entries.begin() +
                                                      (conflict.value - m.index.value - 1)),
                              std::make_move_iterator(m.entries.end()));
      if (!log_append(std::move(tail))) return;
    }
    commit_to(std::min(m.commit, last_new));
    // Only prev + n_entries is known to match the leader: entries past it may be stale (bug 1).
    r.index = hook_reply_with_last_index() ? log_.last_index() : last_new;
    send(std::move(r));
    return;
  }
  auto [hint, hint_term] =
      log_.find_conflict_by_term(std::min(m.index, log_.last_index()), m.log_term);
  r.index = m.index;
  r.reject = true;
  r.reject_hint = hint;
  r.log_term = hint_term;
  send(std::move(r));
}

void Core::handle_heartbeat(const Message& m) {
  // A heartbeat is an empty App: it proves a match at (index, log_term) and nothing beyond.
  Message r;
  r.type = MessageType::kHeartbeatResp;
  r.to = m.from;
  // Echoed whether or not the logs match: either way it acknowledges this leader (ReadIndex).
  r.context = m.context;
  if (log_.match_term(m.index, m.log_term) && m.index <= log_.last_index()) {
    commit_to(std::min(m.commit, m.index));
    r.index = hook_reply_with_last_index() ? log_.last_index() : m.index;
  } else {
    r.index = m.index;
    r.reject = true;
  }
  send(std::move(r));
}

// ---- leader side ----

void Core::handle_append_resp(const Message& m) {
  auto it = progress_.find(m.from);
  if (it == progress_.end() || m.from == config_.id) return;
  Progress& pr = it->second;
  pr.recent_active = true;
  pr.ticks_since_heard = 0;
  if (m.reject) {
    LogIndex next_probe = m.reject_hint;
    if (m.log_term.value > 0) {
      next_probe = log_.find_conflict_by_term(m.reject_hint, m.log_term).first;
    }
    if (pr.maybe_decr_to(m.index, next_probe)) {
      if (pr.state == ProgressState::kReplicate) pr.become_probe();
      maybe_send_append(m.from, true);
    }
    return;
  }
  on_ack(m.from, pr, m.index, pr.is_paused());
  update_catch_up(m.from, pr);
  maybe_send_timeout_now(m.from, pr);
}

void Core::handle_heartbeat_resp(const Message& m) {
  auto it = progress_.find(m.from);
  if (it == progress_.end() || m.from == config_.id) return;
  Progress& pr = it->second;
  pr.recent_active = true;
  pr.ticks_since_heard = 0;
  pr.probe_sent = false;
  if (m.context != 0) on_read_ack(m.from, m.context);
  if (pr.state == ProgressState::kReplicate && pr.inflights.full()) pr.inflights.free_first_one();
  if (!m.reject) {
    on_ack(m.from, pr, m.index, false);
  } else if (pr.state == ProgressState::kReplicate &&
             ++pr.stalled_heartbeats >= kStalledHeartbeatsToProbe) {
    // The follower still lacks what we sent several heartbeats ago: an App was lost. The
    // transport may drop and reorder, so fall back to probing from the known match.
    pr.become_probe();
  }
  update_catch_up(m.from, pr);
  maybe_send_timeout_now(m.from, pr);
  if (pr.match >= log_.last_index()) return;
  if (pr.state == ProgressState::kProbe) {
    maybe_send_append(m.from, true);
  } else {
    while (maybe_send_append(m.from, false)) {
    }
  }
}

void Core::on_ack(NodeId from, Progress& pr, LogIndex index, bool was_paused) {
  if (!pr.maybe_update(index)) return;
  if (pr.state == ProgressState::kProbe) {
    pr.become_replicate();
  } else {
    pr.inflights.free_le(index);
  }
  if (maybe_commit()) {
    bcast_append();
  } else if (was_paused) {
    maybe_send_append(from, true);
  }
  while (maybe_send_append(from, false)) {
  }
}

void Core::append_entries(std::vector<Entry> entries) {
  LogIndex index = log_.last_index();
  for (Entry& e : entries) {
    index = index.next();
    e.index = index;
    e.term = term_;
  }
  bool appended = log_append(std::move(entries));
  assert(appended);  // the leader encodes its own configurations
  (void)appended;
  // The leader's own match moves only once the host has persisted the entries (advance()): it
  // sends them to its followers while its own write runs (docs/design.md §4).
  if (hook_self_match_on_append()) {
    progress_.at(config_.id).maybe_update(log_.last_index());
    maybe_commit();
  }
}

bool Core::maybe_send_append(NodeId to, bool send_if_empty) {
  Progress& pr = progress_.at(to);
  if (pr.is_paused()) return false;
  LogIndex last = log_.last_index();
  // Only a planted bug 1 can push next past our log; keep the core well-defined anyway.
  if (pr.next > last.next()) pr.next = last.next();
  Message m;
  m.type = MessageType::kApp;
  m.to = to;
  m.index = pr.next.prev();
  // The entries first: a reader that fetched them knows the term before them too.
  if (pr.next <= last && !log_.slice_for_send(pr.next, last.next(), config_.max_append_bytes, m.entries)) {
    pr.awaiting_entries = true;  // until entries_fetched()
    return false;
  }
  if (m.entries.empty() && !send_if_empty) return false;
  m.log_term = log_.term(m.index);
  m.commit = log_.committed();
  std::size_t n = m.entries.size();
  LogIndex sent_last = n ? m.entries.back().index : m.index;
  send(std::move(m));
  pr.sent_entries(n, sent_last);
  return true;
}

void Core::entries_fetched() {
  for (auto& [id, pr] : progress_) {
    if (!pr.awaiting_entries) continue;
    pr.awaiting_entries = false;
    if (role_ != Role::kLeader || id == config_.id) continue;
    if (pr.state == ProgressState::kProbe) {
      maybe_send_append(id, true);
    } else {
      while (maybe_send_append(id, false)) {
      }
    }
  }
}

// Every member gets the log, whatever its role (the log is the product).
void Core::bcast_append() {
  for (const auto& [id, pr] : progress_) {
    if (id != config_.id) maybe_send_append(id, true);
  }
}

void Core::bcast_heartbeat(std::uint64_t context) {
  LogIndex last = log_.last_index();
  for (const auto& [id, pr] : progress_) {
    if (id == config_.id) continue;
    Message m;
    m.type = MessageType::kHeartbeat;
    m.to = id;
    m.index = std::min(pr.next.prev(), last);
    m.log_term = log_.term(m.index);
    m.commit = log_.committed();
    m.context = context;
    send(std::move(m));
  }
}

// Only the voters of the configuration in effect count, the leader included only if it is one
// (a leader whose removal is pending manages a group it is not part of).
bool Core::maybe_commit() {
  std::vector<LogIndex> matches;
  matches.reserve(progress_.size());
  for (const auto& [id, pr] : progress_) {
    if (pr.voter) matches.push_back(pr.match);
  }
  if (matches.size() < quorum_) return false;
  std::sort(matches.begin(), matches.end(), std::greater<>());
  LogIndex mci = std::min(matches[quorum_ - 1], log_.last_index());
  if (mci <= log_.committed()) return false;
  // Figure 8: counting replicas commits only an entry of the current term (bug 2 otherwise).
  if (!hook_commit_old_terms() && log_.term(mci) != term_) return false;
  commit_to(mci);
  return true;
}

bool Core::quorum_active() {
  std::size_t active = 0;
  for (auto& [id, pr] : progress_) {
    if (pr.voter && (id == config_.id || pr.recent_active)) ++active;
    if (id != config_.id) pr.recent_active = false;
  }
  return active >= quorum_;
}

}  // namespace movn::raft
