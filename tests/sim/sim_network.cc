#include "tests/sim/sim_network.h"

namespace movn::sim {

int FakeNetwork::send(host::PeerMessage m, std::uint64_t now) {
  const auto [from, to] = endpoints(m);
  if (blocked(from, to) || rng_.chance(faults.drop)) return 0;
  int copies = rng_.chance(faults.duplicate) ? 2 : 1;
  for (int i = 0; i < copies; ++i) {
    std::uint64_t delay = rng_.range(1, static_cast<std::uint64_t>(faults.max_delay_ticks));
    queue_.push(InFlight{now + delay, seq_++, i + 1 == copies ? std::move(m) : m});
  }
  return copies;
}

std::vector<host::PeerMessage> FakeNetwork::due(std::uint64_t now, std::vector<host::PeerMessage>& dropped) {
  std::vector<host::PeerMessage> out;
  while (!queue_.empty() && queue_.top().at <= now) {
    host::PeerMessage m = std::move(const_cast<InFlight&>(queue_.top()).m);
    queue_.pop();
    const auto* raft_message = std::get_if<raft::Message>(&m);
    const auto [from, to] = endpoints(m);
    if (blocked(from, to) ||
        (drop_if && raft_message != nullptr && drop_if(*raft_message))) {
      dropped.push_back(std::move(m));
    } else {
      out.push_back(std::move(m));
    }
  }
  return out;
}

}  // namespace movn::sim
