// host::Node, its messages to and from other members: forwarded writes and their answers, follower
// reads, joins, removal notices, and the leader's membership loop. The Raft loop itself is in
// node.cc.
#include <type_traits>
#include <variant>

#include "host/node.h"
#include "host/test_hooks.h"

namespace movn::host {

void Node::receive(PeerMessage message) {
  if (auto* r = std::get_if<JoinReply>(&message)) return on_join_reply(*r);
  if (!core_) {
    // No Raft before a bootstrap or a join: nothing to answer, except that a join asked of a
    // member outside any cluster is refused, so the joiner tries its next address.
    if (auto* a = std::get_if<JoinAsk>(&message))
      transport_.send(JoinReply{options_.address, a->from_address, a->ctx, false, raft::kNoNode, Errc::kUnavailable,
                                "the member asked is not part of a cluster"});
    return;
  }
  std::visit(
      [this](auto&& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, raft::Message>) {
          core_->step(std::move(m));
        } else if constexpr (std::is_same_v<T, ForwardWrite>) {
          on_forward(std::move(m));
        } else if constexpr (std::is_same_v<T, ForwardReply>) {
          on_forward_reply(m);
        } else if constexpr (std::is_same_v<T, ReadIndexAsk>) {
          on_read_ask(m);
        } else if constexpr (std::is_same_v<T, ReadIndexReply>) {
          on_read_reply(m);
        } else if constexpr (std::is_same_v<T, JoinAsk>) {
          on_join_ask(std::move(m));
        } else if constexpr (std::is_same_v<T, RemovalNotice>) {
          on_removal_notice(m);
        }
      },
      std::move(message));
  schedule_drive();
}

void Node::join(commands::JoinRequest request, std::string request_id, std::vector<std::string> addresses,
                JoinDone done) {
  if (initialized() || joining_) {
    done(make_error(Errc::kFailedPrecondition, "this member is part of a cluster already, or joining one"));
    return;
  }
  if (addresses.empty()) {
    done(make_error(Errc::kInvalidArgument, "the join token names no member to ask"));
    return;
  }
  joining_ = Joining{std::move(request), std::move(request_id), std::move(addresses), 0, 0, 0, {}, std::move(done)};
  send_join_ask();
}

void Node::send_join_ask() {
  Joining& j = *joining_;
  if (j.next >= j.addresses.size()) {
    std::string why = "no member admitted this one:";
    for (std::size_t i = 0; i < j.failures.size(); ++i) why += (i ? "; " : " ") + j.failures[i];
    auto done = std::move(j.done);
    joining_.reset();
    done(make_error(Errc::kUnavailable, why));
    return;
  }
  j.ctx = ++next_forward_ctx_;
  j.deadline_tick = join_ticks_ + kForwardTimeoutTicks;
  transport_.send(JoinAsk{options_.address, j.addresses[j.next], j.ctx, j.request, j.request_id});
}

void Node::on_join_ask(JoinAsk a) {
  auto reply = [this, to = a.from_address, ctx = a.ctx](Result<NodeId> r) {
    JoinReply out{options_.address, to, ctx};
    if (r.ok()) {
      out.ok = true;
      out.raft_id = *r;
      if (options_.shared_secrets && !planted(&TestHooks::admit_without_shared)) out.shared = options_.shared_secrets();
    } else {
      out.code = r.error().code;
      out.message = r.error().message;
    }
    transport_.send(std::move(out));
  };
  const std::string name = a.request.name;
  propose(a.request, RequestMeta{std::move(a.request_id), events::Actor{name, {}}},
          [this, name, reply](Result<Outcome> r) {
            if (!r.ok()) return reply(std::move(r).error());
            // Applied here: the joiner's Raft id is in this member's membership now.
            const auto* m = applied_.membership().find(name);
            if (m == nullptr) return reply(make_error(Errc::kConflict, "the join was not applied"));
            reply(m->raft_id);
          });
}

