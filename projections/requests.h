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
  // Called once per batch (not per event).
  void record(const std::string& request_id, LogIndex index);
  std::string snapshot() const override;
  Result<void> restore(std::string_view bytes) override;

  std::optional<LogIndex> find(const std::string& request_id) const;
  std::size_t size() const { return order_.size(); }

 private:
  std::unordered_map<std::string, LogIndex> by_id_;
  std::deque<std::pair<std::string, LogIndex>> order_;
};

}  // namespace movn::projections
