#include <cassert>

#include "eventlog/raft/log_reader.h"

namespace movn::raft {

void LogReader::config_entries(LogIndex lo, LogIndex hi, std::vector<Entry>& out) const {
  constexpr std::uint64_t kChunkBytes = 4 << 20;
  std::vector<Entry> chunk;
  while (lo < hi) {
    chunk.clear();
    entries(lo, hi, kChunkBytes, chunk);
    for (Entry& e : chunk) {
      if (e.type == EntryType::kConfig) out.push_back(std::move(e));
    }
    lo = chunk.back().index.next();
  }
}

Term MemoryLog::term(LogIndex index) const {
  assert(index.value >= 1 && index.value <= entries_.size());
  return entries_[index.value - 1].term;
}

void MemoryLog::entries(LogIndex lo, LogIndex hi, std::uint64_t max_bytes,
                        std::vector<Entry>& out) const {
  assert(lo.value >= 1 && lo <= hi && hi.value <= entries_.size() + 1);
  copy_range(entries_, lo, hi, max_bytes, out);
}

void MemoryLog::truncate_from(LogIndex index) {
  assert(index.value >= 1);
  if (index.value <= entries_.size()) entries_.resize(index.value - 1);
}

void MemoryLog::append(const std::vector<Entry>& entries) {
  if (entries.empty()) return;
  truncate_from(entries.front().index);
  assert(entries.front().index.value == entries_.size() + 1);
  entries_.insert(entries_.end(), entries.begin(), entries.end());
}

void MemoryLog::persist(const Ready& ready) {
  if (ready.hard_state) hard_state_ = *ready.hard_state;
  if (ready.committed_config) committed_config_ = *ready.committed_config;
  append(ready.entries_to_persist);
}

}  // namespace movn::raft
