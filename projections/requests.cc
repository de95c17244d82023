#include "projections/requests.h"

#include <nlohmann/json.hpp>

namespace movn::projections {

void Requests::record(const std::string& request_id, LogIndex index, bool superseded,
                      const std::string& digest) {
  if (request_id.empty()) return;
  if (!by_id_.try_emplace(request_id, Applied{index, superseded, digest}).second) return;
  order_.push_back(request_id);
  while (order_.size() > kWindowRequests) {
    by_id_.erase(order_.front());
    order_.pop_front();
  }
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
                   nlohmann::json::binary(std::vector<std::uint8_t>(a.digest.begin(), a.digest.end()))});
  }
  auto bytes = nlohmann::json::to_cbor(arr);
  return std::string(bytes.begin(), bytes.end());
}

Result<void> Requests::restore(std::string_view bytes) {
  if (auto c = check_cbor(bytes, kMaxCheckpointDepth); !c.ok())
    return std::move(c).error().wrap("requests checkpoint does not parse");
  try {
    auto arr = nlohmann::json::from_cbor(bytes.begin(), bytes.end());
    Requests fresh;
    for (const auto& p : arr) {
      const auto& bin = p.at(3).get_binary();
      fresh.record(p.at(0).get<std::string>(), LogIndex(p.at(1).get<std::uint64_t>()), p.at(2).get<bool>(),
                   std::string(bin.begin(), bin.end()));
    }
    *this = std::move(fresh);
    return {};
  } catch (const std::exception& ex) {
    return make_error(Errc::kCorruption, std::string("requests checkpoint does not parse: ") + ex.what());
  }
}

}  // namespace movn::projections
