#include "commands/decide.h"

#include <algorithm>
#include <iterator>

#include "commands/validate.h"
#include "common/sha256.h"
#include "common/utf8.h"

namespace movn::commands {
namespace {
using events::Event;
using Events = std::vector<Event>;

bool is_printable_ascii(std::string_view s) {
  for (char c : s)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

bool is_lower_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

Result<void> require_bootstrapped(const projections::State& view) {
  if (!view.membership().bootstrapped())
    return make_error(Errc::kFailedPrecondition,
                      "this member is not part of a cluster yet (run 'microovn cluster bootstrap')");
  return {};
}

// The CA the daemon made and sealed: checked for shape, since the log can only carry text and
// every member must be able to read it (pki/ checked the certificate itself when it made it).
Result<void> check_ca(const events::CaCertificate& ca) {
  if (ca.certificate.empty() || !is_valid_utf8(ca.certificate))
    return make_error(Errc::kInvalidArgument, "CA certificate is missing or is not PEM text");
  if (ca.fingerprint.size() != 64 || !is_lower_hex(ca.fingerprint))
    return make_error(Errc::kInvalidArgument, "CA certificate fingerprint must be 64 hex characters");
  if (ca.sealed_key.empty()) return make_error(Errc::kInvalidArgument, "the CA's sealed key is missing");
  return {};
}

// A service certificate's shape: a known service, PEM text, a fingerprint, a serial and a
// validity the log can carry.
Result<void> check_certificate(const events::CertificateIssued& c) {
  if (std::find(std::begin(kCertificateServices), std::end(kCertificateServices), c.service) ==
      std::end(kCertificateServices))
    return make_error(Errc::kInvalidArgument, "\"" + c.service + "\" is not a service that holds a certificate");
  if (c.certificate.empty() || !is_valid_utf8(c.certificate))
    return make_error(Errc::kInvalidArgument, "the certificate is missing or is not PEM text");
  if (c.fingerprint.size() != 64 || !is_lower_hex(c.fingerprint))
    return make_error(Errc::kInvalidArgument, "certificate fingerprint must be 64 hex characters");
  if (c.serial.empty() || c.serial.size() > 64 || !is_lower_hex(c.serial))
    return make_error(Errc::kInvalidArgument, "certificate serial must be 1 to 64 hex characters");
  if (c.not_after_ms <= c.not_before_ms)
    return make_error(Errc::kInvalidArgument, "the certificate expires before it is valid");
  return {};
}

// A custom encapsulation IP: an IPv4 or IPv6 address, without brackets or port.
Result<void> check_encap_ip(const std::string& ip) {
  if (ip.empty() || is_ip_address(ip)) return {};
  return make_error(Errc::kInvalidArgument, "encapsulation IP \"" + ip + "\" is not an IPv4 or IPv6 address");
}

Result<Events> decide_bootstrap(const projections::State& view, const BootstrapRequest& r) {
  if (view.membership().bootstrapped())
    return make_error(Errc::kAlreadyExists,
                      "this member is already part of cluster " + view.membership().cluster_id());
  MOVN_TRY(validate_member_name(r.name));
  MOVN_ASSIGN_OR_RETURN(std::string address, normalize_address(r.address));
  // The daemon makes these; they are still checked, because the log can only carry text.
  if (r.cluster_id.empty() || r.cluster_id.size() > 128 || !is_printable_ascii(r.cluster_id))
    return make_error(Errc::kInvalidArgument, "cluster id must be 1 to 128 printable characters");
  if (r.fingerprint.size() != 64 || !is_lower_hex(r.fingerprint))
    return make_error(Errc::kInvalidArgument, "member certificate fingerprint must be 64 hex characters");
  if (r.certificate.empty() || !is_valid_utf8(r.certificate))
    return make_error(Errc::kInvalidArgument, "member certificate is missing or is not PEM text");
  MOVN_TRY(check_encap_ip(r.encap_ip));
  Events out{events::ClusterBootstrapped{r.cluster_id, r.name},
             events::MemberJoined{r.name, address, r.fingerprint, r.certificate,
                                  view.membership().next_raft_id().value, r.encap_ip}};
  if (r.ca) {
    MOVN_TRY(check_ca(*r.ca));
    out.push_back(events::CaGenerated{*r.ca});
  }
  for (const auto& c : r.certificates) {
    MOVN_TRY(check_certificate(c));
    if (c.member != r.name) return make_error(Errc::kInvalidArgument, "a founder's certificate names another member");
    if (!r.ca || c.ca_fingerprint != r.ca->fingerprint)
      return make_error(Errc::kInvalidArgument, "a founder's certificate is not from the cluster's new CA");
    out.push_back(c);
  }
  // The founder runs every service (upstream's bootstrap with no init configuration).
  for (std::string_view s : projections::kServices) out.push_back(events::ServiceEnabled{r.name, std::string(s)});
  return out;
}

Result<Events> decide_issue(const projections::State& view, const IssueTokenRequest& r,
                            ClusterTimeMs now) {
  MOVN_TRY(require_bootstrapped(view));
  MOVN_TRY(validate_member_name(r.name));
  if (r.lifetime_ms == 0) return make_error(Errc::kInvalidArgument, "token timeout must be positive");
  if (r.lifetime_ms > kMaxTokenLifetimeMs)
    return make_error(Errc::kInvalidArgument, "token timeout must be at most one year");
  if (r.secret_sha256.size() != 32) return make_error(Errc::kInvalidArgument, "token secret hash is malformed");
  if (view.membership().find(r.name) != nullptr)
    return make_error(Errc::kAlreadyExists, "name \"" + r.name + "\" is taken: a member has that name");
  Events out;
  // Expired tokens are purged, each with its own event, before a new one is issued.
  for (const auto& [name, t] : view.tokens().tokens()) {
    if (t.expired_at(now.value)) {
      out.push_back(events::JoinTokenRevoked{name, events::RevokeReason::kExpired});
    } else if (name == r.name) {
      return make_error(Errc::kAlreadyExists, "name \"" + r.name +
                                                  "\" is taken: a join token for it exists (revoke it first)");
    }
  }
  out.push_back(events::JoinTokenIssued{r.name, r.secret_sha256, now.value + r.lifetime_ms});
  return out;
}

Result<Events> decide_revoke(const projections::State& view, const RevokeTokenRequest& r) {
  MOVN_TRY(require_bootstrapped(view));
  if (view.tokens().find(r.name) == nullptr)
    return make_error(Errc::kNotFound, "no join token for \"" + r.name + "\"");
  return Events{events::JoinTokenRevoked{r.name, events::RevokeReason::kRevoked}};
}

}  // namespace

std::vector<std::string> auto_services(const projections::State& view) {
  std::vector<std::string> out;
  const bool central_ips_set = view.config().get(kCentralIpsKey).has_value();
  if (!central_ips_set && view.services().members_with("central").size() < kAutoCentralMembers)
    out.emplace_back("central");
  out.emplace_back("chassis");
  out.emplace_back("switch");
  return out;
}

namespace {

Result<Events> decide_join(const projections::State& view, const JoinRequest& r, ClusterTimeMs now) {
  MOVN_TRY(require_bootstrapped(view));
  MOVN_TRY(validate_member_name(r.name));
  MOVN_ASSIGN_OR_RETURN(std::string address, normalize_address(r.address));
  if (r.fingerprint.size() != 64 || !is_lower_hex(r.fingerprint))
    return make_error(Errc::kInvalidArgument, "member certificate fingerprint must be 64 hex characters");
  if (r.certificate.empty() || !is_valid_utf8(r.certificate))
    return make_error(Errc::kInvalidArgument, "member certificate is missing or is not PEM text");
  if (view.membership().find(r.name) != nullptr)
    return make_error(Errc::kAlreadyExists, "\"" + r.name + "\" is already a member of the cluster");
  const projections::Token* token = view.tokens().find(r.name);
  if (token == nullptr)
    return make_error(Errc::kPermissionDenied, "no join token for \"" + r.name +
                                                   "\" (never issued, revoked, or used already)");
  if (token->expired_at(now.value))
    return make_error(Errc::kPermissionDenied, "the join token for \"" + r.name + "\" has expired");
  const Digest hash = sha256(r.secret);
  if (std::string(hash.begin(), hash.end()) != token->secret_sha256)
    return make_error(Errc::kPermissionDenied, "the join token for \"" + r.name + "\" does not match");
  MOVN_TRY(check_encap_ip(r.encap_ip));
  Events out{events::JoinTokenRevoked{r.name, events::RevokeReason::kUsed},
             events::MemberJoined{r.name, address, r.fingerprint, r.certificate,
                                  view.membership().next_raft_id().value, r.encap_ip}};
  for (const auto& s : auto_services(view)) out.push_back(events::ServiceEnabled{r.name, s});
  return out;
}

Result<Events> decide_remove(const projections::State& view, const RemoveMemberRequest& r) {
  MOVN_TRY(require_bootstrapped(view));
  const projections::Member* m = view.membership().find(r.name);
  if (m == nullptr) return make_error(Errc::kNotFound, "no member named \"" + r.name + "\"");
  if (view.membership().members().size() <= 1)
    return make_error(Errc::kFailedPrecondition, "\"" + r.name + "\" is the last member of the cluster");
  return Events{events::MemberRemoved{r.name, m->raft_id.value}};
}

Result<Events> decide_record_certificate(const projections::State& view, const RecordCertificateRequest& r) {
  MOVN_TRY(require_bootstrapped(view));
  const events::CertificateIssued& c = r.certificate;
  if (view.membership().find(c.member) == nullptr)
    return make_error(Errc::kNotFound, "no member named \"" + c.member + "\"");
  MOVN_TRY(check_certificate(c));
  const auto& ca = view.certificates().ca();
  if (!ca) return make_error(Errc::kFailedPrecondition, "the cluster has no CA");
  if (c.ca_fingerprint != ca->ca.fingerprint)
    return make_error(Errc::kConflict, "the certificate was issued by a CA that is no longer the cluster's");
  return Events{c};
}

Result<Events> decide_set_ca(const projections::State& view, const SetCaRequest& r) {
  MOVN_TRY(require_bootstrapped(view));
  MOVN_TRY(check_ca(r.ca));
  const auto& current = view.certificates().ca();
  if (!r.replaces.empty() && (!current || current->ca.fingerprint != r.replaces))
    return make_error(Errc::kConflict, "the CA this one was to replace has been replaced already");
  if (r.generated) return Events{events::CaGenerated{r.ca}};
  if (current && !current->auto_renew && current->ca.fingerprint == r.ca.fingerprint) return Events{};
  return Events{events::CaSet{r.ca}};
}

Result<void> require_member(const projections::State& view, const std::string& name) {
  if (view.membership().find(name) == nullptr) return make_error(Errc::kNotFound, "no member named \"" + name + "\"");
  return {};
}

Result<Events> decide_set_service(const projections::State& view, const SetServiceRequest& r) {
  MOVN_TRY(require_bootstrapped(view));
  if (!projections::is_service(r.service))
    return make_error(Errc::kInvalidArgument, "unknown service '" + r.service + "' (central, chassis or switch)");
  MOVN_TRY(require_member(view, r.member));
  const bool enabled = view.services().enabled(r.member, r.service);
  if (r.enable) {
    if (enabled) return make_error(Errc::kAlreadyExists, "this service is already enabled");
    return Events{events::ServiceEnabled{r.member, r.service}};
  }
  if (!enabled) return make_error(Errc::kFailedPrecondition, "this service is not enabled");
  if (r.service == "central" && view.services().members_with("central").size() == 1 && !r.allow_disable_last_central)
    return make_error(Errc::kFailedPrecondition, "cannot disable last central node without explicit confirmation");
  return Events{events::ServiceDisabled{r.member, r.service}};
}

// A version is empty or digits and dots, as `ovsdb-tool schema-version` prints it.
Result<void> check_schema_version(std::string_view what, const std::string& v) {
  const bool ok = v.size() <= 32 && std::all_of(v.begin(), v.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
  if (!ok) return make_error(Errc::kInvalidArgument, std::string(what) + " schema version '" + v + "' is not x.y.z");
  return {};
}

Result<Events> decide_report_schema(const projections::State& view, const ReportSchemaRequest& r) {
  MOVN_TRY(require_bootstrapped(view));
  MOVN_TRY(require_member(view, r.member));
  MOVN_TRY(check_schema_version("the NB", r.nb));
  MOVN_TRY(check_schema_version("the SB", r.sb));
  const auto* last = view.services().schemas_of(r.member);
  if (last != nullptr && last->nb == r.nb && last->sb == r.sb) return Events{};
  return Events{events::SchemaVersionReported{r.member, r.nb, r.sb}};
}

// A raft cluster id as `cluster/cid` prints it: a UUID.
Result<void> check_cluster_id(std::string_view what, const std::string& id) {
  bool ok = id.size() == 36;
  for (std::size_t i = 0; ok && i < id.size(); ++i) {
    const char c = id[i];
    ok = (i == 8 || i == 13 || i == 18 || i == 23) ? c == '-' : ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }
  if (!ok) return make_error(Errc::kInvalidArgument, std::string(what) + " cluster id '" + id + "' is not a UUID");
  return {};
}

Result<Events> decide_report_central(const projections::State& view, const ReportCentralRequest& r) {
  MOVN_TRY(require_bootstrapped(view));
  MOVN_TRY(require_member(view, r.member));
  if (!view.services().enabled(r.member, "central"))
    return make_error(Errc::kFailedPrecondition, "central is not enabled on \"" + r.member + "\"");
  MOVN_TRY(check_cluster_id("the NB", r.nb_cluster_id));
  MOVN_TRY(check_cluster_id("the SB", r.sb_cluster_id));
  const auto* last = view.services().ready_central(r.member);
  if (last != nullptr && last->nb == r.nb_cluster_id && last->sb == r.sb_cluster_id) return Events{};
  return Events{events::CentralReady{r.member, r.nb_cluster_id, r.sb_cluster_id}};
}

Result<Events> decide_set_config(const projections::State& view, const SetConfigRequest& r) {
  MOVN_TRY(require_bootstrapped(view));
  MOVN_TRY(validate_config(r.key, r.value));
  return Events{events::ConfigSet{r.key, r.value}};
}

Result<Events> decide_delete_config(const projections::State& view, const DeleteConfigRequest& r) {
  MOVN_TRY(require_bootstrapped(view));
  MOVN_TRY(validate_config_key(r.key));
  if (!view.config().get(r.key)) return Events{};
  return Events{events::ConfigDeleted{r.key}};
}
}  // namespace

std::string request_digest(const Request& request) {
  // One hasher per thread, reused (finish() leaves it ready): a new one costs three allocations
  // and an OpenSSL context, on every request.
  thread_local Sha256 h;
  h.update_u64(request.index());
  if (auto* r = std::get_if<BootstrapRequest>(&request)) {
    h.update_field(r->name).update_field(r->address);
    if (!r->encap_ip.empty()) h.update_field(r->encap_ip);
  } else if (auto* r = std::get_if<IssueTokenRequest>(&request)) {
    h.update_field(r->name).update_field(r->secret_sha256).update_u64(r->lifetime_ms);
  } else if (auto* r = std::get_if<RevokeTokenRequest>(&request)) {
    h.update_field(r->name);
  } else if (auto* r = std::get_if<SetConfigRequest>(&request)) {
    h.update_field(r->key).update_field(r->value);
  } else if (auto* r = std::get_if<DeleteConfigRequest>(&request)) {
    h.update_field(r->key);
  } else if (auto* r = std::get_if<JoinRequest>(&request)) {
    const Digest secret = sha256(r->secret);
    h.update_field(r->name).update_field(r->address).update_field(r->fingerprint).update_field(
        std::string_view(reinterpret_cast<const char*>(secret.data()), secret.size()));
    if (!r->encap_ip.empty()) h.update_field(r->encap_ip);
  } else if (auto* r = std::get_if<RemoveMemberRequest>(&request)) {
    h.update_field(r->name);
  } else if (auto* r = std::get_if<RecordCertificateRequest>(&request)) {
    const auto& c = r->certificate;
    h.update_field(c.member).update_field(c.service).update_field(c.fingerprint).update_field(c.ca_fingerprint);
  } else if (auto* r = std::get_if<SetCaRequest>(&request)) {
    // A generated CA is the daemon's work: a retry of "regenerate" is the same request whatever
    // CA it made. An operator's CA is what was asked for.
    h.update_field(r->generated ? "generated" : "set").update_field(r->replaces);
    if (!r->generated) h.update_field(r->ca.fingerprint);
  } else if (auto* r = std::get_if<SetServiceRequest>(&request)) {
    h.update_field(r->member).update_field(r->service).update_u64(r->enable ? 1 : 0).update_u64(
        r->allow_disable_last_central ? 1 : 0);
  } else if (auto* r = std::get_if<ReportSchemaRequest>(&request)) {
    h.update_field(r->member).update_field(r->nb).update_field(r->sb);
  } else if (auto* r = std::get_if<ReportCentralRequest>(&request)) {
    h.update_field(r->member).update_field(r->nb_cluster_id).update_field(r->sb_cluster_id);
  }
  Digest d = h.finish();
  return std::string(d.begin(), d.end());
}

Result<std::vector<events::Event>> decide(const projections::State& view, const Request& request,
                                          ClusterTimeMs now) {
  if (auto* r = std::get_if<BootstrapRequest>(&request)) return decide_bootstrap(view, *r);
  if (auto* r = std::get_if<IssueTokenRequest>(&request)) return decide_issue(view, *r, now);
  if (auto* r = std::get_if<RevokeTokenRequest>(&request)) return decide_revoke(view, *r);
  if (auto* r = std::get_if<SetConfigRequest>(&request)) return decide_set_config(view, *r);
  if (auto* r = std::get_if<JoinRequest>(&request)) return decide_join(view, *r, now);
  if (auto* r = std::get_if<RemoveMemberRequest>(&request)) return decide_remove(view, *r);
  if (auto* r = std::get_if<RecordCertificateRequest>(&request)) return decide_record_certificate(view, *r);
  if (auto* r = std::get_if<SetCaRequest>(&request)) return decide_set_ca(view, *r);
  if (auto* r = std::get_if<SetServiceRequest>(&request)) return decide_set_service(view, *r);
  if (auto* r = std::get_if<ReportSchemaRequest>(&request)) return decide_report_schema(view, *r);
  if (auto* r = std::get_if<ReportCentralRequest>(&request)) return decide_report_central(view, *r);
  return decide_delete_config(view, std::get<DeleteConfigRequest>(request));
}

}  // namespace movn::commands
