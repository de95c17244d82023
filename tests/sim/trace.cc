#include "tests/sim/trace.h"

#include <type_traits>
#include <variant>

namespace movn::sim {

TraceEvent message_event(std::uint64_t tick, EventKind kind, const raft::Message& m) {
  TraceEvent e;
  e.tick = tick;
  e.kind = kind;
  e.a = m.from.value;
  e.b = m.to.value;
  e.msg_type = m.type;
  e.msg_term = m.term.value;
  e.msg_index = m.index.value;
  e.msg_log_term = m.log_term.value;
  e.msg_commit = m.commit.value;
  e.msg_reject = m.reject;
  if (!m.entries.empty()) {
    e.msg_first = m.entries.front().index.value;
    e.msg_last = m.entries.back().index.value;
  }
  return e;
}

TraceEvent message_event(std::uint64_t tick, EventKind kind, const host::PeerMessage& m) {
  if (const auto* r = std::get_if<raft::Message>(&m)) return message_event(tick, kind, *r);
  TraceEvent e;
  e.tick = tick;
  e.kind = kind;
  e.a = host::sender(m).value;
  e.b = host::receiver(m).value;
  if (const auto* j = std::get_if<host::JoinAsk>(&m)) e.c = j->request.name.size();
  e.host_type = static_cast<std::uint8_t>(m.index());
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (requires { x.ctx; }) e.host_ctx = x.ctx;
        if constexpr (std::is_same_v<T, host::ForwardReply> || std::is_same_v<T, host::ReadIndexReply>) {
          e.host_ok = x.ok;
          e.host_index = x.index.value;
        }
        if constexpr (std::is_same_v<T, host::JoinReply>) {
          e.host_ok = x.ok;
          e.host_index = x.raft_id.value;
        }
      },
      m);
  return e;
}

// A MemberRole code, 0 for a removal.
static std::string role_text(std::uint64_t role) {
  if (role == 0) return "removed";
  return std::string(raft::member_role_name(static_cast<raft::MemberRole>(role)));
}

static std::string message_text(const TraceEvent& e) {
  if (e.host_type != 0) {
    static const char* const kNames[] = {"",          "ForwardWrite", "ForwardReply", "ReadIndexAsk",
                                         "ReadIndexReply", "JoinAsk", "JoinReply", "RemovalNotice"};
    std::string s = kNames[e.host_type];
    s += ' ' + std::to_string(e.a) + "->" + std::to_string(e.b) + " ctx=" + std::to_string(e.host_ctx);
    if (e.host_type == 2 || e.host_type == 4) s += e.host_ok ? " index=" + std::to_string(e.host_index) : " refused";
    if (e.host_type == 6) s += e.host_ok ? " raft_id=" + std::to_string(e.host_index) : " refused";
    return s;
  }
  std::string s(raft::message_type_name(e.msg_type));
  s += ' ' + std::to_string(e.a) + "->" + std::to_string(e.b) + " t=" +
       std::to_string(e.msg_term) + " i=" + std::to_string(e.msg_index) +
       " lt=" + std::to_string(e.msg_log_term);
  if (e.msg_first) s += " e=[" + std::to_string(e.msg_first) + ".." + std::to_string(e.msg_last) + "]";
  s += " c=" + std::to_string(e.msg_commit);
  if (e.msg_reject) s += " reject";
  return s;
}

std::string format(const TraceEvent& e) {
  std::string t = "t=" + std::to_string(e.tick) + ' ';
  auto n = [](std::uint64_t v) { return std::to_string(v); };
  switch (e.kind) {
    case EventKind::kDeliver: return t + "deliver " + message_text(e);
    case EventKind::kDrop: return t + "drop " + message_text(e);
    case EventKind::kDuplicate: return t + "duplicate " + message_text(e);
    case EventKind::kPropose: return t + "propose at " + n(e.a) + " -> index " + n(e.b) + " term " + n(e.c);
    case EventKind::kProposeRejected: return t + "propose at " + n(e.a) + " rejected (not leader, or too many uncommitted)";
    case EventKind::kLeader: return t + "leader " + n(e.a) + " term " + n(e.c);
    case EventKind::kCrash: return t + "crash " + n(e.a) + (e.b ? " (unsynced writes lost)" : "");
    case EventKind::kRestart: return t + "restart " + n(e.a) + " last_index=" + n(e.b) + " term=" + n(e.c);
    case EventKind::kDiskError: return t + "disk error on " + n(e.a) + " (fail-stop)";
    case EventKind::kSlowDisk: return t + "disk of " + n(e.a) + " sync delay " + n(e.b) + " ticks";
    case EventKind::kBlock: return t + "block " + n(e.a) + "->" + n(e.b);
    case EventKind::kHeal: return t + "heal network";
    case EventKind::kPhase: return t + (e.a == 0 ? "phase safety" : "phase liveness");
    case EventKind::kViolation: return t + "VIOLATION";
    case EventKind::kChange: return t + "change at " + n(e.a) + ": member " + n(e.b) + " -> " + role_text(e.c) + " index " + n(e.d);
    case EventKind::kChangeRejected: return t + "change at " + n(e.a) + ": member " + n(e.b) + " -> " + role_text(e.c) + " refused";
    case EventKind::kTransfer: return t + "transfer at " + n(e.a) + " to " + n(e.b) + " term " + n(e.c);
    case EventKind::kRead: return t + "read " + n(e.b) + " at " + n(e.a) + " (acked up to " + n(e.c) + ")";
    case EventKind::kReadConfirmed: return t + "read " + n(e.b) + " confirmed by " + n(e.a) + " at index " + n(e.c);
    case EventKind::kReadServed: return t + "read " + n(e.b) + " served by " + n(e.a) + " at applied " + n(e.c);
    case EventKind::kRetry: return t + "client retries a request at " + n(e.a);
    case EventKind::kHeld: return t + "request held at " + n(e.a) + " until its term's first entry is applied";
    case EventKind::kAnswer: return t + "client of " + n(e.a) + " told: applied at index " + n(e.b) + (e.c ? " (a retry)" : "");
  }
  return t + "?";
}

std::vector<std::string> Trace::tail(std::size_t n) const {
  std::vector<std::string> out;
  std::size_t start = tail_.size() > n ? tail_.size() - n : 0;
  for (std::size_t i = start; i < tail_.size(); ++i) out.push_back(format(tail_[i]));
  return out;
}

}  // namespace movn::sim
