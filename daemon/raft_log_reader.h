// StoreLogReader: the Raft core's read-only view of the persisted log in the RocksDB store
// (raft::LogReader over eventlog::Store). Owned by the Node; used on the core thread only.
// The storage thread writes the store concurrently, so this reader keeps its own idea of what is
// persisted: the Node reports each completed write through persisted(), on the core thread.
// The core reads only indexes below its unstable tail, which no write in flight rewrites.
// The most recent entries are kept in memory (a follower a little behind is sent them without a
// store read); older ones are read from the store: on the core thread when it applies them (at
// start-up) or looks up a term, off it for a peer that catches up (host::CatchUpReader).
#pragma once

#include <deque>
#include <functional>
#include <vector>

#include "common/result.h"
#include "eventlog/raft/log_reader.h"
#include "eventlog/store.h"

namespace movn::daemon {

// Appends the stored entries [lo, hi) to out: at most max_bytes (raft::entry_bytes) of them, but
// at least one when lo < hi. Any thread that may read the store.
Result<void> read_entries(const eventlog::Store& store, LogIndex lo, LogIndex hi, std::uint64_t max_bytes,
                          std::vector<raft::Entry>& out);

class StoreLogReader final : public raft::LogReader {
 public:
  // `fail` is called when the store cannot be read (fail-stop); the reader then answers Term(0)
  // or no entries.
  StoreLogReader(const eventlog::Store& store, std::function<void(const Error&)> fail);

  LogIndex last_index() const override { return last_; }
  Term term(LogIndex index) const override;
  void entries(LogIndex lo, LogIndex hi, std::uint64_t max_bytes,
               std::vector<raft::Entry>& out) const override;

  // A write of `entries` completed (it replaced any stored entries at or above the first).
  void persisted(const std::vector<raft::Entry>& entries);
  // Entries at or above this index are answered from memory.
  LogIndex cached_from() const { return recent_.empty() ? last_.next() : recent_.front().index; }

  // Terms of the most recent entries kept in memory (the leader reads them for every append).
  static constexpr std::size_t kRecentTerms = 4096;
  // The most recent entries kept in memory, at most this many bytes (raft::entry_bytes).
  static constexpr std::uint64_t kRecentBytes = 4 << 20;

 private:
  const eventlog::Store& store_;
  std::function<void(const Error&)> fail_;
  LogIndex last_;
  LogIndex recent_first_;   // index of recent_terms_[0]
  std::deque<Term> recent_terms_;
  std::deque<raft::Entry> recent_;  // contiguous, ending at last_
  std::uint64_t recent_bytes_ = 0;
};

}  // namespace movn::daemon
