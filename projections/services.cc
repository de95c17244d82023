#include "projections/services.h"

#include <algorithm>
#include <iterator>
#include <nlohmann/json.hpp>

namespace movn::projections {

bool is_service(std::string_view service) {
  return std::find(std::begin(kServices), std::end(kServices), service) != std::end(kServices);
}

void Services::apply(const events::Event& e, const ApplyContext&) {
  if (const auto* en = std::get_if<events::ServiceEnabled>(&e)) {
    placement_[en->member].insert(en->service);
  } else if (const auto* d = std::get_if<events::ServiceDisabled>(&e)) {
    auto it = placement_.find(d->member);
    if (it == placement_.end()) return;
    it->second.erase(d->service);
    if (it->second.empty()) placement_.erase(it);
    if (d->service == "central") ready_.erase(d->member);
  } else if (const auto* s = std::get_if<events::SchemaVersionReported>(&e)) {
    schemas_[s->member] = Schemas{s->nb, s->sb};
  } else if (const auto* c = std::get_if<events::CentralReady>(&e)) {
    ready_[c->member] = ClusterIds{c->nb_cluster_id, c->sb_cluster_id};
  } else if (const auto* r = std::get_if<events::MemberRemoved>(&e)) {
    placement_.erase(r->name);
    schemas_.erase(r->name);
    ready_.erase(r->name);
  }
}

const Services::ClusterIds* Services::ready_central(std::string_view member) const {
  auto it = ready_.find(member);
  return it == ready_.end() ? nullptr : &it->second;
}

const Services::Schemas* Services::schemas_of(std::string_view member) const {
  auto it = schemas_.find(member);
  return it == schemas_.end() ? nullptr : &it->second;
}

bool Services::enabled(std::string_view member, std::string_view service) const {
  auto it = placement_.find(member);
  return it != placement_.end() && it->second.contains(service);
}

std::vector<std::string> Services::of(std::string_view member) const {
  std::vector<std::string> out;
  for (std::string_view s : kServices)
    if (enabled(member, s)) out.emplace_back(s);
  return out;
}

std::vector<std::string> Services::members_with(std::string_view service) const {
  std::vector<std::string> out;
  for (const auto& [member, services] : placement_)
    if (services.contains(service)) out.push_back(member);
  return out;
}

// CBOR, canonical: {"placement": {member: [service, ...]}, "schemas": {member: [nb, sb]}} with
// ordered keys and values; "schemas" only once a member has reported.
std::string Services::snapshot() const {
  nlohmann::json members = nlohmann::json::object();
  for (const auto& [member, services] : placement_) members[member] = std::vector<std::string>(services.begin(), services.end());
  nlohmann::json j{{"placement", std::move(members)}};
  if (!schemas_.empty()) {
    nlohmann::json schemas = nlohmann::json::object();
    for (const auto& [member, s] : schemas_) schemas[member] = std::vector<std::string>{s.nb, s.sb};
    j["schemas"] = std::move(schemas);
  }
  if (!ready_.empty()) {
    nlohmann::json ready = nlohmann::json::object();
    for (const auto& [member, ids] : ready_) ready[member] = std::vector<std::string>{ids.nb, ids.sb};
    j["ready_centrals"] = std::move(ready);
  }
  auto bytes = nlohmann::json::to_cbor(j);
  return std::string(bytes.begin(), bytes.end());
}

Result<void> Services::restore(std::string_view bytes) {
  if (auto c = check_cbor(bytes, kMaxCheckpointDepth); !c.ok())
    return std::move(c).error().wrap("services checkpoint does not parse");
  try {
    auto j = nlohmann::json::from_cbor(bytes.begin(), bytes.end());
    decltype(placement_) placement;
    for (const auto& [member, services] : j.at("placement").items()) {
      if (!services.is_array() || services.empty())
        throw std::invalid_argument("member " + member + " has no list of services");
      for (const auto& s : services) placement[member].insert(s.get<std::string>());
    }
    decltype(schemas_) schemas;
    if (j.contains("schemas")) {
      for (const auto& [member, s] : j.at("schemas").items()) {
        if (!s.is_array() || s.size() != 2) throw std::invalid_argument("member " + member + " has no schema pair");
        schemas[member] = Schemas{s.at(0).get<std::string>(), s.at(1).get<std::string>()};
      }
    }
    decltype(ready_) ready;
    if (j.contains("ready_centrals")) {
      for (const auto& [member, ids] : j.at("ready_centrals").items()) {
        if (!ids.is_array() || ids.size() != 2) throw std::invalid_argument("central " + member + " has no cluster ids");
        ready[member] = ClusterIds{ids.at(0).get<std::string>(), ids.at(1).get<std::string>()};
      }
    }
    placement_ = std::move(placement);
    schemas_ = std::move(schemas);
    ready_ = std::move(ready);
    return {};
  } catch (const std::exception& ex) {
    return make_error(Errc::kCorruption, std::string("services checkpoint does not parse: ") + ex.what());
  }
}

}  // namespace movn::projections
