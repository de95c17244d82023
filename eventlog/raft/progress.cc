#include "eventlog/raft/progress.h"

#include <algorithm>
#include <cassert>

namespace movn::raft {

void Inflights::add(LogIndex last) {
  assert(!full());
  assert(last_indexes_.empty() || last_indexes_.back() <= last);
  last_indexes_.push_back(last);
}

void Inflights::free_le(LogIndex index) {
  while (!last_indexes_.empty() && last_indexes_.front() <= index) last_indexes_.pop_front();
}

void Inflights::free_first_one() {
  if (!last_indexes_.empty()) last_indexes_.pop_front();
}

void Progress::become_probe() {
  state = ProgressState::kProbe;
  next = match.next();
  probe_sent = false;
  stalled_heartbeats = 0;
  inflights.reset();
}

void Progress::become_replicate() {
  state = ProgressState::kReplicate;
  next = match.next();
  probe_sent = false;
  stalled_heartbeats = 0;
  inflights.reset();
}

bool Progress::maybe_update(LogIndex index) {
  bool updated = false;
  if (match < index) {
    match = index;
    updated = true;
    probe_sent = false;
    stalled_heartbeats = 0;
  }
  next = std::max(next, index.next());
  return updated;
}

bool Progress::maybe_decr_to(LogIndex rejected, LogIndex hint) {
  if (state == ProgressState::kReplicate) {
    // Stale if it rejects something already matched; otherwise fall back to match + 1.
    if (rejected <= match) return false;
    next = match.next();
    return true;
  }
  // Probe: only the reply to the outstanding probe counts.
  if (next.prev() != rejected) return false;
  next = std::max(std::min(rejected, hint.next()), match.next());
  if (next.value < 1) next = LogIndex(1);
  probe_sent = false;
  return true;
}

void Progress::sent_entries(std::size_t n_entries, LogIndex last) {
  if (state == ProgressState::kReplicate) {
    if (n_entries > 0) {
      next = last.next();
      inflights.add(last);
    }
  } else {
    probe_sent = true;
  }
}

bool Progress::is_paused() const {
  if (awaiting_entries) return true;
  return state == ProgressState::kProbe ? probe_sent : inflights.full();
}

}  // namespace movn::raft
