#include "daemon/node.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <chrono>
#include <thread>

#include "common/time.h"
#include "eventlog/codec.h"

namespace movn::daemon {
namespace {
constexpr std::uint64_t kReplayChunkEntries = 4096;
}

Node::Node(eventlog::Store& store, StorageWorker& storage, FailStop fail_stop, const Clock& clock)
    : store_(store), storage_(storage), fail_stop_(std::move(fail_stop)), clock_(clock) {}

Result<void> Node::load(bool rebuild) {
  const LogIndex stored_last = store_.last_index();
  const eventlog::HardState stored_hs = store_.hard_state();
  Term last_term(0);
  if (stored_last.value > 0) {
    MOVN_ASSIGN_OR_RETURN(auto e, store_.entry(stored_last));
    last_term = e.term;
  }
  if (const auto& bytes = store_.raft_config()) {
    auto c = decode_committed_config(*bytes);
    if (!c.ok())
      return c.error().wrap("store at " + store_.path().string() + ": the committed Raft configuration");
    recovered_config_ = std::move(c).value();
  }
  // Replay what is known to be committed. A store whose hard state has term 0 but holds entries
  // was written by a single member before the log went through Raft: every entry in it was
  // committed once synced.
  LogIndex last = stored_hs.term.value == 0 ? stored_last : std::min(stored_last, stored_hs.commit);
  Digest prev = eventlog::kGenesisLink;
  if (rebuild) {
    MOVN_TRY(store_.drop_checkpoints());
  } else {
    MOVN_ASSIGN_OR_RETURN(auto cp, store_.checkpoint(kCheckpointName));
    if (cp) {
      projections::State restored;
      auto r = restored.restore_checkpoint(*cp);
      LogIndex at = restored.applied_index();
      std::optional<Digest> link_at;
      // The commit index in the hard state may lag what was applied (it is written without a
      // sync when nothing else changes): a checkpoint proves its index was committed.
      if (r.ok() && at <= stored_last && at > last) last = at;
      if (r.ok() && at <= last && at.value > 0) {
        MOVN_ASSIGN_OR_RETURN(link_at, store_.link(at));
      }
      if (r.ok() && at <= last && (at.value == 0 || link_at)) {
        applied_ = std::move(restored);
        if (link_at) prev = *link_at;
        from_checkpoint_ = true;
      }
      // Otherwise the checkpoint is unusable (damaged, or ahead of the log): a full replay
      // rebuilds it. Checkpoints are caches.
    }
  }
  // Two-stage pipeline on two threads: a reader scans the log, checks the hash chain and
  // decodes batches chunk by chunk; this thread folds them into the projections.
  // A chunk of entries whose chain verified: their bytes in one buffer (one allocation per
  // chunk), decoded by the folding thread.
  struct Item {
    LogIndex index;
    Term term;
    eventlog::EntryType type;
    std::size_t offset;
    std::size_t size;
  };
  struct Chunk {
    std::string bytes;
    std::vector<Item> items;
  };
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Chunk> queue;
  bool reader_done = false;
  bool stop_reader = false;
  constexpr std::size_t kMaxQueuedChunks = 4;
  std::optional<Error> reader_error, decode_error;
  std::vector<std::pair<LogIndex, Digest>> missing_links;
  const std::uint64_t first = applied_.applied_index().value + 1;
  const LogIndex last_linked = store_.last_linked_index();

  using SteadyClock = std::chrono::steady_clock;
  double reader_busy_s = 0, apply_busy_s = 0;
  std::thread reader([&] {
    auto run = [&]() -> Result<void> {
      for (std::uint64_t lo = first; lo <= last.value; lo += kReplayChunkEntries) {
        std::uint64_t hi = std::min(last.value + 1, lo + kReplayChunkEntries);
        auto busy_from = SteadyClock::now();
        // The chain is checked against the stored link at the end of each chunk (and at the last
        // stored link): any changed entry changes every later link, so one comparison per chunk
        // verifies every entry in it. Links above the last stored one are computed and written.
        const std::uint64_t check_at = std::min(hi - 1, last_linked.value);
        const Digest chunk_prev = prev;
        Chunk chunk;
        chunk.items.reserve(hi - lo);
        chunk.bytes.reserve((hi - lo) * 256);
        MOVN_TRY(store_.scan(LogIndex(lo), LogIndex(hi), [&](const eventlog::EntryView& e) -> Result<void> {
          Digest link = eventlog::chain_link(prev, e);
          if (e.index > last_linked) missing_links.emplace_back(e.index, link);
          if (e.index.value == check_at) {
            MOVN_ASSIGN_OR_RETURN(auto stored, store_.link(e.index));
            if (stored && *stored != link) return chain_error(LogIndex(lo), LogIndex(hi), chunk_prev);
            if (!stored) missing_links.emplace_back(e.index, link);
          }
          prev = link;
          chunk.items.push_back(Item{e.index, e.term, e.type, chunk.bytes.size(), e.data.size()});
          chunk.bytes.append(e.data);
          return {};
        }));
        reader_busy_s += std::chrono::duration<double>(SteadyClock::now() - busy_from).count();
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return queue.size() < kMaxQueuedChunks || stop_reader; });
        if (stop_reader) return {};
        queue.push_back(std::move(chunk));
        cv.notify_all();
      }
      return {};
    };
    auto r = run();
    std::lock_guard lock(mu);
    if (!r.ok()) reader_error = std::move(r).error();
    reader_done = true;
    cv.notify_all();
  });

  for (;;) {
    Chunk chunk;
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return !queue.empty() || reader_done; });
      if (queue.empty()) break;
      chunk = std::move(queue.front());
      queue.pop_front();
      cv.notify_all();
    }
    auto busy_from = SteadyClock::now();
    for (const auto& item : chunk.items) {
      if (item.type == eventlog::EntryType::kEventBatch) {
        auto batch = eventlog::decode_batch(std::string_view(chunk.bytes).substr(item.offset, item.size));
        if (!batch.ok()) {
          decode_error = std::move(batch).error().wrap("store at " + store_.path().string() + ", entry " +
                                                       std::to_string(item.index.value));
          break;
        }
        applied_.apply_batch(*batch, item.index, item.term);
      } else {
        applied_.skip(item.index);
      }
      ++replayed_;
    }
    if (decode_error) {
      std::lock_guard lock(mu);
      stop_reader = true;
      cv.notify_all();
      break;
    }
    chunk = Chunk();
    apply_busy_s += std::chrono::duration<double>(SteadyClock::now() - busy_from).count();
  }
  reader.join();
  replay_stats_ = ReplayStats{reader_busy_s, apply_busy_s};
  if (!reader_error && decode_error) reader_error = std::move(decode_error);
  if (reader_error) {
    applied_ = projections::State();
    replayed_ = 0;
    return *reader_error;
  }
  MOVN_TRY(store_.put_links(missing_links));
  last_link_ = prev;
  speculative_ = applied_;
  const bool stale_term = stored_hs.term < last_term;
  recovered_hard_state_ = raft::HardState{stale_term ? last_term : stored_hs.term,
                                          stale_term ? raft::kNoNode : stored_hs.vote.value_or(raft::kNoNode),
                                          applied_.applied_index()};
  written_hard_state_ = recovered_hard_state_;
  if (replayed_ > 0) {
    MOVN_TRY(store_.put_checkpoint(kCheckpointName, applied_.checkpoint()));
  }
  return {};
}

