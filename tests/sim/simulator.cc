// Simulator: members (each running host::Node on the simulator's seams), the tick loop and
// scripted control. Random faults and the seed driver are in sim_faults.cc.
#include "tests/sim/simulator.h"

#include <algorithm>
#include <cassert>

#include "common/sha256.h"
#include "eventlog/codec.h"
#include "host/test_hooks.h"
#include "projections/test_hooks.h"
#include "tests/sim/sim_member.h"

namespace movn::sim {

std::string state_digest(const projections::State& state) {
  Sha256 h;
  h.update_u64(state.applied_index().value).update_u64(state.last_time_ms());
  for (const projections::ProjectionInfo& p : state.describe()) h.update_field(p.name).update_field(p.digest_hex);
  Digest d = h.finish();
  return std::string(d.begin(), d.end());
}

// ---- the seams ----

// The log store: writes land in the SimStore's view at once; a synced write completes when the
// simulator says so (a slow disk delays it, a disk error crashes the member instead).
class Simulator::Log final : public host::LogStore {
 public:
  Log(Simulator& sim, Member& m) : sim_(sim), m_(m) {}
  const raft::LogReader& reader() const override { return m_.store; }
  void submit(Write w, Done done) override {
    raft::Ready rd;
    rd.hard_state = w.hard_state;
    rd.committed_config = w.committed_config;
    if (w.entries != nullptr) rd.entries_to_persist = *w.entries;
    m_.store.write(rd);
    if (!w.sync) {
      m_.executor.post([done = std::move(done)] { done({}); });
      return;
    }
    assert(!m_.sync_done && "the host loop has one synced write in flight");
    m_.sync_done = std::move(done);
    if (m_.disk_delay == 0) {
      m_.sync_at = sim_.now_;
      m_.executor.post([&sim = sim_, &m = m_] { sim.complete_sync(m); });
      return;
    }
    // Random runs draw each sync's duration; scripted tests get exactly the delay they set.
    m_.sync_at = sim_.now_ + (sim_.random_mode_ ? sim_.rng_.range(1, static_cast<std::uint64_t>(m_.disk_delay))
                                                 : static_cast<std::uint64_t>(m_.disk_delay));
  }
  // Links and checkpoints are caches: a simulated member replays its whole log at restart.
  void put_links(std::vector<std::pair<LogIndex, Digest>>) override {}
  void put_checkpoint(std::string) override {}
  LogIndex cached_from() const override {
    const std::uint64_t last = m_.store.last_index().value;
    return LogIndex(last > m_.log_cache_entries ? last - m_.log_cache_entries + 1 : 1);
  }
  // Completes later (Simulator::complete_log_reads), reading what the page cache holds then.
  void read(LogIndex lo, LogIndex hi, std::uint64_t max_bytes, ReadDone done) override {
    const auto delay = static_cast<std::uint64_t>(m_.log_read_delay);
    const std::uint64_t due = sim_.now_ + (sim_.random_mode_ ? sim_.rng_.range(0, delay) : delay);
    m_.log_reads.push_back({due, lo, hi, max_bytes, std::move(done)});
    ++sim_.catch_up_reads_;
  }

 private:
  Simulator& sim_;
  Member& m_;
};

class Simulator::Net final : public host::Transport {
 public:
  Net(Simulator& sim, Member& m) : sim_(sim), m_(m) {}
  void send(host::PeerMessage msg) override {
    if (std::holds_alternative<host::ForwardWrite>(msg)) ++sim_.forwarded_;
    if (const auto* r = std::get_if<raft::Message>(&msg)) {
      sim_.checker_.on_send(r->from, *r, m_.store.durable(), m_.store.synced_through());
      if (r->type == raft::MessageType::kApp && m_.node && m_.node->raft())
        sim_.checker_.on_append_sent(r->from, *r, m_.store.view(), m_.node->raft()->log(), m_.node->raft()->term());
    }
    TraceEvent e = message_event(sim_.now_, EventKind::kDrop, msg);
    int copies = sim_.network_.send(std::move(msg), sim_.now_);
    if (copies != 1) {
      e.kind = copies == 0 ? EventKind::kDrop : EventKind::kDuplicate;
      sim_.trace_.add(e);
    }
  }

