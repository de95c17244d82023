// Request-id projection for dedup: which client request ids were applied, at which index.
// Bounded: it remembers the last kWindowRequests ids (oldest forgotten first), so a retry must come
// within that many later requests to be recognised (docs/api.md). Single-threaded (core thread).
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
  };
  // Called once per batch (not per event).
  void record(const std::string& request_id, LogIndex index, bool superseded = false,
              const std::string& digest = {});
  std::string snapshot() const override;
  Result<void> restore(std::string_view bytes) override;

  std::optional<Applied> find(const std::string& request_id) const;
  std::size_t size() const { return order_.size(); }

 private:
  std::unordered_map<std::string, Applied> by_id_;
  std::deque<std::string> order_;
};

}  // namespace movn::projections
