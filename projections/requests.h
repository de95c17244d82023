// Request-id projection for dedup: which client request ids were applied, at which index.
// Bounded: it remembers the last kWindowRequests ids (oldest forgotten first). A request id that
// says when it was first sent ("t<unix-ms>-...", what the CLI makes) and is older than the newest
// forgotten record is expired: it may have been applied and forgotten, so it is refused, never
// applied again (docs/api.md). Deterministic: only cluster times from the log decide it.
// Single-threaded (core thread).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "projections/projection.h"

namespace movn::projections {

class Requests final : public Projection {
 public:
  static constexpr std::size_t kWindowRequests = 10'000;

  std::string_view name() const override { return "requests"; }
  void apply(const events::Event&, const ApplyContext&) override {}
  struct Applied {
    LogIndex index;
    bool superseded = false;  // its preconditions no longer held at apply: no state change
    std::string digest;       // of the request's parameters (empty for old batches)
    std::uint64_t time_ms = 0;  // the batch's cluster time
  };
  // Called once per batch (not per event).
  void record(const std::string& request_id, LogIndex index, bool superseded = false,
              const std::string& digest = {}, std::uint64_t time_ms = 0);
  std::string snapshot() const override;
  Result<void> restore(std::string_view bytes) override;

  // The record of a request id, or nullptr. Valid until the next record() or restore().
  const Applied* find(std::string_view request_id) const;
  std::size_t size() const { return count_; }
  // The cluster time of the newest record that left the window (0: none has).
  std::uint64_t horizon_ms() const { return horizon_ms_; }
  // True for an id that says it was first sent at or before horizon_ms().
  bool expired(std::string_view request_id) const;

 private:
  // Each apply looks an id up and records it, on every member and twice on a leader (its
  // speculative view too), so the table is flat: the records in arrival order in a ring that
  // reuses the oldest one's storage, and an open-addressing index over it (linear probing, at
  // most half full, backward-shift deletion) that keeps the hash's low half beside the position:
  // a probe rarely touches a record it does not want, and a deletion finds each entry's home
  // slot without touching records at all.
  struct Record {
    std::string id;
    std::uint64_t hash = 0;
    Applied applied;
  };
  struct Slot {
    std::uint32_t pos1 = 0;  // ring position + 1; 0: empty
    std::uint32_t tag = 0;   // the hash's low half (its home slot is tag & mask)
  };
  static std::uint64_t hash_of(std::string_view id);
  // The ring position of the k-th oldest record.
  std::size_t position(std::size_t k) const { return (head_ + k) % kWindowRequests; }
  // The index slot that holds ring position `pos` (which is in the index).
  std::size_t slot_of_position(std::uint64_t hash, std::size_t pos) const;
  // The index slot of `id`, or nullopt when it is not recorded.
  std::optional<std::size_t> slot_of(std::string_view id, std::uint64_t hash) const;
  void place(std::size_t pos);
  void erase_slot(std::size_t slot);
  void grow_index(std::size_t records);
  void evict_oldest();

  std::vector<Record> ring_;  // at most kWindowRequests; the oldest at head_ once full
  std::size_t head_ = 0;
  std::size_t count_ = 0;
  std::vector<Slot> index_;  // a power of two in size, or empty
  std::uint64_t horizon_ms_ = 0;
};

// When a request id says it was first sent: "t<unix-ms>-<anything>" gives the milliseconds;
// nullopt for any other id.
std::optional<std::uint64_t> request_issue_time_ms(std::string_view request_id);

}  // namespace movn::projections