Error Node::chain_error(LogIndex lo, LogIndex hi, Digest prev) const {
  // The error path: find the first entry of the chunk whose link differs from the stored one.
  std::uint64_t first_bad = hi.value - 1;
  auto stored = store_.links(lo, hi);
  if (stored.ok()) {
    auto scanned = store_.scan(lo, hi, [&](const eventlog::EntryView& e) -> Result<void> {
      prev = eventlog::chain_link(prev, e);
      const auto& s = (*stored)[e.index.value - lo.value];
      if (s && *s != prev) {
        first_bad = e.index.value;
        return make_error(Errc::kCorruption, "found");
      }
      return {};
    });
    (void)scanned;
  }
  return make_error(Errc::kCorruption, "hash chain of store at " + store_.path().string() +
                                           " does not verify at index " + std::to_string(first_bad) +
                                           ": the entry or an earlier one was changed");
}

void Node::write_links() {
  if (unwritten_links_.empty()) return;
  storage_.run([links = std::move(unwritten_links_), fail = fail_stop_](eventlog::Store& s) {
    auto lr = s.put_links(links);
    if (!lr.ok()) fail(lr.error());
  });
  unwritten_links_.clear();
}

void Node::checkpoint() {
  write_links();
  applied_since_checkpoint_ = 0;
  storage_.run([bytes = applied_.checkpoint(), fail = fail_stop_](eventlog::Store& s) {
    auto r = s.put_checkpoint(kCheckpointName, bytes);
    if (!r.ok()) fail(r.error());
  });
}

Result<void> Node::checkpoint_sync() {
  // The storage thread has stopped: links not yet written go straight to the store.
  MOVN_TRY(store_.put_links(unwritten_links_));
  unwritten_links_.clear();
  return store_.put_checkpoint(kCheckpointName, applied_.checkpoint());
}

