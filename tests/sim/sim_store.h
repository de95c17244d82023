// SimStore: the simulator's stand-in for the RocksDB log store, with the real contract and crash
// semantics: writes land in a page-cache view (what the core reads) and become durable only at
// sync(); crash() drops everything not synced. The committed configuration a Ready reports is
// kept with its hard state, in the same write (docs/adr/0006). Owned by one simulated member;
// single-threaded.
#pragma once

#include <optional>
#include <vector>

#include "eventlog/raft/log_reader.h"

namespace movn::sim {

class SimStore final : public raft::LogReader {
 public:
  LogIndex last_index() const override { return view_.last_index(); }
  Term term(LogIndex index) const override { return view_.term(index); }
  void entries(LogIndex lo, LogIndex hi, std::uint64_t max_bytes,
               std::vector<raft::Entry>& out) const override {
    view_.entries(lo, hi, max_bytes, out);
  }

  // Writes a Ready's hard state, committed configuration and entries (truncating from the first
  // entry's index): visible at once, durable only after sync().
  void write(const raft::Ready& ready);
  void sync();
  // Power loss: the view falls back to what was synced.
  void crash();

  const raft::HardState& hard_state() const { return view_.hard_state(); }
  // The last Ready::committed_config written, for the Core constructor after a restart.
  const std::optional<raft::IndexedConfiguration>& committed_config() const {
    return view_.committed_config();
  }
  const raft::MemoryLog& view() const { return view_; }
  const raft::MemoryLog& durable() const { return durable_; }
  bool has_unsynced() const { return !pending_.empty(); }
  // The view's entries up to this index are durable: written and synced, and not rewritten by a
  // write still waiting for its sync.
  LogIndex synced_through() const;

 private:
  struct Write {
    std::optional<raft::HardState> hard_state;
    std::optional<raft::IndexedConfiguration> committed_config;
    std::vector<raft::Entry> entries;
  };
  raft::MemoryLog view_;
  raft::MemoryLog durable_;
  std::vector<Write> pending_;
};

}  // namespace movn::sim
