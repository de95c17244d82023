// Request-id projection for dedup: which client request ids were applied, at which index.
// Bounded: it remembers the last kWindowRequests ids (oldest forgotten first). A request id that
// says when it was first sent ("t<unix-ms>-...", what the CLI makes) and is older than the newest
// forgotten record is expired: it may have been applied and forgotten, so it is refused, never
// applied again (docs/api.md). Deterministic: only cluster times from the log decide it.
// Single-threaded (core thread).
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <unordered_map>

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

  std::optional<Applied> find(const std::string& request_id) const;
  std::size_t size() const { return order_.size(); }
  // The cluster time of the newest record that left the window (0: none has).
  std::uint64_t horizon_ms() const { return horizon_ms_; }
  // True for an id that says it was first sent at or before horizon_ms().
  bool expired(std::string_view request_id) const;

 private:
  std::unordered_map<std::string, Applied> by_id_;
  std::deque<std::string> order_;
  std::uint64_t horizon_ms_ = 0;
};

// When a request id says it was first sent: "t<unix-ms>-<anything>" gives the milliseconds;
// nullopt for any other id.
std::optional<std::uint64_t> request_issue_time_ms(std::string_view request_id);

}  // namespace movn::projections
