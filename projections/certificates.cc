#include "projections/certificates.h"

#include <nlohmann/json.hpp>

namespace movn::projections {
namespace {

nlohmann::json ca_to_json(const CaRecord& r) {
  return {{"certificate", r.ca.certificate},
          {"sealed_key", nlohmann::json::binary(std::vector<std::uint8_t>(r.ca.sealed_key.begin(),
                                                                          r.ca.sealed_key.end()))},
          {"fingerprint", r.ca.fingerprint},
          {"not_after_ms", r.ca.not_after_ms},
          {"auto_renew", r.auto_renew},
          {"index", r.index.value}};
}

CaRecord ca_from_json(const nlohmann::json& j) {
  CaRecord r;
  r.ca.certificate = j.at("certificate").get<std::string>();
  const auto& sealed = j.at("sealed_key").get_binary();
  r.ca.sealed_key.assign(sealed.begin(), sealed.end());
  r.ca.fingerprint = j.at("fingerprint").get<std::string>();
  r.ca.not_after_ms = snapshot_u64(j.at("not_after_ms"));
  r.auto_renew = j.at("auto_renew").get<bool>();
  r.index = LogIndex(snapshot_u64(j.at("index")));
  return r;
}

}  // namespace

void Certificates::apply(const events::Event& e, const ApplyContext& ctx) {
  if (const auto* g = std::get_if<events::CaGenerated>(&e)) {
    ca_ = CaRecord{g->ca, /*auto_renew=*/true, ctx.index};
  } else if (const auto* s = std::get_if<events::CaSet>(&e)) {
    ca_ = CaRecord{s->ca, /*auto_renew=*/false, ctx.index};
  } else if (const auto* c = std::get_if<events::CertificateIssued>(&e)) {
    issued_[c->member][c->service] = IssuedCertificate{c->certificate,   c->serial,       c->fingerprint,
                                                       c->not_before_ms, c->not_after_ms, c->ca_fingerprint,
                                                       ctx.index};
  } else if (const auto* r = std::get_if<events::MemberRemoved>(&e)) {
    issued_.erase(r->name);
  }
}

const IssuedCertificate* Certificates::find(std::string_view member, std::string_view service) const {
  auto m = issued_.find(member);
  if (m == issued_.end()) return nullptr;
  auto s = m->second.find(service);
  return s == m->second.end() ? nullptr : &s->second;
}

// CBOR (binary-safe for the sealed key), canonical: maps are ordered.
std::string Certificates::snapshot() const {
  nlohmann::json j = nlohmann::json::object();
  j["ca"] = ca_ ? ca_to_json(*ca_) : nlohmann::json(nullptr);
  nlohmann::json members = nlohmann::json::object();
  for (const auto& [member, services] : issued_) {
    nlohmann::json m = nlohmann::json::object();
    for (const auto& [service, c] : services) {
      m[service] = {{"certificate", c.certificate},     {"serial", c.serial},
                    {"fingerprint", c.fingerprint},     {"not_before_ms", c.not_before_ms},
                    {"not_after_ms", c.not_after_ms},   {"ca_fingerprint", c.ca_fingerprint},
                    {"index", c.index.value}};
    }
    members[member] = std::move(m);
  }
  j["issued"] = std::move(members);
  auto bytes = nlohmann::json::to_cbor(j);
  return std::string(bytes.begin(), bytes.end());
}

Result<void> Certificates::restore(std::string_view bytes) {
  if (auto c = check_cbor(bytes, kMaxCheckpointDepth); !c.ok())
    return std::move(c).error().wrap("certificates checkpoint does not parse");
  try {
    auto j = nlohmann::json::from_cbor(bytes.begin(), bytes.end());
    std::optional<CaRecord> ca;
    if (!j.at("ca").is_null()) ca = ca_from_json(j.at("ca"));
    decltype(issued_) issued;
    for (const auto& [member, services] : j.at("issued").items()) {
      for (const auto& [service, c] : services.items()) {
        issued[member][service] = IssuedCertificate{c.at("certificate").get<std::string>(),
                                                    c.at("serial").get<std::string>(),
                                                    c.at("fingerprint").get<std::string>(),
                                                    snapshot_u64(c.at("not_before_ms")),
                                                    snapshot_u64(c.at("not_after_ms")),
                                                    c.at("ca_fingerprint").get<std::string>(),
                                                    LogIndex(snapshot_u64(c.at("index")))};
      }
    }
    ca_ = std::move(ca);
    issued_ = std::move(issued);
    return {};
  } catch (const std::exception& ex) {
    return make_error(Errc::kCorruption, std::string("certificates checkpoint does not parse: ") + ex.what());
  }
}

}  // namespace movn::projections
