#include "eventlog/event_json.h"

#include "common/overloaded.h"
#include "common/sha256.h"
#include "common/time.h"

namespace movn::eventlog {
namespace {
using nlohmann::ordered_json;
}  // namespace

namespace {
// The certificate is public but long; the sealed key is only counted: neither helps an audit.
ordered_json ca_json(const events::CaCertificate& ca) {
  return ordered_json{{"fingerprint", ca.fingerprint},
                      {"not_after", format_rfc3339(ca.not_after_ms)},
                      {"sealed_key_bytes", ca.sealed_key.size()}};
}
}  // namespace

ordered_json event_to_json(const events::Event& e) {
  return std::visit(
      Overloaded{
          [](const events::ClusterBootstrapped& x) {
            return ordered_json{{"cluster_id", x.cluster_id}, {"member_name", x.member_name}};
          },
          [](const events::MemberJoined& x) {
            ordered_json j{{"name", x.name},
                           {"address", x.address},
                           {"fingerprint", x.fingerprint},
                           {"raft_id", events::raft_id_of(x).value}};
            if (!x.encap_ip.empty()) j["encap_ip"] = x.encap_ip;
            return j;
          },
          [](const events::JoinTokenIssued& x) {
            return ordered_json{
                {"name", x.name},
                {"secret_sha256",
                 to_hex(std::span<const std::uint8_t>(
                     reinterpret_cast<const std::uint8_t*>(x.secret_sha256.data()), x.secret_sha256.size()))},
                {"expires_at", format_rfc3339(x.expires_at_ms)}};
          },
          [](const events::JoinTokenRevoked& x) {
            return ordered_json{{"name", x.name}, {"reason", events::reason_name(x.reason)}};
          },
          [](const events::ConfigSet& x) { return ordered_json{{"key", x.key}, {"value", x.value}}; },
          [](const events::ConfigDeleted& x) { return ordered_json{{"key", x.key}}; },
          [](const events::MemberRemoved& x) { return ordered_json{{"name", x.name}, {"raft_id", x.raft_id}}; },
          [](const events::CaGenerated& x) { return ca_json(x.ca); },
          [](const events::CaSet& x) { return ca_json(x.ca); },
          [](const events::CertificateIssued& x) {
            return ordered_json{{"member", x.member},
                                {"service", x.service},
                                {"serial", x.serial},
                                {"fingerprint", x.fingerprint},
                                {"not_before", format_rfc3339(x.not_before_ms)},
                                {"not_after", format_rfc3339(x.not_after_ms)},
                                {"ca_fingerprint", x.ca_fingerprint}};
          },
          [](const events::ServiceEnabled& x) { return ordered_json{{"member", x.member}, {"service", x.service}}; },
          [](const events::ServiceDisabled& x) { return ordered_json{{"member", x.member}, {"service", x.service}}; },
          [](const events::SchemaVersionReported& x) {
            return ordered_json{{"member", x.member}, {"nb", x.nb}, {"sb", x.sb}};
          },
          [](const events::CentralReady& x) {
            return ordered_json{{"member", x.member}, {"nb_cluster_id", x.nb_cluster_id}, {"sb_cluster_id", x.sb_cluster_id}};
          },
      },
      e);
}

std::string event_summary(const events::Event& e) {
  return std::visit(
      Overloaded{
          [](const events::ClusterBootstrapped& x) {
            return "cluster " + x.cluster_id + " bootstrapped by " + x.member_name;
          },
          [](const events::MemberJoined& x) {
            return "member " + x.name + " joined at " + x.address;
          },
          [](const events::JoinTokenIssued& x) {
            return "join token for " + x.name + " issued, expires " + format_rfc3339(x.expires_at_ms);
          },
          [](const events::JoinTokenRevoked& x) {
            return "join token for " + x.name + " " + std::string(events::reason_name(x.reason));
          },
          [](const events::ConfigSet& x) { return "config " + x.key + " set to '" + x.value + "'"; },
          [](const events::ConfigDeleted& x) { return "config " + x.key + " deleted"; },
          [](const events::MemberRemoved& x) { return "member " + x.name + " removed"; },
          [](const events::CaGenerated& x) {
            return "CA " + x.ca.fingerprint.substr(0, 12) + " generated, expires " + format_rfc3339(x.ca.not_after_ms);
          },
          [](const events::CaSet& x) {
            return "CA " + x.ca.fingerprint.substr(0, 12) + " set, expires " + format_rfc3339(x.ca.not_after_ms);
          },
          [](const events::CertificateIssued& x) {
            return x.service + " certificate " + x.fingerprint.substr(0, 12) + " issued to " + x.member +
                   ", expires " + format_rfc3339(x.not_after_ms);
          },
          [](const events::ServiceEnabled& x) { return "service " + x.service + " enabled on " + x.member; },
          [](const events::ServiceDisabled& x) { return "service " + x.service + " disabled on " + x.member; },
          [](const events::SchemaVersionReported& x) {
            return x.member + " expects schemas NB " + (x.nb.empty() ? "(none)" : x.nb) + ", SB " +
                   (x.sb.empty() ? "(none)" : x.sb);
          },
          [](const events::CentralReady& x) {
            return "central ready on " + x.member + ": NB cluster " + x.nb_cluster_id.substr(0, 8) + ", SB cluster " +
                   x.sb_cluster_id.substr(0, 8);
          },
      },
      e);
}

std::string actor_string(const events::Actor& a) {
  if (a.os_user.empty()) return a.member;
  if (a.member.empty()) return a.os_user;
  return a.os_user + "@" + a.member;
}

}  // namespace movn::eventlog
