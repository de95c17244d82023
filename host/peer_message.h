// What members send each other through the Transport (host/seams.h): Raft's own messages, and
// the host loop's: writes a follower forwards to the leader and their answers, and read indexes a
// follower asks the leader for (docs/adr/0009) and their answers. Value types. The peer transport
// (transport/) gives them a wire format; the simulator carries them as they are.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "commands/decide.h"
#include "common/result.h"
#include "eventlog/raft/message.h"
#include "eventlog/events.h"

namespace movn::host {

// A client's request that reached a follower, for the leader to decide and propose.
struct ForwardWrite {
  NodeId from, to;
  std::uint64_t ctx = 0;  // the follower's; its answer carries it back
  commands::Request request;
  std::string request_id;
  events::Actor actor;
};

// The leader's answer, sent once it has applied the request (or refused it).
struct ForwardReply {
  NodeId from, to;
  std::uint64_t ctx = 0;
  bool ok = false;
  LogIndex index;          // ok: where the request was applied (0: nothing needed recording)
  bool duplicate = false;  // ok: a retry of an applied request
  Errc code = Errc::kUnavailable;  // !ok
  std::string message;             // !ok
};

// A follower's read: the leader confirms it still leads (ReadIndex) and answers with its commit
// index at the start of the confirmation; the follower serves the read once it has applied that.
struct ReadIndexAsk {
  NodeId from, to;
  std::uint64_t ctx = 0;  // the follower's
};

struct ReadIndexReply {
  NodeId from, to;
  std::uint64_t ctx = 0;
  bool ok = false;
  LogIndex index;        // ok
  std::string message;   // !ok
};

using PeerMessage = std::variant<raft::Message, ForwardWrite, ForwardReply, ReadIndexAsk, ReadIndexReply>;

inline NodeId sender(const PeerMessage& m) {
  return std::visit([](const auto& x) { return x.from; }, m);
}
inline NodeId receiver(const PeerMessage& m) {
  return std::visit([](const auto& x) { return x.to; }, m);
}

}  // namespace movn::host
