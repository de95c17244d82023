// TestCluster: a few raft::Core members wired by an in-memory, synchronous network for unit tests.
// Owned by raft_test; single-threaded. Each member persists into a MemoryLog (always durable).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "eventlog/raft/core.h"

namespace movn::raft::testing {

class TestCluster {
 public:
  explicit TestCluster(int members, std::function<void(Config&)> tweak = {});

  Core& node(std::uint64_t id) { return *cores_.at(id); }
  MemoryLog& storage(std::uint64_t id) { return *logs_.at(id); }
  const std::vector<Entry>& applied(std::uint64_t id) { return applied_[id]; }

  // Rebuilds a member from its storage (as after a crash; MemoryLog keeps everything persisted),
  // with the committed configuration the storage kept unless forget_committed_config.
  void restart(std::uint64_t id);
  bool forget_committed_config = false;
  // Every ReadState handed out, in order, per member.
  const std::vector<ReadState>& read_states(std::uint64_t id) { return read_states_[id]; }
  // Ticks every member once and stabilizes, n times.
  void tick_all(int n = 1);
  // Handles one Ready of a member: persist, queue messages, apply, advance. False if none.
  bool process(std::uint64_t id);
  // Processes and delivers until nothing moves.
  void stabilize();
  void tick(std::uint64_t id, int n = 1);
  // Ticks a member until it starts an election, then stabilizes.
  void elect(std::uint64_t id);

  void isolate(std::uint64_t id) { isolated_.insert(id); }
  void heal() { isolated_.clear(); }

  // Catch-up reads off the core thread (LogReader::fetch): while set, a member's fetch of entries
  // below this index answers "not yet" and records the read, until complete_fetches() finishes
  // every recorded read and tells the core (Core::entries_fetched).
  std::map<std::uint64_t, LogIndex> fetch_below;
  std::size_t fetches_waiting(std::uint64_t id) const;
  void complete_fetches(std::uint64_t id);

  // Return false to drop a message; may also edit it.
  std::function<bool(Message&)> filter;
  // Every message sent (after persistence), in order, including dropped ones.
  std::vector<Message> sent;
  // Every Ready handed out, in order, per member.
  std::map<std::uint64_t, std::vector<Ready>> readies;

 private:
  void deliver_all();

  // Each member's LogReader: its MemoryLog, with the fetch policy above.
  class Reader final : public LogReader {
   public:
    Reader(TestCluster& c, std::uint64_t id) : c_(c), id_(id) {}
    LogIndex last_index() const override { return c_.logs_.at(id_)->last_index(); }
    Term term(LogIndex index) const override { return c_.logs_.at(id_)->term(index); }
    void entries(LogIndex lo, LogIndex hi, std::uint64_t max_bytes, std::vector<Entry>& out) const override {
      c_.logs_.at(id_)->entries(lo, hi, max_bytes, out);
    }
    bool fetch(LogIndex lo, LogIndex hi, std::uint64_t max_bytes, std::vector<Entry>& out) const override;
    mutable std::set<LogIndex> waiting;  // reads started
    std::set<LogIndex> fetched;          // reads done: in memory now

   private:
    TestCluster& c_;
    std::uint64_t id_;
  };

  std::function<void(Config&)> tweak_;
  int members_;
  std::map<std::uint64_t, std::unique_ptr<MemoryLog>> logs_;
  std::map<std::uint64_t, std::unique_ptr<Reader>> readers_;
  std::map<std::uint64_t, std::unique_ptr<Core>> cores_;
  std::map<std::uint64_t, std::vector<Entry>> applied_;
  std::map<std::uint64_t, std::vector<ReadState>> read_states_;
  std::vector<Message> queue_;
  std::set<std::uint64_t> isolated_;
};

Entry make_entry(std::uint64_t index, std::uint64_t term, std::string data = "x");

}  // namespace movn::raft::testing
