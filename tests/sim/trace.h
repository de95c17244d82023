// Trace: one line per simulator event, recorded cheaply (formatted only when printed) so a failing
// seed can show how it got there; --trace prints every line as it happens.
// Owned by one Simulator; single-threaded.
#pragma once

#include <cstdint>
#include <cstdio>
#include <deque>
#include <string>
#include <vector>

#include "eventlog/raft/message.h"
#include "host/peer_message.h"

namespace movn::sim {

enum class EventKind : std::uint8_t {
  kDeliver, kDrop, kDuplicate, kPropose, kProposeRejected, kLeader, kCrash, kRestart,
  kDiskError, kSlowDisk, kBlock, kHeal, kPhase, kViolation,
  kChange, kChangeRejected, kTransfer, kRead, kReadConfirmed, kReadServed, kRetry, kHeld, kAnswer,
};

struct TraceEvent {
  std::uint64_t tick = 0;
  EventKind kind = EventKind::kPhase;
  std::uint64_t a = 0;  // member, or the link's source
  std::uint64_t b = 0;  // second member / index / ticks
  std::uint64_t c = 0;  // term / extra
  std::uint64_t d = 0;  // index
  raft::MessageType msg_type = raft::MessageType::kApp;
  std::uint64_t msg_term = 0, msg_index = 0, msg_log_term = 0, msg_commit = 0;
  std::uint64_t msg_first = 0, msg_last = 0;
  bool msg_reject = false;
  // A host message (host/peer_message.h): 0 for a Raft message, else its variant index.
  std::uint8_t host_type = 0;
  std::uint64_t host_ctx = 0, host_index = 0;
  bool host_ok = false;
};

TraceEvent message_event(std::uint64_t tick, EventKind kind, const raft::Message& m);
TraceEvent message_event(std::uint64_t tick, EventKind kind, const host::PeerMessage& m);
std::string format(const TraceEvent& e);

class Trace {
 public:
  Trace(bool print_all, std::size_t keep) : print_all_(print_all), keep_(keep) {}
  void add(const TraceEvent& e) {
    if (print_all_) std::printf("%s\n", format(e).c_str());
    if (keep_ == 0) return;
    if (tail_.size() == keep_) tail_.pop_front();
    tail_.push_back(e);
  }
  std::vector<std::string> tail(std::size_t n) const;

 private:
  bool print_all_;
  std::size_t keep_;
  std::deque<TraceEvent> tail_;
};

}  // namespace movn::sim
