// Membership projection: the cluster id and the members with their addresses, certificates and
// roles. Folded from cluster_bootstrapped, member_joined and member_removed. Single-threaded (core
// thread).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "projections/projection.h"

namespace movn::projections {

struct Member {
  std::string name;
  std::string address;
  std::string fingerprint;
  std::string certificate;
  NodeId raft_id;  // its Raft role is in the Raft configuration, not here
  std::uint64_t joined_at_ms = 0;
  std::uint64_t joined_index = 0;
  std::string encap_ip;  // the chassis' geneve endpoint; empty: the address's IP
  bool operator==(const Member&) const = default;
};

class Membership final : public Projection {
 public:
  std::string_view name() const override { return "membership"; }
  void apply(const events::Event& e, const ApplyContext& ctx) override;
  std::string snapshot() const override;
  Result<void> restore(std::string_view bytes) override;

  bool bootstrapped() const { return !cluster_id_.empty(); }
  const std::string& cluster_id() const { return cluster_id_; }
  // The member that bootstrapped the cluster.
  const std::string& founder() const { return founder_; }
  const std::map<std::string, Member>& members() const { return members_; }
  // The current members in the order they joined (upstream's member order: ovn.env, status).
  std::vector<const Member*> in_join_order() const;
  const Member* find(std::string_view name) const;
  const Member* find(NodeId raft_id) const;
  // The Raft id decide() gives the next member to join: one above every id ever given.
  NodeId next_raft_id() const { return NodeId(max_raft_id_.value + 1); }
  // Raft ids of removed members (the leader takes them out of the Raft configuration), with the
  // name each had.
  const std::map<NodeId, std::string>& removed() const { return removed_; }
  // A removed member as it was when it was removed (its address and certificate: where the
  // leader tells it so, and whose links are trusted until it is out of the Raft configuration).
  // Null for an id never removed, or removed before these were kept.
  const Member* removed_member(NodeId raft_id) const;

 private:
  std::string cluster_id_;
  std::string founder_;
  std::map<std::string, Member> members_;
  NodeId max_raft_id_;  // never lowered, so an id is never given twice
  std::map<NodeId, std::string> removed_;
  std::map<NodeId, Member> removed_members_;
};

}  // namespace movn::projections
