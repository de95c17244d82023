// Simulator: members, the tick loop, the Ready host loop and scripted control.
// Random faults and the seed driver are in sim_faults.cc.
#include "tests/sim/simulator.h"

#include <algorithm>
#include <cassert>

#include "eventlog/codec.h"
#include "projections/test_hooks.h"
#include "tests/sim/sim_member.h"

namespace movn::sim {

Simulator::Simulator(SimOptions options)
    : options_(std::move(options)),
      rng_(options_.seed * 0x2545F4914F6CDD1DULL + 1),
      network_(rng_),
      trace_(options_.trace, options_.trace_keep) {
  if (!options_.make_applier) {
    if (options_.workload == Workload::kCommands) {
      options_.make_applier = [] { return std::make_unique<ProjectionApplier>(); };
    } else {
      options_.make_applier = [] { return std::make_unique<BytesApplier>(); };
    }
  }
  const int machines = std::max(options_.machines, options_.members);
  std::vector<NodeId> voters;
  for (int i = 1; i <= options_.members; ++i) voters.push_back(NodeId(i));
  checker_.set_genesis(raft::voters_configuration(voters));
  for (int i = 1; i <= machines; ++i) {
    auto m = std::make_unique<Member>();
    m->id = static_cast<std::uint64_t>(i);
    // A machine outside the initial configuration knows none: it learns it from the log.
    if (i <= options_.members) m->initial = raft::voters_configuration(voters);
    members_.push_back(std::move(m));
  }
  for (int i = 1; i <= machines; ++i) restart(static_cast<std::uint64_t>(i));
#ifdef MOVN_PROJECTIONS_TEST_HOOKS
  projections::test_hooks().apply_without_dedup = options_.plant_bug == 4;
#endif
}

Simulator::~Simulator() {
#ifdef MOVN_PROJECTIONS_TEST_HOOKS
  projections::test_hooks().apply_without_dedup = false;
#endif
}

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
bool Simulator::acked_change(LogIndex index) const { return acked_changes_.contains(index); }
bool Simulator::acked_request(const std::string& request_id) const {
  return acked_requests_.contains(request_id);
}
const projections::State& Simulator::projections(std::uint64_t id) const {
  assert(member(id).projections);
  return member(id).projections->state();
}

void Simulator::event(EventKind kind, std::uint64_t a, std::uint64_t b, std::uint64_t c,
                      std::uint64_t d) {
  TraceEvent e;
  e.tick = now_;
  e.kind = kind;
  e.a = a;
  e.b = b;
  e.c = c;
  e.d = d;
  trace_.add(e);
}

// ---- members ----

void Simulator::restart(std::uint64_t id) {
  Member& m = member(id);
  if (m.core) return;
  raft::Config cfg;
  cfg.id = NodeId(id);
  for (const auto& [voter, role] : m.initial.members) cfg.voters.push_back(voter);
  cfg.role_targets = options_.role_targets;
  cfg.check_quorum = options_.check_quorum;
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
  // The committed configuration is kept with the hard state; a host without the record (lost,
  // or never written) makes the core read every configuration entry of the log instead.
  std::optional<raft::IndexedConfiguration> committed_config = m.store.committed_config();
  if (committed_config && random_mode_ && rng_.chance(faults_.forget_config_record)) {
    committed_config.reset();
  }
  m.core = std::make_unique<raft::Core>(cfg, m.store, m.store.hard_state(), committed_config);
  checker_.on_start(NodeId(id), m.initial, m.store.view(), *m.core);
  m.applier = options_.make_applier();
  m.projections = dynamic_cast<const ProjectionApplier*>(m.applier.get());
  assert((m.projections || options_.workload != Workload::kCommands) &&
         "Workload::kCommands decides against a ProjectionApplier's state");
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
  m.projections = nullptr;
  m.pending.reset();
  m.proposals.clear();
  m.reads.clear();
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
  return propose_entry(id, std::move(data), {});
}

Result<LogIndex> Simulator::propose_entry(std::uint64_t id, std::string data,
                                          std::string request_id) {
  Member& m = member(id);
  if (!m.core) return make_error(Errc::kUnavailable, "member is down");
  auto r = m.core->propose(data);
  if (!r.ok()) {
    event(EventKind::kProposeRejected, id);
    return r;
  }
  event(EventKind::kPropose, id, r->value, m.core->term().value);
  m.proposals[*r] =
      Member::Proposal{raft::EntryType::kEventBatch, std::move(data), std::move(request_id)};
  after_input(m);
  return r;
}

Result<LogIndex> Simulator::propose_change(std::uint64_t at, std::uint64_t member_id,
                                          std::optional<raft::MemberRole> role) {
  Member& m = member(at);
  if (!m.core) return make_error(Errc::kUnavailable, "member is down");
  auto r = m.core->propose_change(NodeId(member_id), role);
  const std::uint64_t role_code = role ? static_cast<std::uint64_t>(*role) : 0;
  if (!r.ok()) {
    event(EventKind::kChangeRejected, at, member_id, role_code);
    return r;
  }
  ++changes_;
  event(EventKind::kChange, at, member_id, role_code, r->value);
  m.proposals[*r] = Member::Proposal{raft::EntryType::kConfig,
                                     raft::encode_configuration(m.core->configuration()), {}};
  after_input(m);
  return r;
}

Result<void> Simulator::transfer(std::uint64_t at, std::uint64_t to) {
  Member& m = member(at);
  if (!m.core) return make_error(Errc::kUnavailable, "member is down");
  auto r = m.core->transfer(NodeId(to));
  if (!r.ok()) return r;
  ++transfers_;
  event(EventKind::kTransfer, at, to, m.core->term().value);
  after_input(m);
  return r;
}

Result<std::uint64_t> Simulator::read(std::uint64_t at) {
  Member& m = member(at);
  if (!m.core) return make_error(Errc::kUnavailable, "member is down");
  const std::uint64_t ctx = ++next_read_;
  // Recorded before the core can answer: a lone voter confirms at once.
  checker_.on_read_issued(ctx, acked_high_);
  if (options_.plant_bug == 3) {
    // Planted host bug: a member that believes it leads answers from its own commit index.
    if (m.core->role() != raft::Role::kLeader) {
      return make_error(Errc::kUnavailable, "not the leader");
    }
    if (!acked_request_high_.first.empty()) read_requests_.emplace(ctx, acked_request_high_);
    event(EventKind::kRead, at, ctx, acked_high_.value);
    raft::ReadState rs{ctx, m.core->committed()};
    checker_.on_read_state(NodeId(at), rs);
    m.reads.push_back(rs);
    serve_reads(m);
    return ctx;
  }
  if (auto r = m.core->read_index(ctx); !r.ok()) return std::move(r).error();
  if (!acked_request_high_.first.empty()) read_requests_.emplace(ctx, acked_request_high_);
  event(EventKind::kRead, at, ctx, acked_high_.value);
  after_input(m);
  return ctx;
}

std::string Simulator::next_request_id() {
  return "sim-" + std::to_string(options_.seed) + "-" + std::to_string(next_proposal_++);
}

Result<LogIndex> Simulator::propose_command(std::uint64_t id, const commands::Request& request,
                                            std::string request_id) {
  Member& m = member(id);
  if (!m.core) return make_error(Errc::kUnavailable, "member is down");
  assert(m.projections);
  const projections::State& view = m.projections->state();
  // As the daemon does: a request id this member has applied is answered from its requests
  // projection, not decided again. One it has not applied yet (a lagging member, a new leader)
  // is decided and proposed again, and apply refuses the second copy.
  if (view.requests().find(request_id)) return LogIndex(0);
  // Cluster time is the tick, made monotonic like a leader's wall clock (docs/design.md §2a).
  ClusterTimeMs now(std::max({now_, view.last_time_ms() + 1, m.last_time_ms + 1}));
  auto decided = commands::decide(view, request, now);
  if (!decided.ok()) {
    ++refused_;
    return std::move(decided).error();
  }
  if (decided->empty()) return LogIndex(0);
  events::EventBatch batch{std::move(request_id),
                           events::Actor{"m" + std::to_string(id), "sim-client"}, now,
                           std::move(decided).value(), commands::request_digest(request)};
  std::string bytes = eventlog::encode_batch(batch);
  MOVN_ASSIGN_OR_RETURN(LogIndex index,
                        propose_entry(id, std::move(bytes), std::move(batch.request_id)));
  m.last_time_ms = now.value;
  return index;
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
  checker_.on_role(NodeId(m.id), core);
  if (core.role() == raft::Role::kLeader) {
    // A leadership counts once its term is durable on the leader: a lone voter elects itself
    // without a message, and a crash before the sync loses the term and its vote together.
    if (m.store.durable().hard_state().term != core.term()) return;
    if (m.leader_term_seen != core.term()) {
      m.leader_term_seen = core.term();
      event(EventKind::kLeader, m.id, 0, core.term().value);
      checker_.on_leader(NodeId(m.id), core.term(), core);
    }
    // A commit counts once the entries it covers are durable on the leader. Only a leader that
    // is the only voter commits before that (on append): a crash before its write is synced
    // loses entries and commit index together, and nothing depending on them has left it.
    const LogIndex durable = std::min(core.committed(), m.store.synced_through());
    if (durable > m.committed_seen) {
      checker_.on_leader_commit(core, m.committed_seen, durable);
      m.committed_seen = durable;
    }
    return;
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
  checker_.on_write(NodeId(m.id), rd.entries_to_persist, m.store.hard_state().commit,
                    m.store.view());
  m.store.write(rd);
  checker_.on_ready(NodeId(m.id), *m.core, rd);
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
  // One Ready is written at a time, so the durable log now ends with its entries.
  Term prev_term;
  if (!rd.entries_to_persist.empty() && rd.entries_to_persist.front().index.value > 1) {
    prev_term = m.store.durable().term(rd.entries_to_persist.front().index.prev());
  }
  checker_.on_synced(NodeId(m.id), rd, prev_term);
  for (raft::Message& msg : rd.messages) {
    TraceEvent e = message_event(now_, EventKind::kDrop, msg);
    int copies = network_.send(std::move(msg), now_);
    if (copies != 1) {
      e.kind = copies == 0 ? EventKind::kDrop : EventKind::kDuplicate;
      trace_.add(e);
    }
  }
  for (const raft::Entry& e : rd.committed) {
    if (auto r = m.applier->apply(e); !r.ok()) {
      checker_.fail("state machine of member " + std::to_string(m.id) +
                    " cannot apply: " + r.error().message);
    }
    m.applied = e.index;
    const bool take_digest = e.index.value % options_.digest_every_entries == 0;
    checker_.on_apply(NodeId(m.id), e, take_digest ? m.applier->digest() : std::string());
    if (m.projections != nullptr) {
      if (const auto& folded = m.projections->last_folded()) {
        checker_.on_request_folded(NodeId(m.id), folded->request_id, e.index, folded->outcome);
        if (folded->outcome == projections::ApplyOutcome::kDuplicate) ++duplicates_refused_;
      }
    }
    acknowledge(m.id, e);
  }
  for (const raft::ReadState& rs : rd.read_states) {
    checker_.on_read_state(NodeId(m.id), rs);
    event(EventKind::kReadConfirmed, m.id, rs.request_ctx, rs.index.value);
    m.reads.push_back(rs);
  }
  serve_reads(m);
  m.core->advance(rd);
}

void Simulator::acknowledge(std::uint64_t id, const raft::Entry& e) {
  Member& m = member(id);
  auto it = m.proposals.find(e.index);
  if (it == m.proposals.end()) return;
  if (e.type == it->second.type && e.data == it->second.data) {
    // The client saw it committed.
    if (e.type == raft::EntryType::kConfig) {
      acked_changes_.emplace(e.index, it->second.data);
    } else {
      acked_.emplace(it->second.data, e.index);
    }
    acked_high_ = std::max(acked_high_, e.index);
    if (!it->second.request_id.empty()) {
      // The client is told the request's first outcome: for a retry that reached the log twice,
      // the index where the first copy was applied (as the daemon's Node::outcome_of does).
      LogIndex told = e.index;
      if (m.projections != nullptr)
        if (auto first = m.projections->state().requests().find(it->second.request_id)) told = first->index;
      acked_requests_.emplace(it->second.request_id, told);
      if (told > acked_request_high_.second) {
        acked_request_high_ = {it->second.request_id, told};
      }
    }
  }
  m.proposals.erase(it);
}

void Simulator::serve_reads(Member& m) {
  // A confirmed read is served from the state machine once it has applied up to the read's index
  // (Ready contract); what it returns must include every write acknowledged before it was issued.
  std::erase_if(m.reads, [&](const raft::ReadState& rs) {
    if (m.applied < rs.index) return false;
    checker_.on_read_served(NodeId(m.id), rs.request_ctx, m.applied);
    auto it = read_requests_.find(rs.request_ctx);
    if (it != read_requests_.end()) {
      const auto& [request_id, index] = it->second;
      if (m.projections) {
        auto found = m.projections->state().requests().find(request_id);
        if (!found || found->index != index) {
          checker_.fail("stale read: member " + std::to_string(m.id) + " served read " +
                        std::to_string(rs.request_ctx) + " from a state without request " +
                        request_id + " (index " + std::to_string(index.value) +
                        "), acknowledged before the read was issued");
        }
      }
      read_requests_.erase(it);
    }
    served_reads_.emplace(rs.request_ctx, m.applied);
    event(EventKind::kReadServed, m.id, rs.request_ctx, m.applied.value);
    return true;
  });
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
  run_role_policy();
  if (random_mode_ && !liveness_phase_) {
    random_proposals();
    random_reads();
    if (options_.membership) random_membership();
  }
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
  const bool commands = options_.workload == Workload::kCommands;
  const std::string data = "live-" + std::to_string(options_.seed);
  std::vector<std::string> request_ids;  // kCommands: one per attempt
  auto attempt = [&](std::uint64_t at) -> bool {
    if (!commands) return propose(at, data).ok();
    // A new request each time, so the first that commits is the one acknowledged.
    commands::Request request = commands::SetConfigRequest{"ovn.central-ips", "192.0.2.1"};
    if (!projections(at).membership().bootstrapped()) request = bootstrap_request(at);
    std::string request_id = next_request_id();
    auto r = propose_command(at, request, request_id);
    if (!r.ok() || r->value == 0) return false;
    request_ids.push_back(std::move(request_id));
    return true;
  };
  Term proposed_in;
  std::uint64_t proposed_at = 0;
  bool done = run_until(
      [&] {
        if (!commands && acked(data)) return true;
        if (std::ranges::any_of(request_ids,
                                [&](const std::string& id) { return acked_request(id); })) {
          return true;
        }
        auto l = leader();
        // A client retries at each new leader, and until a leader accepts (it may refuse while
        // its backlog of uncommitted proposals is full).
        if (l && (member(*l).core->term() != proposed_in || proposed_at != *l)) {
          if (attempt(*l)) {
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
  // Every member of the configuration applies every acknowledged proposal, and they settle at
  // one applied index; a read at the leader is served. Machines outside the configuration (never
  // added, or removed) no longer receive the log. The target and the members are recomputed
  // every tick: an earlier attempt may still be acknowledged meanwhile, and the role policy may
  // still be changing the configuration.
  LogIndex target;
  std::vector<std::uint64_t> ids;
  std::vector<std::uint64_t> reads;  // one per leader asked
  std::pair<std::uint64_t, Term> read_at;
  bool read_done = false;
  bool converged = run_until(
      [&] {
        target = std::max(target, acked_high_);
        read_done = read_done || std::ranges::any_of(reads, [&](std::uint64_t ctx) {
                      return read_served(ctx);
                    });
        auto l = leader();
        if (!read_done && l && read_at != std::pair{*l, member(*l).core->term()}) {
          // A read that lost its leader is never answered: the client asks the new one.
          if (auto r = read(*l); r.ok()) {
            reads.push_back(*r);
            read_at = {*l, member(*l).core->term()};
          }
        }
        ids = configured();
        if (ids.empty() || !read_done) return false;
        for (std::uint64_t id : ids) {
          const Member& m = member(id);
          if (m.applied < target || m.applied != member(ids.front()).applied) return false;
        }
        return true;
      },
      3 * bound_ticks);
  if (violation()) return false;
  if (!converged) {
    for (std::uint64_t id : ids) {
      if (member(id).applied < target) {
        checker_.fail("liveness: member " + std::to_string(id) + " applied only up to " +
                      std::to_string(member(id).applied.value) + " < " +
                      std::to_string(target.value) + " within " + std::to_string(3 * bound_ticks) +
                      " ticks");
        return false;
      }
    }
    if (ids.empty()) {
      checker_.fail("liveness: no leader at the end of the liveness phase");
    } else if (!read_done) {
      checker_.fail("liveness: no read at the leader served within " +
                    std::to_string(3 * bound_ticks) + " ticks");
    } else {
      checker_.fail("liveness: members did not settle at one applied index within " +
                    std::to_string(3 * bound_ticks) + " ticks");
    }
    return false;
  }
  // Digests during the run may be sampled (SimOptions::digest_every_entries); the settled
  // members' whole states are compared here.
  for (std::uint64_t id : ids) {
    checker_.on_digest(NodeId(id), member(id).applied, member(id).applier->digest());
  }
  if (violation()) return false;
  // Every acknowledged proposal and configuration change is in every member's log, at the index
  // the client was told.
  auto in_every_log = [&](LogIndex index, const std::string& bytes, const char* what) {
    for (std::uint64_t id : ids) {
      const raft::MemoryLog& log = member(id).store.view();
      if (index > log.last_index() || log.at(index).data != bytes) {
        checker_.fail(std::string("acknowledged ") + what + " lost: index " +
                      std::to_string(index.value) + " on member " + std::to_string(id));
        return false;
      }
    }
    return true;
  };
  for (const auto& [bytes, index] : acked_) {
    if (!in_every_log(index, bytes, "proposal")) return false;
  }
  for (const auto& [index, bytes] : acked_changes_) {
    if (!in_every_log(index, bytes, "configuration change")) return false;
  }
  return check_acked_visible(ids);
}

std::vector<std::uint64_t> Simulator::configured() const {
  std::vector<std::uint64_t> ids;
  auto l = leader();
  if (!l) return ids;
  for (const auto& [id, role] : member(*l).core->committed_configuration().configuration.members) {
    ids.push_back(id.value);
  }
  return ids;
}

bool Simulator::check_acked_visible(const std::vector<std::uint64_t>& ids) {
  // Every acknowledged request is in every member's requests projection, at the index the client
  // was told. (The projection remembers the last Requests::kWindowRequests batches; a seed
  // proposes far fewer.)
  for (const auto& [request_id, index] : acked_requests_) {
    for (std::uint64_t id : ids) {
      const Member* m = &member(id);
      if (!m->projections) continue;
      auto applied = m->projections->state().requests().find(request_id);
      if (!applied || applied->index != index) {
        checker_.fail("acknowledged request not visible: " + request_id + " (index " +
                      std::to_string(index.value) + ") on member " + std::to_string(m->id) +
                      (applied ? " is at index " + std::to_string(applied->index.value)
                               : " is missing from the requests projection"));
        return false;
      }
    }
  }
  return true;
}

}  // namespace movn::sim
