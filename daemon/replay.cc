// Replay: the committed log of the RocksDB store, read back into the projections at start-up
// (docs/adr/0002): a reader thread scans the log and checks the hash chain while this thread
// decodes and folds.
#include "daemon/replay.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "daemon/committed_config.h"
#include "eventlog/codec.h"

namespace movn::daemon {
namespace {
constexpr std::uint64_t kReplayChunkEntries = 4096;

Error chain_error(const eventlog::Store& store_, LogIndex lo, LogIndex hi, Digest prev) {
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
}  // namespace

Result<host::Recovered> replay(eventlog::Store& store_, bool rebuild, ReplayStats* stats) {
  host::Recovered out;
  projections::State& applied_ = out.applied;
  std::uint64_t& replayed_ = out.replayed;
  std::optional<raft::IndexedConfiguration>& recovered_config_ = out.committed_config;
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
    MOVN_ASSIGN_OR_RETURN(auto cp, store_.checkpoint(host::Node::kCheckpointName));
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
        out.from_checkpoint = true;
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
            if (stored && *stored != link) return chain_error(store_, LogIndex(lo), LogIndex(hi), chunk_prev);
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
  if (stats != nullptr) *stats = ReplayStats{reader_busy_s, apply_busy_s};
  if (!reader_error && decode_error) reader_error = std::move(decode_error);
  if (reader_error) {
    return *reader_error;
  }
  MOVN_TRY(store_.put_links(missing_links));
  out.last_link = prev;
  out.last_index = stored_last;
  const bool stale_term = stored_hs.term < last_term;
  out.hard_state = raft::HardState{stale_term ? last_term : stored_hs.term,
                                stale_term ? raft::kNoNode : stored_hs.vote.value_or(raft::kNoNode),
                                applied_.applied_index()};
  if (replayed_ > 0) {
    MOVN_TRY(store_.put_checkpoint(host::Node::kCheckpointName, applied_.checkpoint()));
  }
  return out;
}


}  // namespace movn::daemon
