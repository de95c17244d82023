#include "projections/requests.h"

#include <nlohmann/json.hpp>

namespace movn::projections {

void Requests::record(const std::string& request_id, LogIndex index) {
  if (request_id.empty() || by_id_.contains(request_id)) return;
  by_id_.emplace(request_id, index);
  order_.emplace_back(request_id, index);
  while (order_.size() > kWindowRequests) {
    by_id_.erase(order_.front().first);
    order_.pop_front();
  }
}

std::optional<LogIndex> Requests::find(const std::string& request_id) const {
  auto it = by_id_.find(request_id);
  if (it == by_id_.end()) return std::nullopt;
  return it->second;
}

std::string Requests::snapshot() const {
  auto arr = nlohmann::json::array();
  for (const auto& [id, idx] : order_) arr.push_back({id, idx.value});
  return arr.dump();
}

Result<void> Requests::restore(std::string_view bytes) {
  try {
    auto arr = nlohmann::json::parse(bytes);
    Requests fresh;
    for (const auto& p : arr) fresh.record(p.at(0).get<std::string>(), LogIndex(p.at(1).get<std::uint64_t>()));
    *this = std::move(fresh);
    return {};
  } catch (const std::exception& ex) {
    return make_error(Errc::kCorruption, std::string("requests checkpoint does not parse: ") + ex.what());
  }
}

}  // namespace movn::projections