void Node::on_join_reply(const JoinReply& r) {
  if (!joining_ || joining_->ctx != r.ctx) return;  // late, or for an earlier attempt
  Joining& j = *joining_;
  if (!r.ok && r.code == Errc::kUnavailable) {
    j.failures.push_back(j.addresses[j.next] + ": " + r.message);
    ++j.next;
    send_join_ask();
    return;
  }
  auto done = std::move(j.done);
  joining_.reset();
  if (!r.ok) {
    done(make_error(r.code, r.message));
    return;
  }
  // No configuration of its own: the leader's appends bring it, from index 1.
  start_raft(r.raft_id, {});
  done(Admission{r.raft_id, r.shared});
}

void Node::on_removal_notice(const RemovalNotice& n) {
  if (!core_ || n.to != self_) return;  // for an earlier incarnation
  // Accepted from a member of a configuration this one holds (which may be behind).
  if (!core_->committed_configuration().configuration.contains(n.from) && !core_->configuration().contains(n.from))
    return;
  removed_ = true;
  abandon_pending(make_error(Errc::kFailedPrecondition, "this member was removed from the cluster"));
  fail_reads(make_error(Errc::kFailedPrecondition, "this member was removed from the cluster"));
  auto held = std::move(held_);
  held_.clear();
  for (auto& h : held) h.done(make_error(Errc::kFailedPrecondition, "this member was removed from the cluster"));
  core_.reset();
  // A Ready being written stays until its write completes (the store reads its entries); the
  // completion then drops it.
  if (options_.on_removed) executor_.post(options_.on_removed);
}

Result<NodeId> Node::hand_over() {
  if (!core_ || core_->role() != raft::Role::kLeader)
    return make_error(Errc::kUnavailable, "this member does not lead");
  NodeId best = raft::kNoNode;
  LogIndex best_match;
  for (NodeId v : core_->configuration().voters()) {
    if (v == self_) continue;
    const raft::Progress* pr = core_->progress(v);
    if (pr != nullptr && (best == raft::kNoNode || pr->match > best_match)) {
      best = v;
      best_match = pr->match;
    }
  }
  if (best == raft::kNoNode) return make_error(Errc::kUnavailable, "no other voter to hand leadership to");
  MOVN_TRY(transfer(best));
  return best;
}

void Node::membership_loop() {
  if (!options_.reconcile_membership || !leader_ready()) {
    if (options_.role_policy_every_ticks > 0 && leader_ready() &&
        ticks_ % static_cast<std::uint64_t>(options_.role_policy_every_ticks) == 0)
      if (auto c = core_->next_role_change()) (void)propose_change(c->member, c->role);
    return;
  }
  const raft::Configuration& current = core_->configuration();
  const raft::Configuration& committed = core_->committed_configuration().configuration;
  const auto& ms = applied_.membership();
  // Tell removed members that their removal has committed.
  for (const auto& [id, name] : ms.removed()) {
    if (!committed.contains(id) && !current.contains(id)) notify_removed(id);
  }
  if (!(current == committed)) return;  // one change at a time
  for (const auto& [name, m] : ms.members()) {
    if (current.contains(m.raft_id)) continue;
    // A new member enters without a vote; the role policy promotes it once it has caught up.
    if (propose_change(m.raft_id, raft::MemberRole::kSpare).ok()) return;
  }
  for (const auto& [id, name] : ms.removed()) {
    if (!current.contains(id)) continue;
    if (propose_change(id, std::nullopt).ok()) return;
  }
  if (options_.role_policy_every_ticks > 0 && ticks_ % static_cast<std::uint64_t>(options_.role_policy_every_ticks) == 0)
    if (auto c = core_->next_role_change()) (void)propose_change(c->member, c->role);
}

void Node::notify_removed(NodeId id) {
  auto [it, fresh] = notified_at_.emplace(id, ticks_);
  // Again every election timeout, in case a notice was lost.
  if (!fresh && ticks_ < it->second + kElectionTicks) return;
  it->second = ticks_;
  transport_.send(RemovalNotice{self_, id});
}

