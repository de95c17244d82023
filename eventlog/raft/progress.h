// Progress: what a leader knows about one member's log (match/next), its flow-control state
// (probe or replicate), the in-flight append messages, and what the role policy needs (when it
// was last heard from, its catch-up rounds). Owned by raft::Core; single-threaded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>

#include "common/ids.h"

namespace movn::raft {

// A bounded FIFO of the last index carried by each in-flight App message.
class Inflights {
 public:
  explicit Inflights(std::size_t capacity) : capacity_(capacity) {}
  bool full() const { return last_indexes_.size() >= capacity_; }
  std::size_t count() const { return last_indexes_.size(); }
  void add(LogIndex last);
  // Frees every message whose last index is <= index (the follower acknowledged them).
  void free_le(LogIndex index);
  void free_first_one();
  void reset() { last_indexes_.clear(); }

 private:
  std::size_t capacity_;
  std::deque<LogIndex> last_indexes_;
};

// Catch-up rounds of a non-voter before it may be promoted (Raft dissertation §4.2.1): a round
// ends when the member's match reaches the leader's last index as of the round's start. A round
// that ends within an election timeout means the member is caught up: promoting it will not stall
// commits. After kMaxCatchUpRounds rounds without one, the leader gives up on the member until
// it has been offline (or a new leader starts over).
struct CatchUp {
  static constexpr int kMaxCatchUpRounds = 10;
  LogIndex target;      // the leader's last index when the round started; 0: no round yet
  int ticks = 0;        // ticks since the round started
  int rounds = 0;       // rounds since the last quick one, this one included
  bool caught_up = false;
  bool given_up = false;
};

enum class ProgressState : std::uint8_t {
  kProbe,      // one App at a time until the follower's match is found
  kReplicate,  // pipelined Apps, bounded by the inflights
};

struct Progress {
  explicit Progress(std::size_t max_inflight_msgs) : inflights(max_inflight_msgs) {}

  LogIndex match;
  LogIndex next{1};
  ProgressState state = ProgressState::kProbe;
  bool probe_sent = false;     // probe state: an App is out; wait for its reply or a heartbeat reply
  bool recent_active = false;  // heard from since the last check-quorum round
  // Replicate state: heartbeats rejected in a row without progress (an App was lost, or is late).
  int stalled_heartbeats = 0;
  // The entries it needs next are being read off the core thread (LogReader::fetch): paused
  // until Core::entries_fetched().
  bool awaiting_entries = false;
  bool voter = false;         // votes in the configuration in effect (kept by raft::Core)
  int ticks_since_heard = 0;  // leader ticks since any reply; online while < election ticks
  CatchUp catch_up;           // non-voters only
  Inflights inflights;

  void become_probe();
  void become_replicate();
  // A successful reply up to index; false if it told us nothing new.
  bool maybe_update(LogIndex index);
  // A rejection of the App whose previous index was `rejected`; hint is where to probe next.
  // False if the rejection is stale.
  bool maybe_decr_to(LogIndex rejected, LogIndex hint);
  // Records an App carrying n_entries entries ending at last.
  void sent_entries(std::size_t n_entries, LogIndex last);
  bool is_paused() const;
};

}  // namespace movn::raft
