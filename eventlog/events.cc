#include "eventlog/events.h"

#include <array>

#include "common/overloaded.h"

namespace movn::events {
namespace {
constexpr std::array<std::string_view, 14> kTypeNames = {
    "cluster_bootstrapped", "member_joined",      "join_token_issued", "join_token_revoked",
    "config_set",           "config_deleted",     "member_removed",    "ca_generated",
    "ca_set",               "certificate_issued", "service_enabled",   "service_disabled",
    "schema_version_reported", "central_ready",
};
static_assert(kTypeNames.size() == std::variant_size_v<Event>);

}  // namespace

std::string_view type_name(const Event& e) { return kTypeNames[e.index()]; }

bool is_known_type_name(std::string_view name) {
  for (auto n : kTypeNames)
    if (n == name) return true;
  return false;
}

std::string_view reason_name(RevokeReason r) {
  switch (r) {
    case RevokeReason::kRevoked: return "revoked";
    case RevokeReason::kExpired: return "expired";
    case RevokeReason::kUsed: return "used";
  }
  return "unknown";
}

std::optional<std::string_view> member_of(const Event& e) {
  return std::visit(
      Overloaded{
          [](const ClusterBootstrapped& x) -> std::optional<std::string_view> { return x.member_name; },
          [](const MemberJoined& x) -> std::optional<std::string_view> { return x.name; },
          [](const JoinTokenIssued& x) -> std::optional<std::string_view> { return x.name; },
          [](const JoinTokenRevoked& x) -> std::optional<std::string_view> { return x.name; },
          [](const ConfigSet&) -> std::optional<std::string_view> { return std::nullopt; },
          [](const ConfigDeleted&) -> std::optional<std::string_view> { return std::nullopt; },
          [](const MemberRemoved& x) -> std::optional<std::string_view> { return x.name; },
          [](const CaGenerated&) -> std::optional<std::string_view> { return std::nullopt; },
          [](const CaSet&) -> std::optional<std::string_view> { return std::nullopt; },
          [](const CertificateIssued& x) -> std::optional<std::string_view> { return x.member; },
          [](const ServiceEnabled& x) -> std::optional<std::string_view> { return x.member; },
          [](const ServiceDisabled& x) -> std::optional<std::string_view> { return x.member; },
          [](const SchemaVersionReported& x) -> std::optional<std::string_view> { return x.member; },
          [](const CentralReady& x) -> std::optional<std::string_view> { return x.member; },
      },
      e);
}

}  // namespace movn::events
