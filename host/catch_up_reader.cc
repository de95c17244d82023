#include "host/catch_up_reader.h"

#include <algorithm>

#include "host/test_hooks.h"

namespace movn::host {

CatchUpReader::CatchUpReader(LogStore& log, std::function<void()> on_fetched,
                             std::function<void(const Error&)> fail_stop)
    : log_(log), self_(this), on_fetched_(std::move(on_fetched)), fail_stop_(std::move(fail_stop)) {}

const CatchUpReader::Chunk* CatchUpReader::chunk_of(LogIndex index) const {
  if (index.value == 0) return nullptr;
  // The chunk with the greatest first entry at or below index (keys are first - 1).
  auto it = chunks_.upper_bound(index.prev());
  if (it == chunks_.begin()) return nullptr;
  --it;
  if (index > it->second.entries.back().index) return nullptr;
  return &it->second;
}

Term CatchUpReader::term(LogIndex index) const {
  if (const Chunk* c = chunk_of(index)) return c->entries[index.value - c->entries.front().index.value].term;
  if (auto it = chunks_.find(index); it != chunks_.end()) return it->second.prev_term;
  return log_.reader().term(index);
}

bool CatchUpReader::fetch(LogIndex lo, LogIndex hi, std::uint64_t max_bytes, std::vector<raft::Entry>& out) const {
  if (lo >= log_.cached_from()) {
    entries(lo, hi, max_bytes, out);
    return true;
  }
  if (const Chunk* c = chunk_of(lo)) {
    raft::copy_range(c->entries, lo, hi, max_bytes, out);
    return true;
  }
  // Not in memory: read it (one read per first index, a few at a time). A read in flight is
  // always followed by on_fetched, which makes the core ask again.
  if (!reading_.contains(lo) && reading_.size() < kMaxReadsInFlight) self_->start_read(lo, hi, max_bytes);
  return false;
}

void CatchUpReader::start_read(LogIndex lo, LogIndex hi, std::uint64_t max_bytes) {
  reading_[lo] = Reading{hi};
  ++reads_started_;
  // From the entry before lo, whose term goes out with the append.
  const LogIndex from = lo.value > 1 ? lo.prev() : lo;
  log_.read(from, hi, max_bytes * kAppendsPerRead + max_bytes,
            [this, lo](Result<std::vector<raft::Entry>> r) { on_read(lo, std::move(r)); });
}

void CatchUpReader::on_read(LogIndex lo, Result<std::vector<raft::Entry>> r) {
  auto it = reading_.find(lo);
  const bool stale = it == reading_.end() || it->second.stale;
  if (it != reading_.end()) reading_.erase(it);
  if (!r.ok()) {
    fail_stop_(r.error());
    return;
  }
  std::vector<raft::Entry> got = std::move(*r);
  const LogIndex from = lo.value > 1 ? lo.prev() : lo;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (got[i].index.value != from.value + i) {
      fail_stop_(make_error(Errc::kInternal, "the log store answered a read of index " +
                                                 std::to_string(from.value) + " with entries out of order"));
      return;
    }
  }
  Chunk chunk;
  if (lo.value > 1 && !got.empty()) {
    chunk.prev_term = got.front().term;
    got.erase(got.begin());
  }
  // An empty answer (the range was cut meanwhile) and a stale one are not kept: the core asks
  // again if it still wants them.
  if (!stale && !got.empty()) {
    chunk.entries = std::move(got);
    const LogIndex key = lo.prev();
    if (!chunks_.contains(key)) chunk_order_.push_back(key);
    chunks_[key] = std::move(chunk);
    while (chunk_order_.size() > kMaxChunks) {
      chunks_.erase(chunk_order_.front());
      chunk_order_.erase(chunk_order_.begin());
    }
  }
  if (!planted(&TestHooks::forget_fetched)) on_fetched_();
}

void CatchUpReader::replaced_from(LogIndex first) {
  if (planted(&TestHooks::keep_replaced_reads)) return;
  std::erase_if(chunk_order_, [&](LogIndex key) {
    const Chunk& c = chunks_.at(key);
    if (c.entries.back().index < first) return false;
    chunks_.erase(key);
    return true;
  });
  for (auto& [lo, reading] : reading_) {
    if (first < reading.hi) reading.stale = true;
  }
}

}  // namespace movn::host
