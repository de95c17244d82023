// FakeNetwork: the simulator's unreliable transport (drop, duplicate, delay and so reorder,
// symmetric and asymmetric partitions) for every peer message (host/peer_message.h), driven by
// the fake clock and a seeded PRNG.
// Owned by one Simulator; single-threaded.
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <set>
#include <utility>
#include <vector>

#include "eventlog/raft/message.h"
#include "host/peer_message.h"
#include "tests/sim/rng.h"

namespace movn::sim {

struct NetworkFaults {
  double drop = 0;       // probability a message is lost
  double duplicate = 0;  // probability a message is delivered twice
  int max_delay_ticks = 1;  // each copy arrives after 1..max_delay_ticks ticks (reordering)
};

class FakeNetwork {
 public:
  explicit FakeNetwork(Rng& rng) : rng_(rng) {}

  NetworkFaults faults;
  // Scripted drops (tests): return true to drop a Raft message at delivery.
  std::function<bool(const raft::Message&)> drop_if;
  // The machines at both ends of a message (0: none), for partitions and delivery. Default: the
  // Raft ids it names.
  std::function<std::pair<std::uint64_t, std::uint64_t>(const host::PeerMessage&)> endpoints =
      [](const host::PeerMessage& m) { return std::pair{host::sender(m).value, host::receiver(m).value}; };

  // Returns how many copies were queued (0 = dropped, 2 = duplicated).
  int send(host::PeerMessage m, std::uint64_t now);
  // Messages due at `now`, in delivery order; blocked links drop (reported through `dropped`).
  std::vector<host::PeerMessage> due(std::uint64_t now, std::vector<host::PeerMessage>& dropped);

  void block(std::uint64_t from, std::uint64_t to) { blocked_.insert({from, to}); }
  void unblock(std::uint64_t from, std::uint64_t to) { blocked_.erase({from, to}); }
  bool blocked(std::uint64_t from, std::uint64_t to) const {
    return blocked_.contains({from, to});
  }
  void heal() { blocked_.clear(); }
  bool partitioned() const { return !blocked_.empty(); }
  std::size_t in_flight() const { return queue_.size(); }

 private:
  struct InFlight {
    std::uint64_t at;
    std::uint64_t seq;
    host::PeerMessage m;
  };
  struct Later {
    bool operator()(const InFlight& x, const InFlight& y) const {
      return x.at != y.at ? x.at > y.at : x.seq > y.seq;
    }
  };
  Rng& rng_;
  std::priority_queue<InFlight, std::vector<InFlight>, Later> queue_;
  std::set<std::pair<std::uint64_t, std::uint64_t>> blocked_;
  std::uint64_t seq_ = 0;
};

}  // namespace movn::sim
