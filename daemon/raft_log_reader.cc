#include "daemon/raft_log_reader.h"

namespace movn::daemon {

Result<void> read_entries(const eventlog::Store& store, LogIndex lo, LogIndex hi, std::uint64_t max_bytes,
                          std::vector<raft::Entry>& out) {
  std::uint64_t bytes = 0;
  const std::size_t before = out.size();
  bool full = false;
  auto r = store.scan_persisted(lo, hi, [&](const eventlog::EntryView& e) -> Result<void> {
    raft::Entry entry{e.index, e.term, e.type, std::string(e.data)};
    const std::uint64_t size = raft::entry_bytes(entry);
    if (out.size() > before && bytes + size > max_bytes) {
      full = true;  // stops the scan
      return make_error(Errc::kTooLarge, "byte limit reached");
    }
    bytes += size;
    out.push_back(std::move(entry));
    return {};
  });
  if (!r.ok() && !full) return r.error();
  return {};
}

StoreLogReader::StoreLogReader(const eventlog::Store& store, std::function<void(const Error&)> fail)
    : store_(store), fail_(std::move(fail)), last_(store.last_index()), recent_first_(last_.next()) {
  if (last_.value > 0) {
    recent_first_ = last_;
    recent_terms_.push_back(term(last_));  // read from the store: the deque is still empty
  }
}

Term StoreLogReader::term(LogIndex index) const {
  if (index.value == 0 || index > last_) return Term(0);
  if (index >= recent_first_ && !recent_terms_.empty()) return recent_terms_[index.value - recent_first_.value];
  Term t(0);
  auto r = store_.scan_persisted(index, index.next(), [&](const eventlog::EntryView& e) -> Result<void> {
    t = e.term;
    return {};
  });
  if (!r.ok()) fail_(r.error());
  return t;
}

void StoreLogReader::entries(LogIndex lo, LogIndex hi, std::uint64_t max_bytes,
                             std::vector<raft::Entry>& out) const {
  if (hi > last_.next()) hi = last_.next();
  if (lo < LogIndex(1)) lo = LogIndex(1);
  if (lo >= hi) return;
  if (!recent_.empty() && lo >= recent_.front().index) {
    raft::copy_range(recent_, lo, hi, max_bytes, out);
    return;
  }
  auto r = read_entries(store_, lo, hi, max_bytes, out);
  if (!r.ok()) fail_(r.error());
}

void StoreLogReader::persisted(const std::vector<raft::Entry>& entries) {
  if (entries.empty()) return;
  const LogIndex first = entries.front().index;
  // Entries at or above `first` were replaced.
  if (first < recent_first_) {
    recent_terms_.clear();
    recent_first_ = first;
  } else {
    recent_terms_.resize(std::min<std::size_t>(recent_terms_.size(), first.value - recent_first_.value));
    if (recent_terms_.empty()) recent_first_ = first;
  }
  for (const auto& e : entries) recent_terms_.push_back(e.term);
  while (recent_terms_.size() > kRecentTerms) {
    recent_terms_.pop_front();
    recent_first_ = recent_first_.next();
  }
  // The recent entries, contiguous: those at or above `first` are replaced.
  while (!recent_.empty() && recent_.back().index >= first) {
    recent_bytes_ -= raft::entry_bytes(recent_.back());
    recent_.pop_back();
  }
  if (!recent_.empty() && recent_.back().index.next() != first) {
    recent_.clear();  // a gap cannot happen (writes are contiguous); start afresh if it did
    recent_bytes_ = 0;
  }
  for (const auto& e : entries) {
    recent_bytes_ += raft::entry_bytes(e);
    recent_.push_back(e);
  }
  while (recent_.size() > 1 && recent_bytes_ > kRecentBytes) {
    recent_bytes_ -= raft::entry_bytes(recent_.front());
    recent_.pop_front();
  }
  last_ = entries.back().index;
}

}  // namespace movn::daemon
