// The local API's certificate routes (docs/api.md): this member's certificate files, reissue,
// and the cluster CA (regenerate-ca, set-ca), in upstream's shapes (reference-behaviour §2.2).
#include <nlohmann/json.hpp>

#include "common/time.h"
#include "daemon/api.h"
#include "daemon/api_call.h"
#include "daemon/api_request.h"
#include "daemon/certificate_admin.h"
#include "daemon/certificate_reconciler.h"
#include "daemon/member_info.h"
#include "pki/seal.h"
#include "pki/service_files.h"

namespace movn::daemon {
namespace {
using nlohmann::ordered_json;

// A list upstream sends as null when it is empty.
ordered_json list_or_null(const std::vector<std::string>& v) {
  if (v.empty()) return nullptr;
  return ordered_json(v);
}

ordered_json report_json(const CertificateAdmin::Report& r) {
  ordered_json hosts = ordered_json::object();
  for (const auto& [name, h] : r.hosts)
    hosts[name] = ordered_json{{"success", list_or_null(h.success)}, {"failed", list_or_null(h.failed)}};
  return ordered_json{{"newCa", r.new_ca}, {"reissuedCertificates", hosts}, {"error", r.errors}};
}

std::string enabled_services() {
  std::string out;
  for (std::string_view s : commands::kCertificateServices) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

}  // namespace

// This member's certificate files (data/pki), as upstream lists them: paths, whether each file is
// there, and the certificate's expiry. Every member holds all five services' certificates
// until services can be enabled and disabled; a member in no cluster holds none.
void Api::certificates(Call& c) {
  const auto dir = member_data_dir(member_.state_dir) / "pki";
  const auto expiry = [](const std::filesystem::path& cert) -> std::string {
    auto info = pki::certificate_file_info(cert);
    return info.ok() && *info ? format_go_utc((*info)->not_after_unix_s) : std::string();
  };
  const auto present = [](const std::filesystem::path& p) {
    std::error_code ec;
    return std::filesystem::is_regular_file(p, ec);
  };
  const auto& ca = node_.applied().certificates().ca();
  const auto ca_path = dir / pki::kCaCertFile;
  ordered_json out{{"ca", ordered_json{{"cert", ca_path.string()},
                                       {"cert_present", present(ca_path)},
                                       {"auto_renew", ca && ca->auto_renew},
                                       {"expiration_date", expiry(ca_path)}}}};
  const bool member = node_.applied().membership().find(member_.name) != nullptr;
  for (const char* service : {"ovnnb", "ovnsb", "ovn-northd", "ovn-controller", "client"}) {
    if (!member) {
      out[service] = nullptr;
      continue;
    }
    const auto cert = pki::service_cert_path(dir, service), key = pki::service_key_path(dir, service);
    out[service] = ordered_json{{"cert", cert.string()},
                                {"cert_present", present(cert)},
                                {"key", key.string()},
                                {"key_present", present(key)},
                                {"expiration_date", expiry(cert)}};
  }
  c.ok(out);
}

void Api::reissue(Call& c, const std::string& service) {
  std::vector<std::string> services;
  if (service == "all") {
    for (std::string_view s : commands::kCertificateServices) services.emplace_back(s);
  } else {
    const bool known = std::find(std::begin(commands::kCertificateServices), std::end(commands::kCertificateServices),
                                 service) != std::end(commands::kCertificateServices);
    if (!known)
      return c.fail(make_error(Errc::kNotFound, "can't issue certificate for service '" + service +
                                                    "', service is not enabled on this member, enabled services: " +
                                                    enabled_services()));
    services.push_back(service);
  }
  if (certificates_ == nullptr) return c.fail(make_error(Errc::kUnavailable, "certificates are not managed here"));
  auto self = c.shared_from_this();
  certificates_->reissue(std::move(services), self->guard([self](Result<CertificateReconciler::Reissued> r) {
    if (!r.ok()) return self->fail(r.error());
    self->ok(ordered_json{{"success", list_or_null(r->success)}, {"failed", list_or_null(r->failed)}});
  }));
}

void Api::ca_info(Call& c) {
  const auto& ca = node_.applied().certificates().ca();
  c.ok(ordered_json{{"auto_renew", ca && ca->auto_renew}, {"error", ca ? "" : "the cluster has no CA"}});
}

void Api::regenerate_ca(Call& c) {
  if (ca_admin_ == nullptr) return c.fail(make_error(Errc::kUnavailable, "the CA is not managed here"));
  auto self = c.shared_from_this();
  ca_admin_->regenerate(c.request_id, c.actor, self->guard([self](Result<CertificateAdmin::Report> r) {
    if (!r.ok()) return self->fail(r.error());
    self->ok(report_json(*r));
  }));
}

void Api::set_ca(Call& c) {
  auto body = parse_set_ca_body(c.req.body);
  // The request's copy of the key is not needed past here.
  pki::wipe(c.req.body);
  if (!body.ok()) return c.fail(body.error());
  if (ca_admin_ == nullptr) {
    pki::wipe(body->private_key);
    return c.fail(make_error(Errc::kUnavailable, "the CA is not managed here"));
  }
  auto self = c.shared_from_this();
  ca_admin_->set_ca(std::move(body->certificate), std::move(body->private_key), c.request_id, c.actor,
                    self->guard([self](Result<CertificateAdmin::Report> r) {
                      if (!r.ok()) return self->fail(r.error());
                      self->ok(report_json(*r));
                    }));
  pki::wipe(body->private_key);
}

}  // namespace movn::daemon