 private:
  Simulator& sim_;
  Member& m_;
};

class Simulator::Watch final : public host::Observer {
 public:
  Watch(Simulator& sim, Member& m) : sim_(sim), m_(m) {}
  void on_start(const raft::Core& core, const std::vector<NodeId>& voters) override {
    sim_.checker_.on_start(core.id(), raft::voters_configuration(voters), m_.store.view(), core);
    m_.committed_seen = core.committed();
  }
  void on_ready(const raft::Core& core, const raft::Ready& rd) override {
    sim_.checker_.on_write(core.id(), rd.entries_to_persist, m_.store.hard_state().commit, m_.store.view());
    sim_.checker_.on_ready(core.id(), core, rd);
  }
  void on_durable(const raft::Ready& rd) override {
    // One synced write is in flight at a time, so the durable log now ends with its entries.
    Term prev_term;
    if (!rd.entries_to_persist.empty() && rd.entries_to_persist.front().index.value > 1)
      prev_term = m_.store.durable().term(rd.entries_to_persist.front().index.prev());
    sim_.checker_.on_synced(who(), rd, prev_term);
  }
  void on_applied(const raft::Entry& e, const projections::State& state,
                  const std::optional<Folded>& folded) override {
    m_.applied = e.index;
    const bool take_digest = e.index.value % sim_.options_.digest_every_entries == 0;
    sim_.checker_.on_apply(who(), e, take_digest ? state_digest(state) : std::string());
    if (folded) {
      sim_.checker_.on_request_folded(who(), folded->request_id, e.index, folded->outcome);
      if (folded->outcome == projections::ApplyOutcome::kDuplicate) ++sim_.duplicates_refused_;
    }
    // A configuration change's client sees it committed once its entry is applied.
    if (auto it = m_.changes.find(e.index); it != m_.changes.end()) {
      if (e.type == raft::EntryType::kConfig && e.data == it->second) {
        sim_.acked_changes_.emplace(e.index, it->second);
        sim_.acked_high_ = std::max(sim_.acked_high_, e.index);
      }
      m_.changes.erase(it);
    }
  }
  void on_proposed(const std::string&, LogIndex index, Term term) override {
    m_.last_proposed = index;
    sim_.event(EventKind::kPropose, m_.id, index.value, term.value);
    sim_.checker_.on_proposed(who(), index, term, m_.applied);
  }
  void on_change_proposed(NodeId member, std::optional<raft::MemberRole> role, LogIndex index) override {
    ++sim_.changes_;
    sim_.event(EventKind::kChange, m_.id, member.value, role ? static_cast<std::uint64_t>(*role) : 0, index.value);
  }
  void on_read_state(const raft::ReadState& rs) override {
    auto it = m_.reads.find(rs.request_ctx);
    if (it == m_.reads.end()) return;
    const raft::ReadState client{it->second, rs.index};
    sim_.checker_.on_read_state(who(), client);
    sim_.event(EventKind::kReadConfirmed, m_.id, client.request_ctx, rs.index.value);
  }

 private:
  // The checker knows members by Raft id (a machine that rejoins has a new one).
  NodeId who() const { return m_.core() != nullptr ? m_.core()->id() : NodeId(m_.id); }

