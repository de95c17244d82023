// Helpers of the scripted simulator tests (sim_test.cc, sim_membership_test.cc): the options of
// a scripted run and the steps every scenario takes. Single-threaded, like the simulator.
#pragma once

#include <cstdint>
#include <string>

#include "eventlog/codec.h"
#include "tests/sim/simulator.h"

namespace movn::sim::scenario {

inline SimOptions scripted(int members, int plant_bug = 0) {
  SimOptions o;
  o.members = members;
  o.seed = 7;
  o.plant_bug = plant_bug;
  o.heartbeat_ticks = 1;
  return o;
}

inline std::string violation_of(const Simulator& sim) {
  return sim.violation().value_or("none");
}

// Member id campaigns and wins, and has applied its term's first entry (so it proposes at once
// rather than holding requests). A core without the no-op (planted bug 2) has no such entry.
inline bool elect(Simulator& sim, std::uint64_t id) {
  sim.campaign(id);
  return sim.run_until(
      [&] { return sim.leader() == id && (sim.leader_ready(id) || sim.options().plant_bug == 2); }, 100);
}

// The request id of an entry's event batch ("" for another kind of entry, or bytes that do not
// decode): what scripted proposals are told apart by.
inline std::string request_of(const raft::Entry& e) {
  if (e.type != raft::EntryType::kEventBatch) return {};
  auto batch = eventlog::decode_batch(e.data);
  return batch.ok() ? batch->request_id : std::string();
}

// Proposes data at the leader and waits until its client sees it committed.
inline bool commit(Simulator& sim, std::uint64_t leader, const std::string& data) {
  if (!sim.propose(leader, data).ok()) return false;
  return sim.run_until([&] { return sim.acked(data); }, 100);
}

}  // namespace movn::sim::scenario