void Node::expire_waiting() {
  std::erase_if(remote_reads_, [&](const auto& kv) { return kv.second.deadline_tick <= ticks_; });
  auto lost = take_expired(forwards_, ticks_);
  auto behind = take_expired(answers_after_apply_, ticks_);
  for (auto& done : lost)
    done(make_error(Errc::kUnavailable,
                    "the leader did not answer in time: the request may or may not be applied; retry with the "
                    "same request id"));
  for (auto& done : behind)
    done(make_error(Errc::kUnavailable,
                    "the leader applied the request, but this member has not caught up with it yet; retry with "
                    "the same request id"));
}

void Node::forward(const commands::Request& request, RequestMeta meta, ProposeDone done) {
  if (forwards_.size() >= kMaxForwards) {
    done(make_error(Errc::kUnavailable, "too many requests are waiting for the leader; retry"));
    return;
  }
  const std::uint64_t ctx = ++next_forward_ctx_;
  forwards_[ctx] = Forward{std::move(done), ticks_ + kForwardTimeoutTicks};
  transport_.send(ForwardWrite{self_, core_->leader(), ctx, request, std::move(meta.request_id), std::move(meta.actor)});
}

void Node::on_forward(ForwardWrite f) {
  const NodeId to = f.from;
  const std::uint64_t ctx = f.ctx;
  propose_impl(f.request, RequestMeta{std::move(f.request_id), std::move(f.actor)},
               [this, to, ctx](Result<Outcome> r) {
                 ForwardReply reply{self_, to, ctx};
                 if (r.ok()) {
                   reply.ok = true;
                   reply.index = r->index;
                   reply.duplicate = r->duplicate;
                 } else {
                   reply.code = r.error().code;
                   reply.message = r.error().message;
                 }
                 transport_.send(std::move(reply));
               },
               /*may_forward=*/false);
}

void Node::on_forward_reply(const ForwardReply& r) {
  auto it = forwards_.find(r.ctx);
  if (it == forwards_.end()) return;  // answered already (a duplicate), or timed out
  ProposeDone done = std::move(it->second.done);
  forwards_.erase(it);
  if (!r.ok) {
    done(make_error(r.code, r.message));
    return;
  }
  const Outcome outcome{r.index, r.duplicate};
  // Read your own write: the answer waits until this member has applied the entry too.
  if (outcome.index <= applied_.applied_index() || planted(&TestHooks::answer_forward_before_apply)) {
    done(outcome);
    return;
  }
  answers_after_apply_.emplace(outcome.index.value, Answer{std::move(done), outcome, ticks_ + kForwardTimeoutTicks});
}

void Node::release_answers() {
  std::vector<Answer> ready;
  const std::uint64_t applied = applied_.applied_index().value;
  while (!answers_after_apply_.empty() && answers_after_apply_.begin()->first <= applied) {
    ready.push_back(std::move(answers_after_apply_.begin()->second));
    answers_after_apply_.erase(answers_after_apply_.begin());
  }
  for (auto& a : ready) a.done(a.outcome);
}

void Node::on_read_ask(const ReadIndexAsk& a) {
  auto refuse = [&](std::string why) { transport_.send(ReadIndexReply{self_, a.from, a.ctx, false, LogIndex(0), std::move(why)}); };
  if (core_->role() != raft::Role::kLeader) return refuse("the member asked is not the leader of the cluster's log");
  const std::uint64_t ctx = ++next_read_ctx_;
  auto r = core_->read_index(ctx);
  if (!r.ok()) return refuse(r.error().message);
  remote_reads_[ctx] = RemoteRead{a.from, a.ctx, ticks_ + kReadTimeoutTicks};
}

void Node::on_read_reply(const ReadIndexReply& r) {
  auto it = reads_.find(r.ctx);
  if (it == reads_.end() || it->second.index) return;
  if (!r.ok) {
    ReadDone done = std::move(it->second.done);
    reads_.erase(it);
    done(make_error(Errc::kUnavailable, r.message + "; retry"));
    return;
  }
  it->second.index = r.index;
  leader_view_ = LeaderView{r.from, r.reachable, ticks_};
  if (observer_ != nullptr) observer_->on_read_state(raft::ReadState{r.ctx, r.index});
  serve_reads();
}

}  // namespace movn::host
