// The seams between the host loop (host::Node) and the world. The daemon and the simulator build
// the same Node from different parts (docs/design.md §4):
//   LogStore   the Raft log's storage: RocksDB behind the storage thread in microovnd, the
//              crash-lossy SimStore in microovn-sim;
//   Transport  peer messages: unreliable by contract (may drop, delay, reorder, duplicate);
//   Executor   "later on the core thread": the io_context in microovnd, a queue the simulator drains;
//   Clock      cluster time and the election seed (common/time.h);
//   Effects    work that must not run on the core thread (key generation), run elsewhere;
//   Observer   what the simulator's checker watches (no-op in the daemon).
// Every callback a seam makes runs on the core thread, through the Executor. Interfaces are
// virtual: one call per Ready costs nothing beside an fsync.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/sha256.h"
#include "eventlog/raft/core.h"
#include "host/peer_message.h"
#include "projections/state.h"

namespace movn::host {

class Executor {
 public:
  virtual ~Executor() = default;
  // Runs `fn` later on the core thread, after what is running now: in posting order.
  virtual void post(std::function<void()> fn) = 0;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Never blocks and may drop: Raft retries what matters, and the host loop times out forwarded
  // writes and reads. Inbound messages reach Node::receive on the core thread.
  virtual void send(PeerMessage message) = 0;
};

// Work that must not hold up the core thread (generating keys, later large reads and the
// reconciler's effects): `job` runs elsewhere, in submission order, and `done` runs on the core
// thread with its result. A job shares nothing with the core thread but what it captures.
class Effects {
 public:
  virtual ~Effects() = default;
  virtual void run(std::function<Result<void>()> job, std::function<void(Result<void>)> done) = 0;
};

class LogStore {
 public:
  virtual ~LogStore() = default;
  using Done = std::function<void(Result<void>)>;
  struct Write {
    // Replace stored entries at or above the first, then append. The Node keeps them alive
    // until `done` runs.
    const std::vector<raft::Entry>* entries = nullptr;
    std::optional<raft::HardState> hard_state;
    std::optional<raft::IndexedConfiguration> committed_config;
    bool sync = true;  // durable (synced) before `done`; otherwise durable with a later sync
  };
  // What the Raft core reads: everything written, once its write has completed.
  virtual const raft::LogReader& reader() const = 0;
  // Writes in submission order; `done` runs on the core thread once written (and synced when
  // w.sync). An error is fail-stop for the member. A write without sync may complete at once.
  virtual void submit(Write w, Done done) = 0;
  // Hash-chain links of applied entries (cached beside the log; lost ones are recomputed at start).
  virtual void put_links(std::vector<std::pair<LogIndex, Digest>> links) = 0;
  // A checkpoint of the applied projections (a cache; replay rebuilds it).
  virtual void put_checkpoint(std::string bytes) = 0;
  // Entries at or above this index are in memory: reader() answers for them without blocking.
  // Older ones are read with read() when a leader sends them to a peer that catches up.
  virtual LogIndex cached_from() const = 0;
  // Reads the written entries [lo, hi) off the core thread, at most max_bytes of them but at
  // least one; `done` runs on the core thread. The read sees at least every write whose `done`
  // ran before read() was called (a write completing meanwhile may or may not be seen). An error
  // is fail-stop for the member.
  using ReadDone = std::function<void(Result<std::vector<raft::Entry>>)>;
  virtual void read(LogIndex lo, LogIndex hi, std::uint64_t max_bytes, ReadDone done) = 0;
};

// Hooks for the simulator's checker; every method has an empty default.
class Observer {
 public:
  virtual ~Observer() = default;
  // The Raft core started (at start, at a bootstrap or once a join was admitted), with `voters`
  // as its configuration before the log's first configuration entry.
  virtual void on_start(const raft::Core& /*core*/, const std::vector<NodeId>& /*voters*/) {}
  // A Ready was taken from the core and is about to be written.
  virtual void on_ready(const raft::Core& /*core*/, const raft::Ready& /*rd*/) {}
  // Its write is durable (synced). Only synced writes are reported.
  virtual void on_durable(const raft::Ready& /*rd*/) {}
  // A committed entry was applied; `state` is the applied state after it. For an event batch,
  // `folded` says what apply did with its request id.
  struct Folded {
    const std::string& request_id;
    projections::ApplyOutcome outcome;
  };
  virtual void on_applied(const raft::Entry& /*e*/, const projections::State& /*state*/,
                          const std::optional<Folded>& /*folded*/) {}
  // A configuration change (member gets role; nullopt: removed) was proposed at `index`.
  virtual void on_change_proposed(NodeId /*member*/, std::optional<raft::MemberRole> /*role*/, LogIndex /*index*/) {}
  // A batch for request `request_id` was proposed at `index` in `term`.
  virtual void on_proposed(const std::string& /*request_id*/, LogIndex /*index*/, Term /*term*/) {}
  // A read barrier was confirmed at rs.index (rs.request_ctx: the Node's read context).
  virtual void on_read_state(const raft::ReadState& /*rs*/) {}
};

}  // namespace movn::host
