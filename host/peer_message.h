// What members send each other through the Transport (host/seams.h): Raft's own messages, and
// the host loop's: writes a follower forwards to the leader and their answers, and read indexes a
// follower asks the leader for (docs/adr/0009) and their answers. Value types. The peer transport
// (transport/) gives them a wire format; the simulator carries them as they are.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

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
  // ok: the members the leader heard from within the last election timeout, itself included
  // (what `cluster list` shows as STATUS on a follower).
  std::vector<NodeId> reachable;
};

// A machine that is not part of the cluster asks to join, through a member's address from its
// token (it has no Raft id yet, so both ends are addresses). The member asked hands the request
// to the leader like any other and answers once it has applied it.
struct JoinAsk {
  std::string from_address, to_address;
  std::uint64_t ctx = 0;
  commands::JoinRequest request;
  std::string request_id;
};

struct JoinReply {
  std::string from_address, to_address;
  std::uint64_t ctx = 0;
  bool ok = false;
  NodeId raft_id;                  // ok: the joiner's Raft id
  Errc code = Errc::kUnavailable;  // !ok
  std::string message;             // !ok
  // ok: secrets the cluster shares with its members, by name (the PKI's cluster key).
  std::map<std::string, std::string> shared;
};

// The leader tells a removed member that it is out (its removal has committed): the log no
// longer reaches it, so it would not learn it otherwise.
struct RemovalNotice {
  NodeId from, to;
};

using PeerMessage = std::variant<raft::Message, ForwardWrite, ForwardReply, ReadIndexAsk, ReadIndexReply, JoinAsk,
                                 JoinReply, RemovalNotice>;

// The Raft ids at both ends; kNoNode for a join message, addressed by address.
inline NodeId sender(const PeerMessage& m) {
  return std::visit(
      [](const auto& x) -> NodeId {
        if constexpr (requires { x.from; }) return x.from;
        else return raft::kNoNode;
      },
      m);
}
inline NodeId receiver(const PeerMessage& m) {
  return std::visit(
      [](const auto& x) -> NodeId {
        if constexpr (requires { x.to; }) return x.to;
        else return raft::kNoNode;
      },
      m);
}

}  // namespace movn::host
