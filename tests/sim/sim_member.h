// Simulator::Member: one simulated member's state (store, core, applier, pending sync, waiting
// clients). Private to the simulator's .cc files; single-threaded.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/sim/projection_applier.h"
#include "tests/sim/simulator.h"

namespace movn::sim {

struct Simulator::Member {
  std::uint64_t id = 0;
  raft::Configuration initial;  // its Config::voters: the initial voters, or none (a joiner)
  SimStore store;
  std::unique_ptr<raft::Core> core;  // null while down
  std::unique_ptr<Applier> applier;
  const ProjectionApplier* projections = nullptr;  // the applier, if it folds projections
  LogIndex applied;
  std::uint64_t restart_at = 0;        // random mode: when a crashed member comes back
  int disk_delay = 0;                  // max ticks a sync takes; 0 = at once
  std::optional<raft::Ready> pending;  // written, waiting for its sync
  std::uint64_t pending_at = 0;
  Term leader_term_seen;
  LogIndex committed_seen;
  std::uint64_t last_time_ms = 0;  // cluster time of the last batch this member stamped
  struct Proposal {
    raft::EntryType type = raft::EntryType::kEventBatch;
    std::string data;
    std::string request_id;  // kCommands
  };
  std::map<LogIndex, Proposal> proposals;  // clients waiting on this member, by index
  std::vector<raft::ReadState> reads;      // confirmed, waiting until applied reaches them
};

}  // namespace movn::sim