bool Node::known_request(const std::string& request_id) const {
  return applied_.requests().find(request_id).has_value() || pending_by_request_.contains(request_id);
}

ClusterTimeMs Node::next_cluster_time() {
  return ClusterTimeMs(std::max(speculative_.last_time_ms() + 1, clock_.now_ms()));
}

bool Node::initialized() const {
  return core_ != nullptr || store_.last_index().value > 0 || recovered_hard_state_.term.value > 0;
}

void Node::start(std::function<void()> on_ready, std::string_view member_name) {
  on_leader_ready_ = std::move(on_ready);
  if (!initialized()) {
    // No Raft before a bootstrap (or a join): nothing to elect, and a no-op written now would
    // sit in a log that a cluster joined later overwrites. It serves at once.
    if (auto cb = std::move(on_leader_ready_)) storage_.post_core(std::move(cb));
    on_leader_ready_ = nullptr;
    return;
  }
  const auto* me = member_name.empty() ? nullptr : applied_.membership().find(member_name);
  start_raft(me != nullptr ? me->raft_id : kFounder);
}

void Node::start_raft(NodeId self) {
  self_ = self;
  reader_ = std::make_unique<StoreLogReader>(store_, fail_stop_);
  raft::Config cfg;
  cfg.id = self_;
  cfg.voters = {self_};
  cfg.election_ticks = kElectionTicks;
  cfg.heartbeat_ticks = 1;
  cfg.seed = clock_.now_ms() ^ (self_.value << 48);
  cfg.applied = applied_.applied_index();
  cfg.on_broken_invariant = [fail = fail_stop_](std::string_view what) {
    fail(make_error(Errc::kInternal, "raft: " + std::string(what)));
  };
  // Without a stored one, the committed configuration is the initial one: this member alone. The
  // core then reads only the entries above the commit index for configuration changes.
  auto committed = recovered_config_.value_or(
      raft::IndexedConfiguration{LogIndex(0), raft::voters_configuration({self_})});
  core_ = std::make_unique<raft::Core>(std::move(cfg), *reader_, recovered_hard_state_, std::move(committed));
  // The only voter needs no election timeout: it campaigns now.
  core_->campaign();
  schedule_drive();
}

void Node::tick() {
  if (!core_) return;
  ++ticks_;
  core_->tick();
  std::vector<ReadDone> expired;
  for (auto it = reads_.begin(); it != reads_.end();) {
    if (it->second.deadline_tick > ticks_) {
      ++it;
      continue;
    }
    expired.push_back(std::move(it->second.done));
    it = reads_.erase(it);
  }
  for (auto& done : expired)
    done(make_error(Errc::kUnavailable, "could not confirm that this member still leads the cluster; retry"));
  schedule_drive();
}

