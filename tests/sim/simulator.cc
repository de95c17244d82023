// Simulator: members, the tick loop, the Ready host loop and scripted control.
// Random faults and the seed driver are in sim_faults.cc.
#include "tests/sim/simulator.h"

#include "tests/sim/sim_member.h"

#include <cassert>

namespace movn::sim {


Simulator::Simulator(SimOptions options)
    : options_(std::move(options)),
      rng_(options_.seed * 0x2545F4914F6CDD1DULL + 1),
      network_(rng_),
      trace_(options_.trace, options_.trace_keep) {
  if (!options_.make_applier) {
    options_.make_applier = [] { return std::make_unique<BytesApplier>(); };
  }
  for (int i = 1; i <= options_.members; ++i) {
    auto m = std::make_unique<Member>();
    m->id = static_cast<std::uint64_t>(i);
    members_.push_back(std::move(m));
  }
  for (int i = 1; i <= options_.members; ++i) restart(static_cast<std::uint64_t>(i));
}

Simulator::~Simulator() = default;

Simulator::Member& Simulator::member(std::uint64_t id) {
  assert(id >= 1 && id <= members_.size());
  return *members_[id - 1];
}
const Simulator::Member& Simulator::member(std::uint64_t id) const {
  assert(id >= 1 && id <= members_.size());
  return *members_[id - 1];
}

raft::Core& Simulator::core(std::uint64_t id) {
  assert(member(id).core);
  return *member(id).core;
}
const SimStore& Simulator::store(std::uint64_t id) const { return member(id).store; }
bool Simulator::up(std::uint64_t id) const { return member(id).core != nullptr; }
LogIndex Simulator::applied(std::uint64_t id) const { return member(id).applied; }
bool Simulator::acked(const std::string& data) const { return acked_.contains(data); }

void Simulator::event(EventKind kind, std::uint64_t a, std::uint64_t b, std::uint64_t c) {
  TraceEvent e;
  e.tick = now_;
  e.kind = kind;
  e.a = a;
  e.b = b;
  e.c = c;
  trace_.add(e);
}

// ---- members ----

void Simulator::restart(std::uint64_t id) {
  Member& m = member(id);
  if (m.core) return;
  raft::Config cfg;
  cfg.id = NodeId(id);
  for (int i = 1; i <= options_.members; ++i) cfg.voters.push_back(NodeId(i));
  cfg.election_ticks = options_.election_ticks;
  cfg.heartbeat_ticks = options_.heartbeat_ticks;
  cfg.seed = rng_.next();
  cfg.max_append_bytes = options_.max_append_bytes;
  cfg.max_inflight_msgs = options_.max_inflight_msgs;
  cfg.max_uncommitted_bytes = options_.max_uncommitted_bytes;
  cfg.on_broken_invariant = [this, id](std::string_view what) {
    checker_.on_broken(NodeId(id), what);
  };
#ifdef MOVN_RAFT_TEST_HOOKS
  cfg.hooks.reply_with_last_index = options_.plant_bug == 1;
  cfg.hooks.commit_old_terms_without_noop = options_.plant_bug == 2;
#endif
  m.core = std::make_unique<raft::Core>(cfg, m.store, m.store.hard_state());
  m.applier = options_.make_applier();
  m.applied = LogIndex(0);
  m.restart_at = 0;
  m.leader_term_seen = Term(0);
  m.committed_seen = m.core->committed();
  event(EventKind::kRestart, id, m.store.last_index().value, m.store.hard_state().term.value);
}

void Simulator::crash(std::uint64_t id) {
  Member& m = member(id);
  if (!m.core) return;
  bool lost = m.store.has_unsynced();
  m.store.crash();
  m.core.reset();
  m.applier.reset();
  m.pending.reset();
  m.proposals.clear();
  ++crashes_;
  event(EventKind::kCrash, id, lost ? 1 : 0);
}

void Simulator::campaign(std::uint64_t id) {
  Member& m = member(id);
  if (!m.core) return;
  m.core->campaign();
  after_input(m);
}

void Simulator::deliver(raft::Message msg) {
  Member& to = member(msg.to.value);
  if (!to.core) return;
  trace_.add(message_event(now_, EventKind::kDeliver, msg));
  to.core->step(std::move(msg));
  after_input(to);
}

Result<LogIndex> Simulator::propose(std::uint64_t id, std::string data) {
  Member& m = member(id);
  if (!m.core) return make_error(Errc::kUnavailable, "member is down");
  auto r = m.core->propose(data);
  if (!r.ok()) {
    event(EventKind::kProposeRejected, id);
    return r;
  }
  event(EventKind::kPropose, id, r->value, m.core->term().value);
  m.proposals[*r] = std::move(data);
  after_input(m);
  return r;
}

void Simulator::block(std::uint64_t from, std::uint64_t to) {
  if (network_.blocked(from, to)) return;
  network_.block(from, to);
  event(EventKind::kBlock, from, to);
}

void Simulator::isolate(std::uint64_t id) {
  for (const auto& other : members_) {
    if (other->id == id) continue;
    block(id, other->id);
    block(other->id, id);
  }
}

void Simulator::heal() {
  network_.heal();
  event(EventKind::kHeal);
}

void Simulator::set_disk_delay(std::uint64_t id, int ticks) {
  member(id).disk_delay = ticks;
  event(EventKind::kSlowDisk, id, static_cast<std::uint64_t>(ticks));
}

std::optional<std::uint64_t> Simulator::leader() const {
  std::optional<std::uint64_t> best;
  Term best_term;
  for (const auto& m : members_) {
    if (m->core && m->core->role() == raft::Role::kLeader && m->core->term() >= best_term) {
      best = m->id;
      best_term = m->core->term();
    }
  }
  return best;
}

// ---- the host loop of one member ----

void Simulator::observe(Member& m) {
  const raft::Core& core = *m.core;
  if (core.role() == raft::Role::kLeader) {
    if (m.leader_term_seen != core.term()) {
      m.leader_term_seen = core.term();
      event(EventKind::kLeader, m.id, 0, core.term().value);
      checker_.on_leader(NodeId(m.id), core.term(), core);
    }
    if (core.committed() > m.committed_seen) {
      checker_.on_leader_commit(core, m.committed_seen, core.committed());
    }
  }
  m.committed_seen = core.committed();
}

void Simulator::after_input(Member& m) {
  if (!m.core) return;
  observe(m);
  while (m.core && !m.pending && m.core->has_ready() && !violation()) {
    handle_ready(m);
    if (m.core) observe(m);
  }
}

void Simulator::handle_ready(Member& m) {
  raft::Ready rd = m.core->ready();
  if (!rd.entries_to_persist.empty()) {
    LogIndex first = rd.entries_to_persist.front().index;
    checker_.on_write(NodeId(m.id), rd.entries_to_persist, m.core->log().term(first.prev()),
                      m.store.hard_state().commit, m.store.last_index());
  }
  m.store.write(rd);
  m.pending = std::move(rd);
  if (m.disk_delay > 0) {
    // Random runs draw each sync's duration; scripted tests get exactly the delay they set.
    m.pending_at = now_ + (random_mode_ ? rng_.range(1, static_cast<std::uint64_t>(m.disk_delay))
                                        : static_cast<std::uint64_t>(m.disk_delay));
    return;
  }
  complete_ready(m);
}

void Simulator::complete_ready(Member& m) {
  if (random_mode_ && !liveness_phase_ && rng_.chance(faults_.disk_error)) {
    // A failed write or sync is fail-stop: the member exits and restarts from what is durable.
    event(EventKind::kDiskError, m.id);
    crash(m.id);
    m.restart_at = now_ + rng_.range(1, static_cast<std::uint64_t>(faults_.down_ticks_max));
    return;
  }
  m.store.sync();
  raft::Ready rd = std::move(*m.pending);
  m.pending.reset();
  for (raft::Message& msg : rd.messages) {
    TraceEvent e = message_event(now_, EventKind::kDrop, msg);
    int copies = network_.send(std::move(msg), now_);
    if (copies != 1) {
      e.kind = copies == 0 ? EventKind::kDrop : EventKind::kDuplicate;
      trace_.add(e);
    }
  }
  for (const raft::Entry& e : rd.committed) {
    m.applier->apply(e);
    m.applied = e.index;
    checker_.on_apply(NodeId(m.id), e, m.applier->digest());
    auto it = m.proposals.find(e.index);
    if (it != m.proposals.end()) {
      if (e.type == raft::EntryType::kEventBatch && e.data == it->second) {
        acked_.emplace(it->second, e.index);  // the client saw it committed
      }
      m.proposals.erase(it);
    }
  }
  m.core->advance(rd);
}

// ---- the clock ----

void Simulator::tick_once() {
  ++now_;
  if (random_mode_ && !liveness_phase_) random_faults();
  for (auto& m : members_) {
    if (!m->core && m->restart_at != 0 && m->restart_at <= now_) restart(m->id);
  }
  for (auto& m : members_) {
    if (!m->core) continue;
    m->core->tick();
    after_input(*m);
  }
  std::vector<raft::Message> dropped;
  std::vector<raft::Message> due = network_.due(now_, dropped);
  for (const raft::Message& msg : dropped) trace_.add(message_event(now_, EventKind::kDrop, msg));
  for (raft::Message& msg : due) {
    if (violation()) return;
    Member& to = member(msg.to.value);
    if (!to.core) {
      trace_.add(message_event(now_, EventKind::kDrop, msg));
      continue;
    }
    trace_.add(message_event(now_, EventKind::kDeliver, msg));
    to.core->step(std::move(msg));
    after_input(to);
  }
  for (auto& m : members_) {
    if (m->core && m->pending && m->pending_at <= now_) {
      complete_ready(*m);
      after_input(*m);
    }
  }
  if (random_mode_ && !liveness_phase_) random_proposals();
}

void Simulator::run(int ticks) {
  for (int i = 0; i < ticks && !violation(); ++i) tick_once();
}

bool Simulator::run_until(const std::function<bool()>& pred, int max_ticks) {
  for (int i = 0; i < max_ticks; ++i) {
    if (pred()) return true;
    if (violation()) return false;
    tick_once();
  }
  return pred();
}

bool Simulator::check_liveness(int bound_ticks) {
  liveness_phase_ = true;
  event(EventKind::kPhase, 1);
  heal();
  network_.drop_if = nullptr;
  network_.faults.drop = 0;
  network_.faults.duplicate = 0;
  network_.faults.max_delay_ticks = std::min(network_.faults.max_delay_ticks, 3);
  for (auto& m : members_) {
    m->disk_delay = 0;
    restart(m->id);
  }
  const std::string data = "live-" + std::to_string(options_.seed);
  Term proposed_in;
  std::uint64_t proposed_at = 0;
  bool done = run_until(
      [&] {
        if (acked(data)) return true;
        auto l = leader();
        // A client retries at each new leader, and until a leader accepts (it may refuse while
        // its backlog of uncommitted proposals is full).
        if (l && (member(*l).core->term() != proposed_in || proposed_at != *l)) {
          if (propose(*l, data).ok()) {
            proposed_in = member(*l).core->term();
            proposed_at = *l;
          }
        }
        return false;
      },
      bound_ticks);
  if (violation()) return false;
  if (!done) {
    checker_.fail("liveness: no proposal committed within " + std::to_string(bound_ticks) +
                  " ticks of a healed, fully connected cluster");
    return false;
  }
  LogIndex target;
  for (const auto& [bytes, index] : acked_) target = std::max(target, index);
  bool converged = run_until(
      [&] {
        for (auto& m : members_) {
          if (m->applied < target) return false;
        }
        return true;
      },
      3 * bound_ticks);
  if (violation()) return false;
  if (!converged) {
    for (auto& m : members_) {
      if (m->applied < target) {
        checker_.fail("liveness: member " + std::to_string(m->id) + " applied only up to " +
                      std::to_string(m->applied.value) + " < " + std::to_string(target.value) +
                      " within " + std::to_string(3 * bound_ticks) + " ticks");
        return false;
      }
    }
  }
  // Every acknowledged proposal is in every member's log, at the index the client was told.
  for (const auto& [bytes, index] : acked_) {
    for (auto& m : members_) {
      const raft::MemoryLog& log = m->store.view();
      if (index > log.last_index() || log.at(index).data != bytes) {
        checker_.fail("acknowledged proposal lost: index " + std::to_string(index.value) +
                      " on member " + std::to_string(m->id));
        return false;
      }
    }
  }
  return true;
}

}  // namespace movn::sim