  Simulator& sim_;
  Member& m_;
};

Simulator::Simulator(SimOptions options)
    : options_(std::move(options)),
      rng_(options_.seed * 0x2545F4914F6CDD1DULL + 1),
      network_(rng_),
      trace_(options_.trace, options_.trace_keep),
      clock_(std::make_unique<SimClock>(now_)) {
  const int machines = std::max(options_.machines, options_.members);
  std::vector<NodeId> voters;
  for (int i = 1; i <= options_.members; ++i) voters.push_back(NodeId(i));
  checker_.set_genesis(raft::voters_configuration(voters));
  if (options_.joins) checker_.set_genesis(raft::voters_configuration({host::Node::kFounder}));
  for (int i = 1; i <= machines; ++i) {
    auto m = std::make_unique<Member>();
    m->id = static_cast<std::uint64_t>(i);
    m->log_cache_entries = options_.log_cache_entries;
    m->log_read_delay = options_.log_read_delay_ticks;
    // A machine outside the initial configuration knows none: it learns it from the log.
    if (i <= options_.members && !options_.joins) m->initial = raft::voters_configuration(voters);
    members_.push_back(std::move(m));
  }
  // Messages between machines: Raft ids name members (the same numbers as the machines in a
  // pre-formed cluster), addresses name join messages.
  network_.endpoints = [this](const host::PeerMessage& msg) -> std::pair<std::uint64_t, std::uint64_t> {
    if (const auto* a = std::get_if<host::JoinAsk>(&msg))
      return {machine_of_address(a->from_address).value_or(0), machine_of_address(a->to_address).value_or(0)};
    if (const auto* r = std::get_if<host::JoinReply>(&msg))
      return {machine_of_address(r->from_address).value_or(0), machine_of_address(r->to_address).value_or(0)};
    return {machine_of(host::sender(msg)).value_or(0), machine_of(host::receiver(msg)).value_or(0)};
  };
#ifdef MOVN_PROJECTIONS_TEST_HOOKS
  projections::test_hooks().apply_without_dedup = options_.plant_bug == 4;
#endif
#ifdef MOVN_HOST_TEST_HOOKS
  host::test_hooks().read_without_confirmation = options_.plant_bug == 3;
  // A core without the no-op (bug 2) gives its host nothing to wait for: it proposes at once.
  host::test_hooks().propose_before_ready = options_.plant_bug == 5 || options_.plant_bug == 2;
  host::test_hooks().answer_forward_before_apply = options_.plant_bug == 6;
  host::test_hooks().replies_before_persist = options_.plant_bug == 8;
  host::test_hooks().keep_replaced_reads = options_.plant_bug == 9;
  host::test_hooks().forget_fetched = options_.plant_bug == 10;
  host::test_hooks().admit_without_shared = options_.plant_bug == 11;
  // With the host's own check, a retry never reaches the log twice, and apply's check is never
  // needed: bug 4 removes both.
  if (options_.plant_bug == 4) host::test_hooks().propose_without_dedup = true;
#endif
  for (int i = 1; i <= machines; ++i) restart(static_cast<std::uint64_t>(i));
}

Simulator::~Simulator() {
  for (auto& m : members_) {
    m->node.reset();
    m->executor.clear();
  }
#ifdef MOVN_PROJECTIONS_TEST_HOOKS
  projections::test_hooks().apply_without_dedup = false;
#endif
#ifdef MOVN_HOST_TEST_HOOKS
  host::test_hooks() = host::TestHooks{};
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

const raft::Core& Simulator::core(std::uint64_t id) const {
  assert(member(id).core());
  return *member(id).core();
}
const SimStore& Simulator::store(std::uint64_t id) const { return member(id).store; }
bool Simulator::up(std::uint64_t id) const { return member(id).node != nullptr; }
std::optional<NodeId> Simulator::raft_id_of(std::uint64_t id) const { return member(id).raft_id; }
bool Simulator::leader_ready(std::uint64_t id) const { return up(id) && member(id).node->leader_ready(); }
LogIndex Simulator::applied(std::uint64_t id) const { return member(id).applied; }
bool Simulator::acked(const std::string& data) const { return acked_requests_.contains(data); }
bool Simulator::acked_change(LogIndex index) const { return acked_changes_.contains(index); }
bool Simulator::acked_request(const std::string& request_id) const {
  return acked_requests_.contains(request_id);
}
const projections::State& Simulator::projections(std::uint64_t id) const {
  assert(member(id).node);
  return member(id).node->applied();
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
  if (m.node) return;
  host::NodeOptions o;
  raft::Config& cfg = o.raft;
  cfg.role_targets = options_.role_targets;
  cfg.check_quorum = options_.check_quorum;
  cfg.election_ticks = options_.election_ticks;
  cfg.heartbeat_ticks = options_.heartbeat_ticks;
  cfg.seed = rng_.next() | 1;  // never 0, which would mean "from the clock"
  cfg.max_append_bytes = options_.max_append_bytes;
  cfg.max_inflight_msgs = options_.max_inflight_msgs;
  cfg.max_uncommitted_bytes = options_.max_uncommitted_bytes;
  cfg.on_broken_invariant = [this, id](std::string_view what) {
    checker_.on_broken(NodeId(id), what);
  };
#ifdef MOVN_RAFT_TEST_HOOKS
  cfg.hooks.reply_with_last_index = options_.plant_bug == 1;
  cfg.hooks.commit_old_terms_without_noop = options_.plant_bug == 2;
  cfg.hooks.self_match_on_append = options_.plant_bug == 7;
  cfg.hooks.early_replies = options_.plant_bug == 12;
#endif
  o.role_policy_every_ticks = options_.role_policy_every_ticks;
  o.address = "10.0.0." + std::to_string(id) + ":6686";
  if (options_.joins) {
    // As the daemon: no Raft until a bootstrap or a join; a member that joined knows its id.
    if (m.raft_id) o.self = *m.raft_id;
    o.on_removed = [this, id] { member(id).wipe = true; };
    o.shared_secrets = [] { return std::map<std::string, std::string>{{"cluster-key", kSimClusterKey}}; };
  } else {
    o.self = NodeId(id);
    std::vector<NodeId> voters;
    for (const auto& [voter, role] : m.initial.members) voters.push_back(voter);
    o.genesis_voters = std::move(voters);
    o.reconcile_membership = false;  // the projection does not list the pre-formed voters
  }
  // What the store holds: the durable log and hard state. The projections start empty and the
  // core hands every committed entry to apply again (the daemon replays from a checkpoint; here
  // the whole log is the test). The committed configuration is kept with the hard state; a host
  // without the record (lost, or never written) makes the core read every configuration entry.
  host::Recovered recovered;
  recovered.last_index = m.store.last_index();
  recovered.hard_state = m.store.hard_state();
  recovered.committed_config = m.store.committed_config();
  if (recovered.committed_config && random_mode_ && rng_.chance(faults_.forget_config_record)) {
    recovered.committed_config.reset();
  }
  m.log = std::make_unique<Log>(*this, m);
  m.transport = std::make_unique<Net>(*this, m);
  m.observer = std::make_unique<Watch>(*this, m);
  m.node = std::make_unique<host::Node>(
      *m.log, *m.transport, m.executor,
      [this, id](const Error& e) {
        // Fail-stop: the member exits at the end of this input. Nothing the simulator does makes
        // a correct member stop (its disk errors crash it directly), so this is a violation.
        member(id).failed = true;
        checker_.fail("member " + std::to_string(id) + " stopped: " + e.message);
      },
      *clock_, m.observer.get(), std::move(o));
  m.node->recover(std::move(recovered));
  m.applied = LogIndex(0);
  m.restart_at = 0;
  m.failed = false;
  m.leader_term_seen = Term(0);
  m.joining = false;
  m.stop_at = 0;
  m.node->start();
  event(EventKind::kRestart, id, m.store.last_index().value, m.store.hard_state().term.value);
  after_input(m);
}

void Simulator::crash(std::uint64_t id) {
  Member& m = member(id);
  if (!m.node) return;
  bool lost = m.store.has_unsynced();
  m.store.crash();
  m.node.reset();
  m.executor.clear();
  m.observer.reset();
  m.transport.reset();
  m.log.reset();
  m.sync_done.reset();
  m.log_reads.clear();
  m.changes.clear();
  m.reads.clear();
  m.failed = false;
  m.joining = false;
  m.stop_at = 0;
  ++crashes_;
  event(EventKind::kCrash, id, lost ? 1 : 0);
}

void Simulator::campaign(std::uint64_t id) {
  Member& m = member(id);
  if (!m.node) return;
  m.node->campaign();
  after_input(m);
}

void Simulator::deliver(raft::Message msg) {
  Member& to = member(msg.to.value);
  if (!to.node) return;
  trace_.add(message_event(now_, EventKind::kDeliver, msg));
  to.node->step(std::move(msg));
  after_input(to);
}

Result<LogIndex> Simulator::propose(std::uint64_t id, std::string data) {
  Member& m = member(id);
  if (!m.node) return make_error(Errc::kUnavailable, "member is down");
  if (!m.node->view().membership().bootstrapped()) {
    auto b = propose_command(id, bootstrap_request(id), next_request_id());
    if (!b.ok()) return b;
  }
  // A value no other scripted proposal has, so decide() always has something to record.
  const std::uint64_t k = ++next_proposal_;
  commands::SetConfigRequest request{"ovn.central-ips", "10." + std::to_string((k >> 16) & 255) + "." +
                                                            std::to_string((k >> 8) & 255) + "." +
                                                            std::to_string(k & 255)};
  return propose_command(id, request, std::move(data));
}

Result<LogIndex> Simulator::propose_change(std::uint64_t at, std::uint64_t member_id,
                                          std::optional<raft::MemberRole> role) {
  Member& m = member(at);
  if (!m.node) return make_error(Errc::kUnavailable, "member is down");
  auto r = m.node->propose_change(NodeId(member_id), role);
  const std::uint64_t role_code = role ? static_cast<std::uint64_t>(*role) : 0;
  if (!r.ok()) {
    event(EventKind::kChangeRejected, at, member_id, role_code);
    return r;
  }
  m.changes[*r] = raft::encode_configuration(m.core()->configuration());
  after_input(m);
  return r;
}

Result<void> Simulator::transfer(std::uint64_t at, std::uint64_t to) {
  Member& m = member(at);
  if (!m.node) return make_error(Errc::kUnavailable, "member is down");
  auto r = m.node->transfer(NodeId(to));
  if (!r.ok()) return r;
  ++transfers_;
  event(EventKind::kTransfer, at, to, m.core()->term().value);
  after_input(m);
  return r;
}

Result<std::uint64_t> Simulator::read(std::uint64_t at) {
  Member& m = member(at);
  if (!m.node) return make_error(Errc::kUnavailable, "member is down");
  // A machine outside the cluster answers from its own empty state: not a read of the cluster.
  if (options_.joins && !m.raft_id) return make_error(Errc::kFailedPrecondition, "not a member");
  const std::uint64_t ctx = ++next_read_;
  // Recorded before the member can answer: a lone voter confirms at once.
  checker_.on_read_issued(ctx, acked_high_);
  if (!acked_request_high_.first.empty()) read_requests_.emplace(ctx, acked_request_high_);
  event(EventKind::kRead, at, ctx, acked_high_.value);
  struct Call {
    bool in_read = true;
    std::optional<Error> refused_at_once;
  };
  auto call = std::make_shared<Call>();
  // Mapped before the barrier starts: a member may confirm (and serve) it at once.
  const std::uint64_t expected_ctx = m.node->next_read_context();
  m.reads[expected_ctx] = ctx;
  const std::uint64_t node_ctx = m.node->read_barrier([this, at, ctx, call, expected_ctx](Result<void> r) {
    Member& mm = member(at);
    mm.reads.erase(expected_ctx);
    if (!r.ok()) {
      if (call->in_read) call->refused_at_once = r.error();
      read_requests_.erase(ctx);
      return;
    }
    // Served from the applied state, which must include every write acknowledged before the
    // read was issued.
    const LogIndex applied = mm.node->applied().applied_index();
    checker_.on_read_served(NodeId(at), ctx, applied);
    if (mm.core() != nullptr && mm.core()->role() != raft::Role::kLeader) ++follower_reads_;
    if (auto it = read_requests_.find(ctx); it != read_requests_.end()) {
      const auto& [request_id, index] = it->second;
      auto found = mm.node->applied().requests().find(request_id);
      if (!found || found->index != index) {
        checker_.fail("stale read: member " + std::to_string(at) + " served read " + std::to_string(ctx) +
                      " from a state without request " + request_id + " (index " + std::to_string(index.value) +
                      "), acknowledged before the read was issued");
      }
      read_requests_.erase(it);
    }
    served_reads_.emplace(ctx, applied);
    event(EventKind::kReadServed, at, ctx, applied.value);
  });
  call->in_read = false;
  if (node_ctx != expected_ctx) m.reads.erase(expected_ctx);
  after_input(m);
  // A refusal at once (not the leader, too many reads) is the caller's error; later answers
  // (served, or refused after a change of leader) reach the checker only.
  if (call->refused_at_once) return *call->refused_at_once;
  return ctx;
}

std::string Simulator::next_request_id() {
  return "sim-" + std::to_string(options_.seed) + "-" + std::to_string(next_proposal_++);
}

Result<LogIndex> Simulator::propose_command(std::uint64_t id, const commands::Request& request,
                                            std::string request_id) {
  Member& m = member(id);
  if (!m.node) return make_error(Errc::kUnavailable, "member is down");
  // The answer, if the member gives it during propose() itself (a refusal, a retry of an applied
  // request, nothing to record); a later one reaches the client through acknowledge().
  struct Call {
    bool in_propose = true;
    std::optional<Result<host::Outcome>> at_once;
  };
  auto call = std::make_shared<Call>();
  m.last_proposed.reset();
  m.node->propose(request, host::RequestMeta{request_id, events::Actor{"m" + std::to_string(id), "sim-client"}},
                  [this, id, request_id, call](Result<host::Outcome> r) {
                    if (call->in_propose) call->at_once = r;
                    else if (!r.ok()) answered_error_.insert(request_id);
                    if (r.ok() && r->index.value != 0 && member(id).applied < r->index) {
                      // Read your own write: the member that answers has applied the entry.
                      checker_.fail("member " + std::to_string(id) + " answered request " + request_id +
                                    " (applied at index " + std::to_string(r->index.value) +
                                    ") before applying that index itself (applied " +
                                    std::to_string(member(id).applied.value) + ")");
                    }
                    if (r.ok() && r->index.value != 0) {
                      event(EventKind::kAnswer, id, r->index.value, r->duplicate ? 1 : 0);
                      acknowledge(request_id, r->index);
                    }
                  });
  call->in_propose = false;
  std::optional<Result<host::Outcome>> at_once = std::move(call->at_once);
  const std::optional<LogIndex> proposed = m.last_proposed;
  after_input(m);
  if (at_once) {
    if (!at_once->ok()) {
      if (at_once->error().code != Errc::kUnavailable) ++refused_;
      else event(EventKind::kProposeRejected, id);
      return std::move(*at_once).error();
    }
    return LogIndex(0);
  }
  if (proposed) return *proposed;
  event(EventKind::kHeld, id);
  return LogIndex(0);
}

void Simulator::acknowledge(const std::string& request_id, LogIndex index) {
  if (auto t = token_requests_.find(request_id); t != token_requests_.end()) {
    // The operator hands the token to its machine, which joins with it.
    Member& joiner = member(t->second);
    if (!joiner.raft_id && !joiner.token_secret.empty() && joiner.join_request_id.empty())
      joiner.join_request_id = "join-" + request_id;
    token_requests_.erase(t);
  }
  // The client is told the request's first outcome: for a retry, the index where it was applied
  // first (Node::outcome_of), by whichever member answers.
  auto [it, fresh] = acked_requests_.emplace(request_id, index);
  if (!fresh && it->second != index) {
    checker_.fail("request " + request_id + " was acknowledged at index " + std::to_string(it->second.value) +
                  " and, to a retry, at index " + std::to_string(index.value));
    return;
  }
  acked_high_ = std::max(acked_high_, index);
  if (index > acked_request_high_.second) acked_request_high_ = {request_id, index};
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

void Simulator::set_log_cache(std::uint64_t id, std::uint64_t entries, int read_delay_ticks) {
  member(id).log_cache_entries = entries;
  member(id).log_read_delay = read_delay_ticks;
}

void Simulator::set_disk_delay(std::uint64_t id, int ticks) {
  member(id).disk_delay = ticks;
  event(EventKind::kSlowDisk, id, static_cast<std::uint64_t>(ticks));
}

std::optional<std::uint64_t> Simulator::leader() const {
  std::optional<std::uint64_t> best;
  Term best_term;
  for (const auto& m : members_) {
    const raft::Core* c = m->core();
    if (c && c->role() == raft::Role::kLeader && c->term() >= best_term) {
      best = m->id;
      best_term = c->term();
    }
  }
  return best;
}

// ---- the host loop of one member ----

void Simulator::observe(Member& m) {
  const raft::Core* c = m.core();
  if (c == nullptr) return;
  const raft::Core& core = *c;
  if (options_.joins && !m.raft_id) {
    // The founder runs Raft once its bootstrap is proposed: Raft id 1.
    m.raft_id = core.id();
    machine_of_raft_[core.id().value] = m.id;
    founded_ = true;
  }
  checker_.on_role(core.id(), core);
  if (core.role() == raft::Role::kLeader) {
    // A leadership counts once its term is durable on the leader: a lone voter elects itself
    // without a message, and a crash before the sync loses the term and its vote together.
    if (m.store.durable().hard_state().term != core.term()) return;
    if (m.leader_term_seen != core.term()) {
      m.leader_term_seen = core.term();
      event(EventKind::kLeader, m.id, 0, core.term().value);
      checker_.on_leader(core.id(), core.term(), core);
    }
    // A leader commits an entry of its term once a quorum of voters holds it durably, its own
    // copy counted only once durable: it may commit before its own write completes, and a crash
    // then loses its tail but not the entries, which the quorum holds.
    const LogIndex commit = core.committed();
    if (commit > m.committed_seen) {
      if (core.log().term(commit) == core.term() && options_.plant_bug != 2) {
        std::size_t holders = 0;
        const std::vector<NodeId> voters = core.configuration().voters();
        for (NodeId v : voters) {
          auto machine = machine_of(v);
          if (!machine) continue;
          const Member& holder = member(*machine);  // up or down: its durable log counts
          if (options_.joins && holder.raft_id != v) continue;
          const raft::MemoryLog& d = holder.store.durable();
          if (d.last_index() >= commit && d.term(commit) == core.term() && holder.store.synced_through() >= commit)
            ++holders;
        }
        checker_.on_commit_quorum(core.id(), commit, holders, core.configuration().quorum());
      }
      checker_.on_leader_commit(core, m.committed_seen, commit);
      m.committed_seen = commit;
    }
    return;
  }
  m.committed_seen = core.committed();
}

void Simulator::after_input(Member& m) {
  if (!m.node) return;
  observe(m);
  while (m.node && !m.failed && !m.wipe && !violation() && m.executor.run_one()) observe(m);
  if (m.node && m.failed) {
    event(EventKind::kDiskError, m.id);
    crash(m.id);
    if (random_mode_) m.restart_at = now_ + rng_.range(1, static_cast<std::uint64_t>(faults_.down_ticks_max));
  }
  if (m.wipe) wipe(m.id);
}

bool Simulator::disk_error(Member& m) {
  if (!random_mode_ || liveness_phase_ || !rng_.chance(faults_.disk_error)) return false;
  // A failed write, sync or read is fail-stop: the member exits and restarts from what is durable.
  event(EventKind::kDiskError, m.id);
  crash(m.id);
  m.restart_at = now_ + rng_.range(1, static_cast<std::uint64_t>(faults_.down_ticks_max));
  return true;
}

void Simulator::complete_sync(Member& m) {
  if (!m.sync_done || disk_error(m)) return;
  m.store.sync();
  auto done = std::move(*m.sync_done);
  m.sync_done.reset();
  done({});
}

void Simulator::complete_log_reads(Member& m) {
  std::vector<Member::LogRead> due;
  std::erase_if(m.log_reads, [&](Member::LogRead& r) {
    if (r.due > now_) return false;
    due.push_back(std::move(r));
    return true;
  });
  for (auto& r : due) {
    if (!m.node || disk_error(m)) return;
    // What the page cache holds now: written entries, synced or not (as RocksDB reads them).
    const raft::MemoryLog& view = m.store.view();
    std::vector<raft::Entry> out;
    const LogIndex hi = std::min(r.hi, view.last_index().next());
    if (r.lo < hi) view.entries(r.lo, hi, r.max_bytes, out);
    r.done(std::move(out));
    after_input(m);
  }
}

// ---- the clock ----

void Simulator::tick_once() {
  ++now_;
  if (random_mode_ && !liveness_phase_) random_faults();
  for (auto& m : members_) {
    if (!m->node && m->restart_at != 0 && m->restart_at <= now_) restart(m->id);
  }
  for (auto& m : members_) {
    if (!m->node) continue;
    m->node->tick();
    after_input(*m);
  }
  std::vector<host::PeerMessage> dropped;
  std::vector<host::PeerMessage> due = network_.due(now_, dropped);
  for (const host::PeerMessage& msg : dropped) trace_.add(message_event(now_, EventKind::kDrop, msg));
  for (host::PeerMessage& msg : due) {
    if (violation()) return;
    const std::uint64_t to_machine = network_.endpoints(msg).second;
    if (to_machine == 0 || to_machine > members_.size()) {
      trace_.add(message_event(now_, EventKind::kDrop, msg));
      continue;
    }
    Member& to = member(to_machine);
    if (!to.node) {
      trace_.add(message_event(now_, EventKind::kDrop, msg));
      continue;
    }
    trace_.add(message_event(now_, EventKind::kDeliver, msg));
    to.node->receive(std::move(msg));
    after_input(to);
  }
  for (auto& m : members_) {
    if (m->node && m->sync_done && m->sync_at <= now_) {
      complete_sync(*m);
      after_input(*m);
    }
    if (m->node && !m->log_reads.empty()) complete_log_reads(*m);
  }
  for (auto& m : members_) {
    if (m->node && m->stop_at != 0 && m->stop_at <= now_) crash_for(m->id);  // a clean stop ends
  }
  if (options_.joins) random_joins();  // joins started before the liveness phase run on in it
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

}  // namespace movn::sim
