// Services projection: which OVN services (central, chassis, switch) are to run on which member,
// as the log places them (service_enabled, service_disabled; a removed member's services go with
// it), the OVSDB schema versions each member's OVN expects (schema_version_reported), and the
// centrals whose NB and SB servers are in their raft clusters (central_ready; cleared when
// central is disabled there). The daemon's service reconciler converges this member's processes on it; ovn.env and
// `status` read it. Single-threaded (core thread).
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "projections/projection.h"

namespace movn::projections {

// The services a member can run, in upstream's order.
inline constexpr std::string_view kServices[] = {"central", "chassis", "switch"};
bool is_service(std::string_view service);

class Services final : public Projection {
 public:
  std::string_view name() const override { return "services"; }
  void apply(const events::Event& e, const ApplyContext& ctx) override;
  std::string snapshot() const override;
  Result<void> restore(std::string_view bytes) override;

  bool enabled(std::string_view member, std::string_view service) const;
  // The services enabled on `member`, in kServices order.
  std::vector<std::string> of(std::string_view member) const;
  // The members with `service`, in name order.
  std::vector<std::string> members_with(std::string_view service) const;
  // member -> services, ordered.
  const std::map<std::string, std::set<std::string, std::less<>>, std::less<>>& placement() const {
    return placement_;
  }

  // The schema versions a member last reported; nullptr when it has not reported any.
  struct Schemas {
    std::string nb, sb;
    bool operator==(const Schemas&) const = default;
  };
  const Schemas* schemas_of(std::string_view member) const;

  // The NB and SB cluster ids a ready central reported; nullptr when it is not ready.
  struct ClusterIds {
    std::string nb, sb;
    bool operator==(const ClusterIds&) const = default;
  };
  const ClusterIds* ready_central(std::string_view member) const;

 private:
  std::map<std::string, std::set<std::string, std::less<>>, std::less<>> placement_;
  std::map<std::string, Schemas, std::less<>> schemas_;
  std::map<std::string, ClusterIds, std::less<>> ready_;
};

}  // namespace movn::projections
