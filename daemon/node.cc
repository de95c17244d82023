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

Node::Node(eventlog::Store& store, StorageWorker& storage, FailStop fail_stop)
    : store_(store), storage_(storage), fail_stop_(std::move(fail_stop)) {}

Result<void> Node::load(bool rebuild) {
  const LogIndex last = store_.last_index();
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
      if (item.term > term_) term_ = item.term;
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
  last_index_ = last;
  speculative_ = applied_;
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
  return ClusterTimeMs(std::max(speculative_.last_time_ms() + 1, wall_clock_ms()));
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
  events::EventBatch batch = std::move(decoded).value();
  LogIndex index = last_index_.next();
  last_index_ = index;
  eventlog::Entry entry{index, term_, eventlog::EntryType::kEventBatch, std::move(bytes)};
  speculative_.apply_batch(batch, index, term_);
  pending_by_request_[batch.request_id] = index.value;
  auto& p = pending_[index.value];
  p.entry = entry;
  p.batch = std::move(batch);
  p.waiters.push_back(std::move(done));
  storage_.append({std::move(entry)}, [this, index](Result<void> r) { on_durable(index, std::move(r)); });
}

void Node::on_durable(LogIndex index, Result<void> r) {
  if (!r.ok()) {
    // A failed write or sync of the log is fail-stop (docs/design.md §6).
    fail_stop_(r.error());
    return;
  }
  auto it = pending_.find(index.value);
  if (it == pending_.end()) return;
  Pending p = std::move(it->second);
  pending_.erase(it);
  pending_by_request_.erase(p.batch.request_id);
  const bool applied = applied_.apply_batch(p.batch, index, p.entry.term);
  last_link_ = eventlog::chain_link(last_link_, p.entry);
  // Links of the entries applied in one turn of the core thread go to the store in one write.
  unwritten_links_.emplace_back(index, last_link_);
  if (unwritten_links_.size() == 1) storage_.post_core([this] { write_links(); });
  if (++applied_since_checkpoint_ >= kCheckpointEveryEntries) checkpoint();
  if (!applied) {
    // The speculative view let the batch through but the applied state did not: resync it.
    speculative_ = applied_;
    for (auto& [i, q] : pending_) speculative_.apply_batch(q.batch, LogIndex(i), q.entry.term);
    for (auto& w : p.waiters)
      w(make_error(Errc::kConflict, "a concurrent change won: the request was not applied"));
    return;
  }
  for (auto& w : p.waiters) w(Outcome{index, false});
}

}  // namespace movn::daemon
