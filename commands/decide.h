// decide(): request x view x cluster time -> events or error (docs/design.md §2). All validation
// of commands lives here; it reads the view and never does I/O. Anything random or secret (the
// cluster id, the token secret, the member certificate) is made by the daemon and passed in.
// Pure functions; thread-safe for distinct views.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "eventlog/events.h"
#include "projections/state.h"

namespace movn::commands {

// The longest a join token may live: one year.
inline constexpr std::uint64_t kMaxTokenLifetimeMs = 365ULL * 24 * 3600 * 1000;

struct BootstrapRequest {
  std::string cluster_id;
  std::string name;
  std::string address;  // normalized ip:port
  std::string fingerprint;
  std::string certificate;
  // The cluster CA, made and sealed by the daemon (ca_generated in the same batch), and the
  // founder's service certificates issued from it (certificate_issued, same batch). The
  // simulator's clusters have none.
  std::optional<events::CaCertificate> ca;
  std::vector<events::CertificateIssued> certificates;
  std::string encap_ip;  // --encap-ip: the chassis' geneve endpoint (empty: the address's IP)
};

struct IssueTokenRequest {
  std::string name;
  std::string secret_sha256;  // 32 raw bytes
  std::uint64_t lifetime_ms = 0;
};

struct RevokeTokenRequest {
  std::string name;
};

struct SetConfigRequest {
  std::string key;
  std::string value;
};

struct DeleteConfigRequest {
  std::string key;
};

// A new member asks to join with the secret of the token issued for its name: the token must
// exist, be unexpired at the cluster time of the decision and match; it is used up in the same
// batch that admits the member (join_token_revoked{used}, then member_joined with a new Raft id).
struct JoinRequest {
  std::string name;
  std::string address;  // normalized ip:port
  std::string fingerprint;
  std::string certificate;
  std::string secret;  // the token's secret, as the joiner holds it (never logged)
  std::string encap_ip;  // as in BootstrapRequest
};

// Removes a member from the cluster (member_removed); the leader then takes its Raft id out of
// the Raft configuration. The last member cannot be removed.
struct RemoveMemberRequest {
  std::string name;
};

// A member records a service certificate it issued itself from the cluster CA (the key stays on
// that member). The member must be current and the CA the one it names; a certificate for the
// same member and service replaces the one recorded before.
struct RecordCertificateRequest {
  events::CertificateIssued certificate;
};

// A new cluster CA: one the cluster generated (ca_generated: regenerate-ca, renewal; renewed
// automatically) or one the operator set (ca_set; never renewed automatically). The daemon made
// and sealed it. `replaces`, when set, is the fingerprint of the CA this one is meant to replace:
// if another CA replaced that one first, the request is refused (kConflict), so members that
// renew the same expiring CA at once make one new CA, not several. Setting the CA that is already
// the operator's records nothing.
struct SetCaRequest {
  events::CaCertificate ca;
  bool generated = false;
  std::string replaces;
};

// Enables or disables an OVN service on a member (`microovn enable` / `disable`, reference-behaviour
// §1.5 and §3.4): service_enabled or service_disabled. Enabling a service already enabled, or
// disabling one that is not, is refused; so is disabling the last central, unless
// `allow_disable_last_central` (its databases go with it, and a later enable founds new ones).
struct SetServiceRequest {
  std::string member;
  std::string service;
  bool enable = true;
  bool allow_disable_last_central = false;
};

// A member reports the OVSDB schema versions its OVN expects (schema_version_reported): what
// `status` shows for every member, and what a schema upgrade waits for. A report equal to the
// member's last one records nothing.
struct ReportSchemaRequest {
  std::string member;
  std::string nb;  // "x.y.z", or empty when this member's OVN has no such schema
  std::string sb;
};

// A central reports its NB and SB servers in their raft clusters (central_ready), with the
// cluster ids. Only a member that runs central; a report equal to the last records nothing.
struct ReportCentralRequest {
  std::string member;
  std::string nb_cluster_id;
  std::string sb_cluster_id;
};

// The services a member holds certificates for (docs/events.md, certificate_issued).
inline constexpr std::string_view kCertificateServices[] = {"client", "ovnnb", "ovnsb", "ovn-northd",
                                                            "ovn-controller"};

// Where `auto` places a joining member's services (reference-behaviour §3.4): chassis and switch
// always; central too while fewer than kAutoCentralMembers members run it and no
// `ovn.central-ips` is set (an explicit list of centrals means the operator places them).
inline constexpr std::size_t kAutoCentralMembers = 3;
inline constexpr std::string_view kCentralIpsKey = "ovn.central-ips";
std::vector<std::string> auto_services(const projections::State& view);

using Request = std::variant<BootstrapRequest, IssueTokenRequest, RevokeTokenRequest,
                             SetConfigRequest, DeleteConfigRequest, JoinRequest, RemoveMemberRequest,
                             RecordCertificateRequest, SetCaRequest, SetServiceRequest, ReportSchemaRequest,
                             ReportCentralRequest>;

// SHA-256 (32 raw bytes) of what the requester asked for: the command and its parameters, not the
// daemon-made parts (cluster id, certificate). A retry has the same digest; a request id reused
// for another request does not.
std::string request_digest(const Request& request);

// An empty vector means "accepted, nothing to record" (for example deleting an unset key).
Result<std::vector<events::Event>> decide(const projections::State& view, const Request& request,
                                          ClusterTimeMs now);

}  // namespace movn::commands
