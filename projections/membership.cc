#include "projections/membership.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace movn::projections {

std::vector<const Member*> Membership::in_join_order() const {
  std::vector<const Member*> out;
  out.reserve(members_.size());
  for (const auto& [name, m] : members_) out.push_back(&m);
  std::sort(out.begin(), out.end(), [](const Member* a, const Member* b) { return a->joined_index < b->joined_index; });
  return out;
}

void Membership::apply(const events::Event& e, const ApplyContext& ctx) {
  if (const auto* b = std::get_if<events::ClusterBootstrapped>(&e)) {
    // A second bootstrap cannot pass decide(); if one is in the log anyway, the first one stands.
    if (cluster_id_.empty()) {
      cluster_id_ = b->cluster_id;
      founder_ = b->member_name;
    }
  } else if (const auto* j = std::get_if<events::MemberJoined>(&e)) {
    Member m{j->name,    j->address,      j->fingerprint, j->certificate, events::raft_id_of(*j), ctx.time.value,
             ctx.index.value, j->encap_ip};
    if (m.raft_id > max_raft_id_) max_raft_id_ = m.raft_id;
    members_[j->name] = std::move(m);
  } else if (const auto* r = std::get_if<events::MemberRemoved>(&e)) {
    if (auto it = members_.find(r->name); it != members_.end()) {
      // What the checkpoint keeps of it: where it was and its certificate's fingerprint.
      const Member& m = it->second;
      removed_members_[m.raft_id] = Member{m.name, m.address, m.fingerprint, {}, m.raft_id, 0, 0};
      members_.erase(it);
    }
    removed_[NodeId(r->raft_id)] = r->name;
  }
}

const Member* Membership::removed_member(NodeId raft_id) const {
  auto it = removed_members_.find(raft_id);
  return it == removed_members_.end() ? nullptr : &it->second;
}

const Member* Membership::find(NodeId raft_id) const {
  for (const auto& [n, m] : members_)
    if (m.raft_id == raft_id) return &m;
  return nullptr;
}

const Member* Membership::find(std::string_view name) const {
  auto it = members_.find(std::string(name));
  return it == members_.end() ? nullptr : &it->second;
}

std::string Membership::snapshot() const {
  nlohmann::json j;
  j["cluster_id"] = cluster_id_;
  j["founder"] = founder_;
  j["max_raft_id"] = max_raft_id_.value;
  auto& removed = j["removed"] = nlohmann::json::array();
  for (const auto& [id, name] : removed_) {
    nlohmann::json r{{"raft_id", id.value}, {"name", name}};
    if (auto it = removed_members_.find(id); it != removed_members_.end()) {
      r["address"] = it->second.address;
      r["fingerprint"] = it->second.fingerprint;
    }
    removed.push_back(std::move(r));
  }
  auto& arr = j["members"] = nlohmann::json::array();
  for (const auto& [n, m] : members_) {
    nlohmann::json x{{"name", m.name}, {"address", m.address}, {"fingerprint", m.fingerprint},
                     {"certificate", m.certificate}, {"raft_id", m.raft_id.value},
                     {"joined_at_ms", m.joined_at_ms}, {"joined_index", m.joined_index}};
    // Only when given: a cluster without any keeps the digests it had before the field existed.
    if (!m.encap_ip.empty()) x["encap_ip"] = m.encap_ip;
    arr.push_back(std::move(x));
  }
  return j.dump();
}

Result<void> Membership::restore(std::string_view bytes) {
  try {
    auto j = nlohmann::json::parse(bytes);
    std::string cid = j.at("cluster_id").get<std::string>();
    std::string founder = j.at("founder").get<std::string>();
    NodeId max_id(snapshot_u64(j.at("max_raft_id")));
    std::map<std::string, Member> ms;
    std::map<NodeId, std::string> removed;
    std::map<NodeId, Member> removed_members;
    // Checkpoints written before member_removed existed have no list: nobody was removed; and
    // older entries of it have no address and fingerprint.
    if (j.contains("removed"))
      for (const auto& r : j.at("removed")) {
        const NodeId id(snapshot_u64(r.at("raft_id")));
        removed[id] = r.at("name").get<std::string>();
        if (r.contains("address"))
          removed_members[id] = Member{removed[id], r.at("address").get<std::string>(),
                                       r.at("fingerprint").get<std::string>(), {}, id, 0, 0};
      }
    for (const auto& m : j.at("members")) {
      Member x{m.at("name").get<std::string>(), m.at("address").get<std::string>(),
               m.at("fingerprint").get<std::string>(), m.at("certificate").get<std::string>(),
               NodeId(snapshot_u64(m.at("raft_id"))), snapshot_u64(m.at("joined_at_ms")),
               snapshot_u64(m.at("joined_index"))};
      if (m.contains("encap_ip")) x.encap_ip = m.at("encap_ip").get<std::string>();
      ms[x.name] = std::move(x);
    }
    cluster_id_ = std::move(cid);
    founder_ = std::move(founder);
    max_raft_id_ = max_id;
    members_ = std::move(ms);
    removed_ = std::move(removed);
    removed_members_ = std::move(removed_members);
    return {};
  } catch (const std::exception& ex) {
    return make_error(Errc::kCorruption, std::string("membership checkpoint does not parse: ") + ex.what());
  }
}

}  // namespace movn::projections
