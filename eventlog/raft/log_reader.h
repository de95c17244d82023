// LogReader: the read-only view of the persisted Raft log that the host gives the core
// (like etcd's Storage). Owned by the host; the core only reads it, from the host's one core thread.
// Storage model: the core keeps entries not yet persisted in its own "unstable" tail and hands
// them out in Ready; once the host calls advance(), the core reads them back through this interface.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "eventlog/raft/message.h"

namespace movn::raft {

class LogReader {
 public:
  virtual ~LogReader() = default;
  // Index of the last persisted entry; 0 when the log is empty. The log starts at index 1 and is
  // never compacted (docs/design.md §2a).
  virtual LogIndex last_index() const = 0;
  // Term of the persisted entry at index (1 <= index <= last_index()).
  virtual Term term(LogIndex index) const = 0;
  // Appends the persisted entries [lo, hi) to out, stopping once max_bytes would be exceeded,
  // but always at least one entry when lo < hi (1 <= lo <= hi <= last_index() + 1).
  virtual void entries(LogIndex lo, LogIndex hi, std::uint64_t max_bytes,
                       std::vector<Entry>& out) const = 0;
  // Appends the persisted EntryType::kConfig entries with lo <= index < hi to out, in order
  // (read once, at start-up). This default reads every entry in the range; a store that can
  // find configuration entries faster overrides it.
  virtual void config_entries(LogIndex lo, LogIndex hi, std::vector<Entry>& out) const;
  // What a leader sends a peer: like entries(), but it may return fewer entries than the range
  // holds (at least one), or return false with `out` untouched when they are not in memory: the
  // reader has then started reading them elsewhere, and the host calls Core::entries_fetched()
  // once that read (or another one) is done, so every false is followed by such a call. The core
  // pauses that peer meanwhile. This default reads at once.
  virtual bool fetch(LogIndex lo, LogIndex hi, std::uint64_t max_bytes, std::vector<Entry>& out) const {
    entries(lo, hi, max_bytes, out);
    return true;
  }
};

// Appends the entries of `log` (contiguous, in index order) within [lo, hi) to out: at most
// max_bytes of them (entry_bytes) but at least one if any: the rule of LogReader::entries, for
// readers that keep entries in memory.
template <class Entries>
void copy_range(const Entries& log, LogIndex lo, LogIndex hi, std::uint64_t max_bytes, std::vector<Entry>& out) {
  if (log.empty() || lo < log.front().index) return;
  const std::size_t before = out.size();
  std::uint64_t bytes = 0;
  for (std::size_t i = lo.value - log.front().index.value; i < log.size() && log[i].index < hi; ++i) {
    bytes += entry_bytes(log[i]);
    if (out.size() > before && bytes > max_bytes) break;
    out.push_back(log[i]);
  }
}

// A LogReader over a vector: the unit tests' and the benchmark's storage, and the page-cache view
// of the simulator's store. Single-threaded.
class MemoryLog final : public LogReader {
 public:
  LogIndex last_index() const override { return LogIndex(entries_.size()); }
  Term term(LogIndex index) const override;
  void entries(LogIndex lo, LogIndex hi, std::uint64_t max_bytes,
               std::vector<Entry>& out) const override;

  // Truncates from the first entry's index, then appends (the Ready contract).
  void append(const std::vector<Entry>& entries);
  void truncate_from(LogIndex index);
  // Persists a Ready's hard state, committed configuration and entries (no sync notion here:
  // always durable).
  void persist(const Ready& ready);

  const HardState& hard_state() const { return hard_state_; }
  void set_hard_state(const HardState& hs) { hard_state_ = hs; }
  const std::optional<IndexedConfiguration>& committed_config() const { return committed_config_; }
  void set_committed_config(std::optional<IndexedConfiguration> c) {
    committed_config_ = std::move(c);
  }
  const std::vector<Entry>& all() const { return entries_; }
  const Entry& at(LogIndex index) const { return entries_[index.value - 1]; }

 private:
  std::vector<Entry> entries_;
  HardState hard_state_;
  std::optional<IndexedConfiguration> committed_config_;
};

}  // namespace movn::raft