void Node::read_barrier(ReadDone done) {
  if (!initialized()) {
    done({});  // an empty log: nothing a read could miss
    return;
  }
  if (!core_) {
    done(make_error(Errc::kUnavailable, "this member is not the leader of the cluster's log"));
    return;
  }
  const std::uint64_t ctx = ++next_read_ctx_;
  auto r = core_->read_index(ctx);
  if (!r.ok()) {
    done(r.error().code == Errc::kUnavailable && core_->role() != raft::Role::kLeader
             ? make_error(Errc::kUnavailable, "this member is not the leader of the cluster's log")
             : r.error());
    return;
  }
  reads_[ctx] = PendingRead{std::move(done), std::nullopt, ticks_ + kReadTimeoutTicks};
  schedule_drive();
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
  for (const auto& s : core_->member_statuses())
    if (s.id == member) return s.online;
  return false;
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
  const std::string digest = commands::request_digest(request);
  auto reused = [&] {
    done(make_error(Errc::kConflict, "request id " + meta.request_id +
                                         " was already used for a different request"));
  };
  // A retry of an applied request gets the first result back; one in flight waits for it.
  if (auto applied = applied_.requests().find(meta.request_id)) {
    if (!applied->digest.empty() && applied->digest != digest) return reused();
    if (applied->superseded)
      done(make_error(Errc::kConflict, "a concurrent change won: the request was not applied"));
    else
      done(Outcome{applied->index, true});
    return;
  }
  if (auto it = pending_by_request_.find(meta.request_id); it != pending_by_request_.end()) {
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
    start_raft(kFounder);
  }
  if (!core_ || core_->role() != raft::Role::kLeader) {
    done(make_error(Errc::kUnavailable, "this member is not the leader of the cluster's log"));
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
  if (!leader_ready()) {
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
  storage_.post_core([this] {
    drive_scheduled_ = false;
    drive();
  });
}

void Node::drive() {
  if (!core_ || ready_ || !core_->has_ready()) return;
  const bool leader = core_->role() == raft::Role::kLeader;
  if (was_leader_ && !leader) {
    abandon_pending(make_error(Errc::kUnavailable,
                               "leadership changed before the request committed: it may or may not be "
                               "applied; retry with the same request id"));
    fail_reads(make_error(Errc::kUnavailable, "this member stopped leading the cluster; retry"));
    auto held = std::move(held_);
    held_.clear();
    for (auto& h : held) h.done(make_error(Errc::kUnavailable, "this member stopped leading the cluster; retry"));
  }
  was_leader_ = leader;
  ready_ = core_->ready();
  const raft::Ready& rd = *ready_;
  std::optional<eventlog::HardState> hs;
  // A new term or vote must be durable before any message leaves; a commit index alone need not
  // be (a lost one is learnt again), so it is written without a sync and without waiting.
  bool needs_sync = !rd.entries_to_persist.empty();
  if (rd.hard_state) {
    const auto& h = *rd.hard_state;
    hs = eventlog::HardState{h.term, h.vote == raft::kNoNode ? std::nullopt : std::optional<NodeId>(h.vote),
                             h.commit};
    if (h.term != written_hard_state_.term || h.vote != written_hard_state_.vote) needs_sync = true;
    written_hard_state_ = h;
  }
  // The committed configuration is derived from the log like the commit index: it rides along
  // in the same write, without a sync of its own.
  std::optional<std::string> config;
  if (rd.committed_config) config = encode_committed_config(*rd.committed_config);
  if (!needs_sync) {
    if (hs || config)
      storage_.persist({}, hs, /*sync=*/false, [fail = fail_stop_](Result<void> r) {
        if (!r.ok()) fail(r.error());
      }, std::move(config));
    finish_ready();
    return;
  }
  storage_.persist(rd.entries_to_persist, hs, /*sync=*/true, [this](Result<void> r) {
    if (!r.ok()) {
      // A failed write or sync of the log is fail-stop (docs/design.md §6).
      fail_stop_(r.error());
      return;
    }
    reader_->persisted(ready_->entries_to_persist);
    finish_ready();
  }, std::move(config));
}

void Node::finish_ready() {
  raft::Ready rd = std::move(*ready_);
  ready_.reset();
  // No peers yet: a one-voter cluster sends no messages (the peer transport delivers them).
  apply_committed(rd.committed);
  for (const auto& rs : rd.read_states)
    if (auto it = reads_.find(rs.request_ctx); it != reads_.end()) it->second.index = rs.index;
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
    if (e.type == eventlog::EntryType::kEventBatch) {
      if (mine) {
        outcome = applied_.apply_batch(mine->batch, e.index, e.term);
      } else {
        auto batch = eventlog::decode_batch(e.data);
        if (!batch.ok()) {
          fail_stop_(batch.error().wrap("committed entry " + std::to_string(e.index.value) + " does not decode"));
          return;
        }
        applied_.apply_batch(*batch, e.index, e.term);
        if (pending_.empty()) speculative_.apply_batch(*batch, e.index, e.term);
        else resync = true;
      }
    } else {
      applied_.skip(e.index);
      if (pending_.empty()) speculative_.skip(e.index);
      else resync = true;
    }
    last_link_ = eventlog::chain_link(last_link_, e);
    // Links of the entries applied in one turn of the core thread go to the store in one write.
    unwritten_links_.emplace_back(e.index, last_link_);
    if (unwritten_links_.size() == 1) storage_.post_core([this] { write_links(); });
    if (++applied_since_checkpoint_ >= kCheckpointEveryEntries) checkpoint();
    if (!mine) continue;
    if (outcome != projections::ApplyOutcome::kApplied) resync = true;  // the view had let it through
    const auto result = outcome_of(outcome, mine->batch.request_id, e.index);
    for (auto& w : mine->waiters) w(result);
  }
  if (resync) resync_speculative();
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

std::string encode_committed_config(const raft::IndexedConfiguration& c) {
  std::string out;
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(c.index.value >> shift));
  out += raft::encode_configuration(c.configuration);
  return out;
}

Result<raft::IndexedConfiguration> decode_committed_config(std::string_view bytes) {
  if (bytes.size() < 8) return make_error(Errc::kCorruption, "committed configuration record is truncated");
  std::uint64_t index = 0;
  for (int i = 0; i < 8; ++i) index = (index << 8) | static_cast<unsigned char>(bytes[i]);
  MOVN_ASSIGN_OR_RETURN(auto c, raft::decode_configuration(bytes.substr(8)));
  return raft::IndexedConfiguration{LogIndex(index), std::move(c)};
}

}  // namespace movn::daemon
