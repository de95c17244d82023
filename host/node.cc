#include "host/node.h"

#include <algorithm>

#include "eventlog/codec.h"
#include "host/coalesce.h"
#include "host/test_hooks.h"

namespace movn::host {

#ifdef MOVN_HOST_TEST_HOOKS
TestHooks& test_hooks() {
  static TestHooks hooks;
  return hooks;
}
#endif

Node::Node(LogStore& log, Transport& transport, Executor& executor, FailStop fail_stop, const Clock& clock,
           Observer* observer, NodeOptions options)
    : log_(log),
      transport_(transport),
      executor_(executor),
      fail_stop_(std::move(fail_stop)),
      clock_(clock),
      observer_(observer),
      options_(std::move(options)),
      reader_(log,
              [this] {
                if (!core_) return;
                core_->entries_fetched();
                schedule_drive();
              },
              fail_stop_),
      // Contexts of forwarded writes and reads are matched with their answers; an answer meant
      // for an earlier incarnation of this member must find none of this one's, so each
      // incarnation counts from its start time (65,536 per millisecond before any overlap).
      next_read_ctx_(clock.now_ms() << 16),
      next_forward_ctx_(clock.now_ms() << 16) {}

void Node::recover(Recovered r) {
  applied_ = std::move(r.applied);
  speculative_ = applied_;
  last_link_ = r.last_link;
  recovered_last_index_ = r.last_index;
  recovered_hard_state_ = r.hard_state;
  written_hard_state_ = r.hard_state;
  recovered_config_ = std::move(r.committed_config);
  replayed_ = r.replayed;
  from_checkpoint_ = r.from_checkpoint;
}

void Node::write_links() {
  if (unwritten_links_.empty()) return;
  log_.put_links(std::move(unwritten_links_));
  unwritten_links_.clear();
}

void Node::write_deferred() {
  if (deferred_hard_state_ || deferred_config_) {
    LogStore::Write w;
    w.entries = nullptr;
    w.hard_state = std::exchange(deferred_hard_state_, std::nullopt);
    w.committed_config = std::exchange(deferred_config_, std::nullopt);
    w.sync = false;
    log_.submit(std::move(w), [fail = fail_stop_](Result<void> r) {
      if (!r.ok()) fail(r.error());
    });
  }
  write_links();
}

void Node::checkpoint() {
  // The commit index the host holds goes first. A checkpoint can still stand above the stored
  // commit index: entries an early Ready handed out are applied before the Ready that carries
  // their commit index. Replay accepts that (it replays from the checkpoint, and the entries are
  // committed: an early Ready hands out only durable, committed entries).
  write_deferred();
  applied_since_checkpoint_ = 0;
  log_.put_checkpoint(applied_.checkpoint());
}

bool Node::known_request(const std::string& request_id) const {
  return applied_.requests().find(request_id) != nullptr || pending_by_request_.contains(request_id);
}

ClusterTimeMs Node::next_cluster_time() {
  return ClusterTimeMs(std::max(speculative_.last_time_ms() + 1, clock_.now_ms()));
}

bool Node::initialized() const {
  return core_ != nullptr || recovered_last_index_.value > 0 || recovered_hard_state_.term.value > 0 ||
         options_.self != raft::kNoNode;
}

void Node::start(std::function<void()> on_ready, std::string_view member_name) {
  on_leader_ready_ = std::move(on_ready);
  if (options_.genesis_voters) {
    start_raft(options_.self, *options_.genesis_voters);
    return;
  }
  if (!initialized()) {
    // No Raft before a bootstrap (or a join): nothing to elect, and a no-op written now would
    // sit in a log that a cluster joined later overwrites. It serves at once.
    if (auto cb = std::move(on_leader_ready_)) executor_.post(std::move(cb));
    on_leader_ready_ = nullptr;
    return;
  }
  // Its Raft id: given (a member that joined knows it before its log holds anything), or the
  // membership's for its name, or the founder's. Every cluster's configuration before its first
  // configuration entry is the founder alone.
  NodeId self = options_.self;
  if (self == raft::kNoNode) {
    const auto* me = member_name.empty() ? nullptr : applied_.membership().find(member_name);
    self = me != nullptr ? me->raft_id : kFounder;
  }
  start_raft(self, {kFounder});
  // A member of a cluster of several serves at once: its peers may not be up yet (a restart of
  // every member), and until a leader is known its requests are answered "unavailable".
  const auto in_effect = core_->configuration().voters();
  if (!(in_effect.size() == 1 && in_effect.front() == self_)) {
    if (auto cb = std::move(on_leader_ready_)) executor_.post(std::move(cb));
    on_leader_ready_ = nullptr;
  }
}

void Node::start_raft(NodeId self, std::vector<NodeId> voters) {
  self_ = self;
  raft::Config cfg = options_.raft;
  cfg.id = self_;
  cfg.voters = voters;
  if (cfg.seed == 0) cfg.seed = clock_.now_ms() ^ (self_.value << 48);
  cfg.applied = applied_.applied_index();
  if (!cfg.on_broken_invariant)
    cfg.on_broken_invariant = [fail = fail_stop_](std::string_view what) {
      fail(make_error(Errc::kInternal, "raft: " + std::string(what)));
    };
  // Without a stored one, the committed configuration is the initial one (this member alone in
  // the daemon). The core then reads only the entries above the commit index for configuration
  // changes.
  auto committed = recovered_config_;
  if (!committed && !options_.genesis_voters)
    committed = raft::IndexedConfiguration{LogIndex(0), raft::voters_configuration(voters)};
  core_ = std::make_unique<raft::Core>(std::move(cfg), reader_, recovered_hard_state_, std::move(committed));
  if (observer_ != nullptr) observer_->on_start(*core_, voters);
  // The only voter needs no election timeout: it campaigns now.
  const auto in_effect = core_->configuration().voters();
  if (in_effect.size() == 1 && in_effect.front() == self_) core_->campaign();
  schedule_drive();
}

void Node::campaign() {
  if (!core_) return;
  core_->campaign();
  schedule_drive();
}

Result<LogIndex> Node::propose_change(NodeId member, std::optional<raft::MemberRole> role) {
  if (!core_) return make_error(Errc::kUnavailable, "this member runs no Raft yet");
  auto r = core_->propose_change(member, role);
  if (r.ok()) {
    if (observer_ != nullptr) observer_->on_change_proposed(member, role, *r);
    schedule_drive();
  }
  return r;
}

Result<void> Node::transfer(NodeId to) {
  if (!core_) return make_error(Errc::kUnavailable, "this member runs no Raft yet");
  auto r = core_->transfer(to);
  if (r.ok()) schedule_drive();
  return r;
}

void Node::tick() {
  ++join_ticks_;
  if (joining_ && joining_->deadline_tick <= join_ticks_) {
    joining_->failures.push_back(joining_->addresses[joining_->next] + ": no answer");
    ++joining_->next;
    send_join_ask();
  }
  // What waited for a synced write to ride along with goes to the store at least once a tick.
  write_deferred();
  if (!core_) return;
  ++ticks_;
  core_->tick();
  membership_loop();
  for (auto& done : take_expired(reads_, ticks_))
    done(make_error(Errc::kUnavailable, "could not learn the cluster's commit index in time; retry"));
  expire_waiting();
  schedule_drive();
}

std::uint64_t Node::read_barrier(ReadDone done) {
  if (!initialized()) {
    done({});  // an empty log: nothing a read could miss
    return 0;
  }
  if (!core_) {
    done(make_error(Errc::kUnavailable, "this member is not the leader of the cluster's log"));
    return 0;
  }
  const std::uint64_t ctx = ++next_read_ctx_;
  if (planted(&TestHooks::read_without_confirmation) && core_->role() == raft::Role::kLeader) {
    // Planted bug: the leader's own commit index, unconfirmed.
    const raft::ReadState rs{ctx, core_->committed()};
    reads_[ctx] = PendingRead{std::move(done), rs.index, ticks_ + kReadTimeoutTicks};
    if (observer_ != nullptr) observer_->on_read_state(rs);
    serve_reads();
    return ctx;
  }
  if (core_->role() != raft::Role::kLeader) {
    // A follower asks the leader for the index to wait for (docs/adr/0009).
    const NodeId leader = core_->leader();
    if (leader == raft::kNoNode || leader == self_) {
      done(make_error(Errc::kUnavailable, "no leader of the cluster's log is known; retry"));
      return 0;
    }
    if (reads_.size() >= kMaxForwards) {
      done(make_error(Errc::kUnavailable, "too many reads are waiting; retry"));
      return 0;
    }
    reads_[ctx] = PendingRead{std::move(done), std::nullopt, ticks_ + kReadTimeoutTicks};
    transport_.send(ReadIndexAsk{self_, leader, ctx});
    return ctx;
  }
  auto r = core_->read_index(ctx);
  if (!r.ok()) {
    done(std::move(r).error());
    return 0;
  }
  reads_[ctx] = PendingRead{std::move(done), std::nullopt, ticks_ + kReadTimeoutTicks};
  schedule_drive();
  return ctx;
}

void Node::serve_reads() {
  std::vector<ReadDone> ready;
  for (auto it = reads_.begin(); it != reads_.end();) {
    if (it->second.index && *it->second.index <= applied_.applied_index()) {
      ready.push_back(std::move(it->second.done));
      it = reads_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& done : ready) done({});
}

void Node::fail_reads(const Error& why) {
  auto reads = std::move(reads_);
  reads_.clear();
  for (auto& [ctx, r] : reads) r.done(why);
}

std::optional<raft::MemberRole> Node::role_of(NodeId member) const {
  if (!core_) return std::nullopt;
  return core_->committed_configuration().configuration.role(member);
}

bool Node::reachable(NodeId member) const {
  if (!core_) return false;
  if (member == self_) return true;
  if (core_->role() == raft::Role::kLeader) {
    for (const auto& s : core_->member_statuses())
      if (s.id == member) return s.online;
    return false;
  }
  // A follower shows what the leader it follows reported with its last read answer, while that
  // is recent.
  if (!leader_view_ || leader_view_->leader != core_->leader() || ticks_ > leader_view_->tick + kReadTimeoutTicks)
    return false;
  return std::find(leader_view_->reachable.begin(), leader_view_->reachable.end(), member) !=
         leader_view_->reachable.end();
}

std::vector<NodeId> Node::heard_from() const {
  std::vector<NodeId> out{self_};
  for (const auto& s : core_->member_statuses())
    if (s.online && s.id != self_) out.push_back(s.id);
  return out;
}

bool Node::leader_ready() const {
  if (!core_ || core_->role() != raft::Role::kLeader) return false;
  // Once true in a term it stays true for that term (the applied index only grows, and terms
  // never fall along the log); every proposal asks, and the term of a persisted entry is a
  // store read, so the answer is kept.
  if (ready_term_ == core_->term()) return true;
  if (core_->log().term(applied_.applied_index()) != core_->term()) return false;
  ready_term_ = core_->term();
  return true;
}

void Node::propose(const commands::Request& request, RequestMeta meta, ProposeDone done) {
  propose_impl(request, std::move(meta), std::move(done), /*may_forward=*/true);
}

void Node::propose_impl(const commands::Request& request, RequestMeta meta, ProposeDone done, bool may_forward) {
  const std::string digest = commands::request_digest(request);
  auto reused = [&] {
    done(make_error(Errc::kConflict, "request id " + meta.request_id +
                                         " was already used for a different request"));
  };
  // A retry of an applied request gets the first result back; one in flight waits for it.
  const bool dedup = !planted(&TestHooks::propose_without_dedup);
  if (const auto* applied = dedup ? applied_.requests().find(meta.request_id) : nullptr) {
    if (!applied->digest.empty() && applied->digest != digest) return reused();
    if (applied->superseded)
      done(make_error(Errc::kConflict, "a concurrent change won: the request was not applied"));
    else
      done(Outcome{applied->index, true});
    return;
  }
  if (auto it = pending_by_request_.find(meta.request_id); dedup && it != pending_by_request_.end()) {
    if (pending_[it->second].batch.request_digest != digest) return reused();
    pending_[it->second].waiters.push_back(
        [done = std::move(done)](Result<Outcome> r) {
          if (r.ok()) r->duplicate = true;
          done(std::move(r));
        });
    return;
  }
  if (!core_ && !initialized()) {
    if (!std::holds_alternative<commands::BootstrapRequest>(request)) {
      // decide() says why ("not part of a cluster yet").
      auto decided = commands::decide(speculative_, request, next_cluster_time());
      done(decided.ok() ? make_error(Errc::kFailedPrecondition, "this member is not part of a cluster yet")
                        : std::move(decided).error());
      return;
    }
    // The bootstrap starts Raft: this member becomes the only voter, with the founder's id.
    start_raft(kFounder, {kFounder});
  }
  if (!core_ || core_->role() != raft::Role::kLeader) {
    // A follower hands the request to the leader it knows; a forwarded request is never
    // forwarded again (no loops while leadership moves).
    if (may_forward && core_ && core_->leader() != raft::kNoNode && core_->leader() != self_) {
      forward(request, std::move(meta), std::move(done));
      return;
    }
    done(make_error(Errc::kUnavailable, may_forward ? "no leader of the cluster's log is known; retry"
                                                    : "this member is not the leader of the cluster's log"));
    return;
  }
  if (applied_.requests().expired(meta.request_id)) {
    done(expired_error(meta.request_id));
    return;
  }
  // A new leader may hold committed entries of earlier terms that it has not applied yet; one of
  // them may be this very request, proposed by its predecessor. Its dedup check above can only be
  // trusted, and decide() only sees the whole state, once they are applied, which its own first
  // entry (the no-op) committing guarantees. Until then the request waits.
  if (!leader_ready() && !planted(&TestHooks::propose_before_ready)) {
    if (held_.size() >= kMaxHeldProposals) {
      done(make_error(Errc::kUnavailable, "too many requests are waiting for a new leader; retry"));
      return;
    }
    held_.push_back(Held{request, std::move(meta), std::move(done)});
    schedule_drive();
    return;
  }
  ClusterTimeMs now = next_cluster_time();
  auto decided = commands::decide(speculative_, request, now);
  if (!decided.ok()) {
    done(std::move(decided).error());
    return;
  }
  if (decided->empty()) {
    done(Outcome{LogIndex(0), false});
    return;
  }
  events::EventBatch decided_batch{meta.request_id, std::move(meta.actor), now, std::move(decided).value(),
                                   digest};
  std::string bytes = eventlog::encode_batch(decided_batch);
  // What is applied is what the log holds: the batch decoded from the bytes that are appended.
  auto decoded = eventlog::decode_batch(bytes);
  if (!decoded.ok() || !(*decoded == decided_batch)) {
    done(make_error(Errc::kInvalidArgument, "the request does not encode faithfully into the log"));
    return;
  }
  auto index = core_->propose(std::move(bytes));
  if (!index.ok()) {
    done(std::move(index).error());
    return;
  }
  events::EventBatch batch = std::move(decoded).value();
  if (observer_ != nullptr) observer_->on_proposed(batch.request_id, *index, core_->term());
  speculative_.apply_batch(batch, *index, core_->term());
  pending_by_request_[batch.request_id] = index->value;
  auto& p = pending_[index->value];
  p.term = core_->term();
  p.batch = std::move(batch);
  p.waiters.push_back(std::move(done));
  schedule_drive();
}

void Node::schedule_drive() {
  if (drive_scheduled_) return;
  drive_scheduled_ = true;
  // Later in this turn of the core thread, so that everything proposed in it shares one Ready.
  executor_.post([this] {
    drive_scheduled_ = false;
    drive();
  });
}

void Node::drive() {
  if (!core_) return;
  if (ready_) {
    // A write is running: what needs no write goes now (raft::Core::early_ready()).
    if (core_->has_early_ready()) drive_early();
    return;
  }
  if (!core_->has_ready()) return;
  const bool leader = core_->role() == raft::Role::kLeader;
  if (was_leader_ && !leader) {
    abandon_pending(make_error(Errc::kUnavailable,
                               "leadership changed before the request committed: it may or may not be "
                               "applied; retry with the same request id"));
    fail_reads(make_error(Errc::kUnavailable, "this member stopped leading the cluster; retry"));
    remote_reads_.clear();  // their followers time out and ask again
    auto held = std::move(held_);
    held_.clear();
    for (auto& h : held) h.done(make_error(Errc::kUnavailable, "this member stopped leading the cluster; retry"));
  }
  was_leader_ = leader;
  ready_ = core_->ready();
  raft::Ready& rd = *ready_;
  if (observer_ != nullptr) observer_->on_ready(*core_, rd);
  // The leader sends its appends and heartbeats while its own write runs (host-loop-notes.md §2):
  // replies wait for the write, and so does everything when the term or the vote changes.
  const bool new_term_or_vote = rd.hard_state && (rd.hard_state->term != written_hard_state_.term ||
                                                  rd.hard_state->vote != written_hard_state_.vote);
  if (planted(&TestHooks::replies_before_persist)) {
    std::vector<raft::Message> after;
    for (auto& m : rd.messages) {
      if (raft::must_follow_persist(m.type)) transport_.send(std::move(m));
      else after.push_back(std::move(m));
    }
    rd.messages = std::move(after);
  } else if (!new_term_or_vote && !rd.entries_to_persist.empty()) {
    std::vector<raft::Message> after, now;
    for (auto& m : rd.messages) (raft::must_follow_persist(m.type) ? after : now).push_back(std::move(m));
    send_messages(now);
    rd.messages = std::move(after);
  }
  LogStore::Write w;
  w.entries = &rd.entries_to_persist;
  w.hard_state = rd.hard_state;
  // The committed configuration is derived from the log like the commit index: it rides along
  // in the same write, without a sync of its own.
  w.committed_config = rd.committed_config;
  // A new term or vote must be durable before any message leaves; a commit index alone need not
  // be (a lost one is learnt again), so it is written without a sync and without waiting.
  w.sync = !rd.entries_to_persist.empty();
  if (rd.hard_state) {
    const auto& h = *rd.hard_state;
    if (h.term != written_hard_state_.term || h.vote != written_hard_state_.vote) w.sync = true;
    written_hard_state_ = h;
  }
  if (!w.sync) {
    // A commit index (or committed configuration) alone waits for the next synced write, or the
    // next tick, to ride along with: a lost one is learnt again from the leader, and a write of its
    // own per commit would wake the storage thread once more for every entry (docs/perf.md).
    if (w.hard_state) deferred_hard_state_ = w.hard_state;
    if (w.committed_config) deferred_config_ = std::move(w.committed_config);
    finish_ready();
    return;
  }
  // What waited rides along: the links as a job queued just before this write (the storage thread
  // takes both in one turn), the deferred commit index and configuration in the write itself (a
  // newer one in this Ready supersedes them).
  write_links();
  if (deferred_hard_state_ && !w.hard_state) w.hard_state = written_hard_state_;
  if (deferred_config_ && !w.committed_config) w.committed_config = std::move(deferred_config_);
  deferred_hard_state_.reset();
  deferred_config_.reset();
  // Committed entries below this write's first entry are durable here already: they are applied
  // while the write runs (a lone voter's entries commit once written, and would otherwise wait
  // for the next group's sync). The rest are applied once the write is durable.
  std::vector<eventlog::Entry> durable_committed;
  for (const auto& e : rd.committed) {
    if (!rd.entries_to_persist.empty() && e.index >= rd.entries_to_persist.front().index) break;
    durable_committed.push_back(e);
  }
  const LogIndex first_written = rd.entries_to_persist.empty() ? LogIndex(0) : rd.entries_to_persist.front().index;
  log_.submit(std::move(w), [this, first_written](Result<void> r) {
    if (!r.ok()) {
      // A failed write or sync of the log is fail-stop (docs/design.md §6).
      fail_stop_(r.error());
      return;
    }
    if (first_written.value > 0) reader_.replaced_from(first_written);
    if (!core_) {  // this member was removed meanwhile: its Raft has stopped
      ready_.reset();
      return;
    }
    if (!ready_) return;
    if (observer_ != nullptr) observer_->on_durable(*ready_);
    finish_ready();
  });
  if (!durable_committed.empty()) {
    apply_committed(durable_committed);
    serve_reads();
  }
}

void Node::send_messages(std::vector<raft::Message>& messages) {
  coalesce(messages, options_.raft.max_append_bytes);
  for (auto& m : messages) transport_.send(std::move(m));
}

void Node::drive_early() {
  // Not reported as a Ready to the observer: it carries nothing to write.
  raft::Ready rd = core_->early_ready();
  send_messages(rd.messages);
  apply_committed(rd.committed);
  serve_reads();
  core_->advance_early(rd);
}

void Node::finish_ready() {
  raft::Ready rd = std::move(*ready_);
  ready_.reset();
  // Persist, then send what had to wait for it, then apply.
  send_messages(rd.messages);
  apply_committed(rd.committed);
  for (const auto& rs : rd.read_states) {
    if (auto it = reads_.find(rs.request_ctx); it != reads_.end()) {
      if (observer_ != nullptr) observer_->on_read_state(rs);
      it->second.index = rs.index;
    } else if (auto rr = remote_reads_.find(rs.request_ctx); rr != remote_reads_.end()) {
      // A follower's read: it waits for its own apply of this index.
      transport_.send(ReadIndexReply{self_, rr->second.from, rr->second.ctx, true, rs.index, {}, heard_from()});
      remote_reads_.erase(rr);
    }
  }
  serve_reads();
  core_->advance(rd);
  if (on_leader_ready_ && leader_ready()) {
    auto cb = std::move(on_leader_ready_);
    on_leader_ready_ = nullptr;
    cb();
  }
  release_held();
  schedule_drive();
}

void Node::release_held() {
  if (held_.empty() || !leader_ready()) return;
  auto held = std::move(held_);
  held_.clear();
  for (auto& h : held) propose(h.request, std::move(h.meta), std::move(h.done));
}

void Node::apply_committed(const std::vector<eventlog::Entry>& committed) {
  bool resync = false;
  for (const auto& e : committed) {
    if (e.index <= applied_.applied_index()) continue;
    std::optional<Pending> mine;
    if (auto it = pending_.find(e.index.value); it != pending_.end()) {
      Pending p = std::move(it->second);
      pending_.erase(it);
      pending_by_request_.erase(p.batch.request_id);
      if (p.term == e.term) {
        mine = std::move(p);
      } else {
        // Another leader's entry took this index: our proposal was never committed.
        for (auto& w : p.waiters)
          w(make_error(Errc::kUnavailable, "leadership changed before the request committed; retry"));
        resync = true;
      }
    }
    auto outcome = projections::ApplyOutcome::kApplied;
    std::string folded_id;  // the request id of an event batch
    if (e.type == eventlog::EntryType::kEventBatch) {
      if (mine) {
        outcome = applied_.apply_batch(mine->batch, e.index, e.term);
        folded_id = mine->batch.request_id;
      } else {
        auto batch = eventlog::decode_batch(e.data);
        if (!batch.ok()) {
          fail_stop_(batch.error().wrap("committed entry " + std::to_string(e.index.value) + " does not decode"));
          return;
        }
        outcome = applied_.apply_batch(*batch, e.index, e.term);
        folded_id = batch->request_id;
        if (pending_.empty()) speculative_.apply_batch(*batch, e.index, e.term);
        else resync = true;
      }
    } else {
      applied_.skip(e.index);
      if (pending_.empty()) speculative_.skip(e.index);
      else resync = true;
    }
    last_link_ = eventlog::chain_link(last_link_, e);
    // Links go to the store with the next synced write, or at the next tick (write_deferred).
    unwritten_links_.emplace_back(e.index, last_link_);
    if (++applied_since_checkpoint_ >= kCheckpointEveryEntries) checkpoint();
    if (observer_ != nullptr) {
      std::optional<Observer::Folded> folded;
      if (e.type == eventlog::EntryType::kEventBatch) folded.emplace(Observer::Folded{folded_id, outcome});
      observer_->on_applied(e, applied_, folded);
    }
    if (!mine) continue;
    if (outcome != projections::ApplyOutcome::kApplied) resync = true;  // the view had let it through
    const auto result = outcome_of(outcome, mine->batch.request_id, e.index);
    for (auto& w : mine->waiters) w(result);
  }
  if (resync) resync_speculative();
  release_answers();
}

Error Node::expired_error(const std::string& request_id) const {
  return make_error(Errc::kConflict,
                    "request id " + request_id + " has expired: it is older than the " +
                        std::to_string(projections::Requests::kWindowRequests) +
                        " requests the cluster remembers, so whether it was applied is unknown; check the "
                        "state (events list) and send it again with a new id if it should still happen");
}

Result<Outcome> Node::outcome_of(projections::ApplyOutcome outcome, const std::string& request_id,
                                 LogIndex index) const {
  using projections::ApplyOutcome;
  switch (outcome) {
    case ApplyOutcome::kApplied:
      return Outcome{index, false};
    case ApplyOutcome::kSuperseded:
      return make_error(Errc::kConflict, "a concurrent change won: the request was not applied");
    case ApplyOutcome::kReusedId:
      return make_error(Errc::kConflict, "request id " + request_id + " was already used for a different request");
    case ApplyOutcome::kExpired:
      return expired_error(request_id);
    case ApplyOutcome::kDuplicate:
      break;
  }
  // A retry that reached the log twice (proposed again by a later leader): the first outcome.
  auto first = applied_.requests().find(request_id);
  if (!first || first->superseded)
    return make_error(Errc::kConflict, "a concurrent change won: the request was not applied");
  return Outcome{first->index, true};
}

void Node::abandon_pending(const Error& why) {
  auto pending = std::move(pending_);
  pending_.clear();
  pending_by_request_.clear();
  for (auto& [i, p] : pending)
    for (auto& w : p.waiters) w(why);
  resync_speculative();
}

void Node::resync_speculative() {
  speculative_ = applied_;
  for (auto& [i, q] : pending_) speculative_.apply_batch(q.batch, LogIndex(i), q.term);
}

}  // namespace movn::host
