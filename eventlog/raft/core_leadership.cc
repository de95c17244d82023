// raft::Core: the two leader operations about leadership itself: handing it over (transfer,
// TimeoutNow) and confirming it for a linearizable read without a log write (ReadIndex).
#include <algorithm>
#include <cassert>

#include "eventlog/raft/core.h"

namespace movn::raft {

// ---- leadership transfer ----

Result<void> Core::transfer(NodeId to) {
  if (role_ != Role::kLeader) {
    return make_error(Errc::kUnavailable,
                      "not the leader (leader: " + std::to_string(lead_.value) + ")");
  }
  if (leaving_) {
    return make_error(Errc::kUnavailable, "this leader is leaving the configuration");
  }
  std::string name = "member " + std::to_string(to.value);
  if (to == config_.id) return make_error(Errc::kInvalidArgument, name + " is the leader");
  std::optional<MemberRole> role = configuration().role(to);
  if (!role) return make_error(Errc::kNotFound, name + " is not in the configuration");
  if (*role != MemberRole::kVoter) {
    return make_error(Errc::kFailedPrecondition,
                      name + " is a " + std::string(member_role_name(*role)) + ", not a voter");
  }
  if (transferee_ == to) return {};
  start_transfer(to);
  return {};
}

void Core::start_transfer(NodeId to) {
  transferee_ = to;
  transfer_elapsed_ = 0;
  const Progress& pr = progress_.at(to);
  if (pr.match == log_.last_index()) {
    maybe_send_timeout_now(to, pr);
  } else {
    maybe_send_append(to, true);
  }
}

// Sent on every acknowledgement that shows the target caught up, so a lost TimeoutNow is sent
// again at the next heartbeat. A duplicate is harmless: the target's term has moved on.
void Core::maybe_send_timeout_now(NodeId to, const Progress& pr) {
  if (to != transferee_ || pr.match != log_.last_index()) return;
  Message m;
  m.type = MessageType::kTimeoutNow;
  m.to = to;
  send(std::move(m));
  // A leader leaving the configuration is done: the target's campaign does not ask it for a
  // vote, so it would not hear of the new term. It steps down in settle().
  if (leaving_) {
    handed_over_ = true;
    settle_needed_ = true;
  }
}

// ---- ReadIndex ----

Result<void> Core::read_index(std::uint64_t request_ctx) {
  if (role_ != Role::kLeader) {
    return make_error(Errc::kUnavailable,
                      "not the leader (leader: " + std::to_string(lead_.value) + ")");
  }
  if (held_reads_.size() + pending_reads_.size() >= config_.max_pending_reads) {
    return make_error(Errc::kUnavailable,
                      "too many reads waiting (" + std::to_string(config_.max_pending_reads) + ")");
  }
  if (!committed_in_term()) {
    // Its commit index may lag entries an earlier leader committed: wait for the no-op.
    held_reads_.push_back(request_ctx);
    return {};
  }
  if (start_read(request_ctx)) bcast_heartbeat(pending_reads_.back().round);
  return {};
}

bool Core::start_read(std::uint64_t request_ctx) {
  const Configuration& c = configuration();
  PendingRead r{request_ctx, log_.committed(), ++read_round_, {}};
  if (c.is_voter(config_.id)) r.acks.insert(config_.id);
  if (r.acks.size() >= c.quorum()) {
    // The only voter: nobody else can lead.
    read_states_.push_back(ReadState{request_ctx, r.index});
    return false;
  }
  pending_reads_.push_back(std::move(r));
  return true;
}

void Core::on_read_ack(NodeId from, std::uint64_t round) {
  const Configuration& c = configuration();
  if (!c.is_voter(from)) return;
  auto it = std::find_if(pending_reads_.begin(), pending_reads_.end(),
                         [round](const PendingRead& r) { return r.round == round; });
  if (it == pending_reads_.end()) return;
  it->acks.insert(from);
  auto voters =
      std::count_if(it->acks.begin(), it->acks.end(), [&c](NodeId id) { return c.is_voter(id); });
  if (static_cast<std::size_t>(voters) < c.quorum()) return;
  // A quorum acknowledged this round after every earlier read was recorded: all are confirmed.
  auto end = std::next(it);
  for (auto r = pending_reads_.begin(); r != end; ++r) {
    read_states_.push_back(ReadState{r->request_ctx, r->index});
  }
  pending_reads_.erase(pending_reads_.begin(), end);
}

void Core::confirm_reads_after_change() {
  const Configuration& c = configuration();
  auto end = pending_reads_.begin();
  for (auto it = pending_reads_.begin(); it != pending_reads_.end(); ++it) {
    auto voters = std::count_if(it->acks.begin(), it->acks.end(),
                                [&c](NodeId id) { return c.is_voter(id); });
    if (static_cast<std::size_t>(voters) >= c.quorum()) end = std::next(it);
  }
  for (auto r = pending_reads_.begin(); r != end; ++r) {
    read_states_.push_back(ReadState{r->request_ctx, r->index});
  }
  pending_reads_.erase(pending_reads_.begin(), end);
}

}  // namespace movn::raft
