// CatchUpReader: the Raft core's LogReader in the host loop. It answers from the store's reader
// (LogStore::reader), except for what a leader sends a peer that is catching up: entries below
// the store's in-memory part (LogStore::cached_from) are read off the core thread
// (LogStore::read), in chunks of a few appends, and the core pauses that peer until they are
// here (raft::LogReader::fetch, raft::Core::entries_fetched). A write that replaces entries
// makes the chunks and the reads in flight that overlap them stale: they are dropped, and read
// again if they are still wanted. Owned by the Node; core thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "host/seams.h"

namespace movn::host {

class CatchUpReader final : public raft::LogReader {
 public:
  // `on_fetched` runs on the core thread after each read completes (the Node resumes the core);
  // `fail_stop` gets a read's error.
  CatchUpReader(LogStore& log, std::function<void()> on_fetched, std::function<void(const Error&)> fail_stop);

  LogIndex last_index() const override { return log_.reader().last_index(); }
  Term term(LogIndex index) const override;
  void entries(LogIndex lo, LogIndex hi, std::uint64_t max_bytes, std::vector<raft::Entry>& out) const override {
    log_.reader().entries(lo, hi, max_bytes, out);
  }
  void config_entries(LogIndex lo, LogIndex hi, std::vector<raft::Entry>& out) const override {
    log_.reader().config_entries(lo, hi, out);
  }
  bool fetch(LogIndex lo, LogIndex hi, std::uint64_t max_bytes, std::vector<raft::Entry>& out) const override;

  // A write that replaced the entries at and above `first` completed.
  void replaced_from(LogIndex first);

  std::size_t reads_in_flight() const { return reading_.size(); }
  std::size_t chunks() const { return chunks_.size(); }
  std::uint64_t reads_started() const { return reads_started_; }

  // A read covers this many appends' worth of bytes; chunks kept and reads in flight are bounded
  // (the oldest chunk goes first).
  static constexpr std::uint64_t kAppendsPerRead = 4;
  static constexpr std::size_t kMaxChunks = 8;
  static constexpr std::size_t kMaxReadsInFlight = 4;

 private:
  struct Chunk {
    Term prev_term;                   // the term of the entry before the first
    std::vector<raft::Entry> entries;  // contiguous, not empty
  };
  struct Reading {
    LogIndex hi;         // the read covers [lo, hi)
    bool stale = false;  // a write replaced part of it meanwhile
  };
  void start_read(LogIndex lo, LogIndex hi, std::uint64_t max_bytes);
  void on_read(LogIndex lo, Result<std::vector<raft::Entry>> r);
  // The chunk holding the entry at `index`, or null.
  const Chunk* chunk_of(LogIndex index) const;

  LogStore& log_;
  CatchUpReader* self_;  // fetch() is const to the core, but starts reads that fill the cache
  std::function<void()> on_fetched_;
  std::function<void(const Error&)> fail_stop_;
  std::map<LogIndex, Chunk> chunks_;         // by the index before the first entry (lo - 1)
  std::vector<LogIndex> chunk_order_;        // keys of chunks_, oldest first
  std::map<LogIndex, Reading> reading_;      // reads in flight, by lo
  std::uint64_t reads_started_ = 0;
};

}  // namespace movn::host
