// RaftLog: the core's view of the log: the persisted part (through LogReader) plus the unstable
// tail not yet handed to and persisted by the host, and the commit and applied indexes.
// Owned by raft::Core; single-threaded, pure (reads only the host's LogReader).
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "eventlog/raft/log_reader.h"

namespace movn::raft {

class RaftLog {
 public:
  RaftLog(const LogReader& storage, LogIndex committed, LogIndex applied);

  LogIndex last_index() const;
  Term last_term() const { return term(last_index()); }
  // Term of the entry at index; Term(0) for index 0 and for indexes past the end.
  Term term(LogIndex index) const;
  bool match_term(LogIndex index, Term term) const { return this->term(index) == term; }
  // Raft §5.4.1: a candidate's log (last_index, last_term) is at least as up to date as ours.
  bool is_up_to_date(LogIndex last_index, Term last_term) const;

  LogIndex committed() const { return committed_; }
  LogIndex applied() const { return applied_; }

  // The first index in entries whose term differs from ours (a conflict, or a new entry);
  // LogIndex(0) when all of them are already here.
  LogIndex find_conflict(const std::vector<Entry>& entries) const;
  // The largest index <= index whose term is <= term, with that term (for fast back-off).
  std::pair<LogIndex, Term> find_conflict_by_term(LogIndex index, Term term) const;

  // Appends entries (contiguous), truncating the unstable/persisted tail from their first index.
  // The caller guarantees entries.front().index > committed().
  void truncate_and_append(std::vector<Entry> entries);
  void commit_to(LogIndex index);
  void applied_to(LogIndex index);

  // Entries [lo, hi) limited to max_bytes (at least one when lo < hi).
  std::vector<Entry> slice(LogIndex lo, LogIndex hi, std::uint64_t max_bytes) const;
  // The same for what the leader sends a peer, through LogReader::fetch: false when the
  // persisted part is not in memory yet (`out` is then empty).
  bool slice_for_send(LogIndex lo, LogIndex hi, std::uint64_t max_bytes, std::vector<Entry>& out) const;

  // The unstable tail (not yet persisted by the host).
  const std::vector<Entry>& unstable() const { return unstable_; }
  // The last index of the persisted part (everything below the unstable tail).
  LogIndex stable_last() const { return offset_.prev(); }
  // The host persisted entries up to (index, term): drop them from the unstable tail, unless
  // the tail was rewritten in the meantime.
  void stable_to(LogIndex index, Term term);

  bool has_next_committed() const { return applied_ < committed_; }

 private:
  bool slice_into(LogIndex lo, LogIndex hi, std::uint64_t max_bytes, bool fetch, std::vector<Entry>& out) const;

  const LogReader& storage_;
  LogIndex offset_;  // index of unstable_[0]; entries below come from storage_
  std::vector<Entry> unstable_;
  LogIndex committed_;
  LogIndex applied_;
};

}  // namespace movn::raft
