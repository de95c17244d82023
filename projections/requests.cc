#include "projections/requests.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace movn::projections {

void Requests::record(const std::string& request_id, LogIndex index, bool superseded,
                      const std::string& digest, std::uint64_t time_ms) {
  if (request_id.empty()) return;
  if (!by_id_.try_emplace(request_id, Applied{index, superseded, digest, time_ms}).second) return;
  order_.push_back(request_id);
  while (order_.size() > kWindowRequests) {
    auto it = by_id_.find(order_.front());
    horizon_ms_ = std::max(horizon_ms_, it->second.time_ms);
    by_id_.erase(it);
    order_.pop_front();
  }
}

bool Requests::expired(std::string_view request_id) const {
  auto t = request_issue_time_ms(request_id);
  return t.has_value() && *t <= horizon_ms_;
}

std::optional<std::uint64_t> request_issue_time_ms(std::string_view id) {
  if (id.size() < 3 || id.front() != 't') return std::nullopt;
  const auto dash = id.find('-');
  if (dash == std::string_view::npos || dash < 2 || dash > 17) return std::nullopt;
  std::uint64_t ms = 0;
  for (char c : id.substr(1, dash - 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    ms = ms * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return ms;
}

std::optional<Requests::Applied> Requests::find(const std::string& request_id) const {
  auto it = by_id_.find(request_id);
  if (it == by_id_.end()) return std::nullopt;
  return it->second;
}

std::string Requests::snapshot() const {
  auto arr = nlohmann::json::array();
  for (const auto& id : order_) {
    const auto& a = by_id_.at(id);
    arr.push_back({id, a.index.value, a.superseded,
                   nlohmann::json::binary(std::vector<std::uint8_t>(a.digest.begin(), a.digest.end())), a.time_ms});
  }
  auto bytes = nlohmann::json::to_cbor(nlohmann::json{{"horizon_ms", horizon_ms_}, {"records", arr}});
  return std::string(bytes.begin(), bytes.end());
}

Result<void> Requests::restore(std::string_view bytes) {
  if (auto c = check_cbor(bytes, kMaxCheckpointDepth); !c.ok())
    return std::move(c).error().wrap("requests checkpoint does not parse");
  try {
    auto j = nlohmann::json::from_cbor(bytes.begin(), bytes.end());
    Requests fresh;
    for (const auto& p : j.at("records")) {
      const auto& bin = p.at(3).get_binary();
      fresh.record(p.at(0).get<std::string>(), LogIndex(snapshot_u64(p.at(1))), p.at(2).get<bool>(),
                   std::string(bin.begin(), bin.end()), snapshot_u64(p.at(4)));
    }
    fresh.horizon_ms_ = snapshot_u64(j.at("horizon_ms"));
    *this = std::move(fresh);
    return {};
  } catch (const std::exception& ex) {
    return make_error(Errc::kCorruption, std::string("requests checkpoint does not parse: ") + ex.what());
  }
}

}  // namespace movn::projections
