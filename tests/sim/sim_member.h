// Simulator::Member: one simulated machine: its store, and while it is up the real host loop
// (host::Node) built from the simulator's parts for the seams of host/seams.h: SimLog over the
// crash-lossy SimStore, the fake network, a task queue as the executor, the fake clock, and an
// observer that reports to the checker. Private to the simulator's .cc files; single-threaded.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "host/node.h"
#include "tests/sim/simulator.h"

namespace movn::sim {

// A digest of the applied state: equal on every member at an equal applied index.
std::string state_digest(const projections::State& state);

// "Later on the core thread": a queue the simulator drains after every input to the member.
class SimExecutor final : public host::Executor {
 public:
  void post(std::function<void()> fn) override { queue_.push_back(std::move(fn)); }
  bool run_one() {
    if (queue_.empty()) return false;
    auto fn = std::move(queue_.front());
    queue_.pop_front();
    fn();
    return true;
  }
  void clear() { queue_.clear(); }

 private:
  std::deque<std::function<void()>> queue_;
};

class SimClock final : public Clock {
 public:
  explicit SimClock(const std::uint64_t& now) : now_(now) {}
  // One millisecond of cluster time per tick (the workload's token lifetimes count on it).
  std::uint64_t now_ms() const override { return now_; }

 private:
  const std::uint64_t& now_;
};

struct Simulator::Member {
  std::uint64_t id = 0;
  raft::Configuration initial;  // the initial voters, or none (a machine outside them)
  SimStore store;
  SimExecutor executor;
  std::unique_ptr<host::LogStore> log;
  std::unique_ptr<host::Transport> transport;
  std::unique_ptr<host::Observer> observer;
  std::unique_ptr<host::Node> node;  // null while down
  LogIndex applied;
  std::uint64_t restart_at = 0;  // random mode: when a crashed member comes back
  int disk_delay = 0;            // max ticks a sync takes; 0 = at once
  // The synced write in flight (the Node has one at a time): its completion and when it is due.
  std::optional<host::LogStore::Done> sync_done;
  std::uint64_t sync_at = 0;
  // The store's newest entries in memory, and its reads of older ones in flight.
  std::uint64_t log_cache_entries = UINT64_MAX;
  int log_read_delay = 0;  // max ticks a read takes
  struct LogRead {
    std::uint64_t due = 0;
    LogIndex lo, hi;
    std::uint64_t max_bytes = 0;
    host::LogStore::ReadDone done;
  };
  std::vector<LogRead> log_reads;
  bool failed = false;  // fail-stop: crashed at the end of the current input
  Term leader_term_seen;
  LogIndex committed_seen;
  std::optional<LogIndex> last_proposed;  // set by on_proposed during one propose call
  std::map<LogIndex, std::string> changes;       // configuration changes waiting: index -> bytes
  std::map<std::uint64_t, std::uint64_t> reads;  // the Node's read context -> the client's

  const raft::Core* core() const { return node ? node->raft() : nullptr; }
  // SimOptions::joins: the machine's Raft id once admitted, its token (secret and the request id
  // its join uses, the same on every attempt), whether a join is under way, and whether it has
  // learnt of its removal (wiped at the end of the input).
  std::optional<NodeId> raft_id;
  std::string token_secret;
  std::vector<std::string> token_addresses;  // the members' addresses when the token was issued
  std::string join_request_id;
  bool joining = false;
  bool wipe = false;
  std::uint64_t stop_at = 0;  // a clean stop: crash at this tick, after handing over
};

}  // namespace movn::sim
