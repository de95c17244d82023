#include "eventlog/raft/raft_log.h"

#include <algorithm>
#include <cassert>

namespace movn::raft {

RaftLog::RaftLog(const LogReader& storage, LogIndex committed, LogIndex applied)
    : storage_(storage),
      offset_(storage.last_index().next()),
      committed_(committed),
      applied_(applied) {
  assert(committed_ <= storage_.last_index());
  assert(applied_ <= committed_);
}

LogIndex RaftLog::last_index() const {
  return LogIndex(offset_.value + unstable_.size() - 1);
}

Term RaftLog::term(LogIndex index) const {
  if (index.value == 0 || index > last_index()) return Term(0);
  if (index >= offset_) return unstable_[index.value - offset_.value].term;
  return storage_.term(index);
}

bool RaftLog::is_up_to_date(LogIndex last_index, Term last_term) const {
  Term ours = this->last_term();
  return last_term > ours || (last_term == ours && last_index >= this->last_index());
}

LogIndex RaftLog::find_conflict(const std::vector<Entry>& entries) const {
  for (const Entry& e : entries) {
    if (!match_term(e.index, e.term)) return e.index;
  }
  return LogIndex(0);
}

std::pair<LogIndex, Term> RaftLog::find_conflict_by_term(LogIndex index, Term term) const {
  index = std::min(index, last_index());
  while (index.value > 0) {
    Term t = this->term(index);
    if (t <= term) return {index, t};
    index = index.prev();
  }
  return {LogIndex(0), Term(0)};
}

void RaftLog::truncate_and_append(std::vector<Entry> entries) {
  if (entries.empty()) return;
  LogIndex after = entries.front().index;
  assert(after > committed_);
  assert(after <= last_index().next());
  if (after == last_index().next()) {
    // Plain append.
  } else if (after <= offset_) {
    // Replaces the unstable tail and hides persisted entries from `after` on; the host truncates
    // them when it persists this Ready.
    offset_ = after;
    unstable_.clear();
  } else {
    unstable_.resize(after.value - offset_.value);
  }
  for (Entry& e : entries) unstable_.push_back(std::move(e));
}

void RaftLog::commit_to(LogIndex index) {
  if (index <= committed_) return;
  assert(index <= last_index());
  committed_ = index;
}

void RaftLog::applied_to(LogIndex index) {
  if (index.value == 0) return;
  assert(index <= committed_ && index >= applied_);
  applied_ = index;
}

std::vector<Entry> RaftLog::slice(LogIndex lo, LogIndex hi, std::uint64_t max_bytes) const {
  std::vector<Entry> out;
  slice_into(lo, hi, max_bytes, false, out);
  return out;
}

bool RaftLog::slice_for_send(LogIndex lo, LogIndex hi, std::uint64_t max_bytes, std::vector<Entry>& out) const {
  return slice_into(lo, hi, max_bytes, true, out);
}

bool RaftLog::slice_into(LogIndex lo, LogIndex hi, std::uint64_t max_bytes, bool fetch,
                         std::vector<Entry>& out) const {
  assert(lo.value >= 1 && lo <= hi && hi <= last_index().next());
  if (lo == hi) return true;
  if (lo < offset_) {
    if (fetch) {
      if (!storage_.fetch(lo, std::min(hi, offset_), max_bytes, out)) {
        out.clear();
        return false;
      }
    } else {
      storage_.entries(lo, std::min(hi, offset_), max_bytes, out);
    }
    if (hi <= offset_ || out.empty() || out.back().index.next() < offset_) return true;
  }
  std::uint64_t bytes = 0;
  for (const Entry& e : out) bytes += entry_bytes(e);
  for (std::uint64_t i = std::max(lo, offset_).value; i < hi.value; ++i) {
    const Entry& e = unstable_[i - offset_.value];
    bytes += entry_bytes(e);
    if (!out.empty() && bytes > max_bytes) break;
    out.push_back(e);
  }
  return true;
}

void RaftLog::stable_to(LogIndex index, Term term) {
  if (index < offset_ || index > last_index()) return;
  if (unstable_[index.value - offset_.value].term != term) return;
  unstable_.erase(unstable_.begin(), unstable_.begin() + (index.value - offset_.value + 1));
  offset_ = index.next();
}

}  // namespace movn::raft
