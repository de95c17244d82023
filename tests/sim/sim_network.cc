#include "tests/sim/sim_network.h"

namespace movn::sim {

int FakeNetwork::send(raft::Message m, std::uint64_t now) {
  if (blocked(m.from.value, m.to.value) || rng_.chance(faults.drop)) return 0;
  int copies = rng_.chance(faults.duplicate) ? 2 : 1;
  for (int i = 0; i < copies; ++i) {
    std::uint64_t delay = rng_.range(1, static_cast<std::uint64_t>(faults.max_delay_ticks));
    queue_.push(InFlight{now + delay, seq_++, i + 1 == copies ? std::move(m) : m});
  }
  return copies;
}

std::vector<raft::Message> FakeNetwork::due(std::uint64_t now,
                                            std::vector<raft::Message>& dropped) {
  std::vector<raft::Message> out;
  while (!queue_.empty() && queue_.top().at <= now) {
    raft::Message m = std::move(const_cast<InFlight&>(queue_.top()).m);
    queue_.pop();
    if (blocked(m.from.value, m.to.value) || (drop_if && drop_if(m))) {
      dropped.push_back(std::move(m));
    } else {
      out.push_back(std::move(m));
    }
  }
  return out;
}

}  // namespace movn::sim
