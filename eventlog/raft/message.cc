#include "eventlog/raft/message.h"

namespace movn::raft {

std::string_view message_type_name(MessageType type) {
  switch (type) {
    case MessageType::kPreVote: return "PreVote";
    case MessageType::kPreVoteResp: return "PreVoteResp";
    case MessageType::kVote: return "Vote";
    case MessageType::kVoteResp: return "VoteResp";
    case MessageType::kApp: return "App";
    case MessageType::kAppResp: return "AppResp";
    case MessageType::kHeartbeat: return "Heartbeat";
    case MessageType::kHeartbeatResp: return "HeartbeatResp";
    case MessageType::kTimeoutNow: return "TimeoutNow";
  }
  return "?";
}

std::string to_string(const Message& m) {
  std::string s(message_type_name(m.type));
  s += ' ' + std::to_string(m.from.value) + "->" + std::to_string(m.to.value);
  s += " t=" + std::to_string(m.term.value);
  s += " i=" + std::to_string(m.index.value);
  s += " lt=" + std::to_string(m.log_term.value);
  if (!m.entries.empty()) {
    s += " e=[" + std::to_string(m.entries.front().index.value) + ".." +
         std::to_string(m.entries.back().index.value) + "]";
  }
  s += " c=" + std::to_string(m.commit.value);
  if (m.reject) s += " reject hint=" + std::to_string(m.reject_hint.value);
  if (m.transfer) s += " transfer";
  if (m.context != 0) s += " ctx=" + std::to_string(m.context);
  return s;
}

}  // namespace movn::raft
