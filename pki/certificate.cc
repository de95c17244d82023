#include "pki/certificate.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <climits>
#include <ctime>

#include "commands/validate.h"
#include "pki/random.h"

namespace movn::pki {

namespace {

constexpr std::string_view kCurveName = "secp384r1";  // NIST P-384
constexpr std::size_t kNameFieldBytesMax = 64;        // RFC 5280 ub-common-name and friends
constexpr std::int64_t kValidityDaysMax = 36600;
constexpr std::int64_t kSecondsPerDay = 86400;
constexpr std::int64_t kLatestUnixS = 253402300799;  // 9999-12-31T23:59:59Z, GeneralizedTime's end

Result<void> check_name_field(std::string_view what, std::string_view value, bool required) {
  if (required && value.empty()) {
    return make_error(Errc::kInvalidArgument, std::string(what) + " is empty");
  }
  if (value.size() > kNameFieldBytesMax) {
    return make_error(
        Errc::kInvalidArgument,
        std::string(what) + " is " + std::to_string(value.size()) + " bytes, the limit is 64");
  }
  return ok_result();
}

Result<void> check_spec(const CertificateSpec& spec) {
  MOVN_TRY(check_name_field("common name", spec.common_name, true));
  MOVN_TRY(check_name_field("organization", spec.organization, true));
  MOVN_TRY(check_name_field("organizational unit", spec.organizational_unit, false));
  for (const std::string& dns : spec.dns_names) {
    // An IA5String of printable ASCII; whether it is a good host name is the caller's rule.
    const bool printable =
        std::all_of(dns.begin(), dns.end(), [](char c) { return c > ' ' && c < 0x7f; });
    if (dns.empty() || dns.size() > 253 || !printable) {
      return make_error(Errc::kInvalidArgument,
                        "DNS name '" + dns + "' is not 1 to 253 printable ASCII characters");
    }
  }
  if (spec.validity_days < 1 || spec.validity_days > kValidityDaysMax) {
    return make_error(Errc::kInvalidArgument, "validity of " + std::to_string(spec.validity_days) +
                                                  " days is outside 1.." +
                                                  std::to_string(kValidityDaysMax));
  }
  if (spec.not_before_unix_s < 0 ||
      spec.not_before_unix_s > kLatestUnixS - spec.validity_days * kSecondsPerDay) {
    return make_error(Errc::kInvalidArgument,
                      "validity from " + std::to_string(spec.not_before_unix_s) +
                          " (unix seconds) is not within 1970-01-01..9999-12-31");
  }
  if (spec.is_ca && spec.server_and_client) {
    return make_error(Errc::kInvalidArgument,
                      "a certificate cannot be both a CA and a server/client certificate");
  }
  if (spec.serial.size() != kSerialBytes) {
    return make_error(Errc::kInvalidArgument, "serial is " + std::to_string(spec.serial.size()) +
                                                  " bytes, expected " +
                                                  std::to_string(kSerialBytes));
  }
  return ok_result();
}

// The spec's serial bytes with the top bit cleared; zero is not a valid serial (RFC 5280 4.1.2.2).
Result<Asn1IntegerPtr> serial_from_bytes(std::string_view bytes) {
  std::string masked(bytes);
  masked[0] = static_cast<char>(static_cast<unsigned char>(masked[0]) & 0x7f);
  BignumPtr bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(masked.data()),
                         static_cast<int>(masked.size()), nullptr));
  if (!bn) return openssl_error(Errc::kInternal, "building the serial number failed");
  if (BN_is_zero(bn.get())) {
    return make_error(Errc::kInvalidArgument, "serial is zero once its top bit is cleared");
  }
  Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  if (!serial) return openssl_error(Errc::kInternal, "building the serial number failed");
  return serial;
}

Result<void> set_validity(X509* cert, const CertificateSpec& spec) {
  const auto not_before = static_cast<std::time_t>(spec.not_before_unix_s);
  const auto not_after =
      static_cast<std::time_t>(spec.not_before_unix_s + spec.validity_days * kSecondsPerDay);
  if (ASN1_TIME_set(X509_getm_notBefore(cert), not_before) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert), not_after) == nullptr) {
    return openssl_error(Errc::kInternal, "setting the validity period failed");
  }
  return ok_result();
}

Result<void> add_name_entry(X509_NAME* name, int nid, const std::string& value) {
  if (X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(value.data()),
                                 static_cast<int>(value.size()), -1, 0) != 1) {
    return openssl_error(Errc::kInvalidArgument,
                         std::string("setting the subject's ") + OBJ_nid2sn(nid) + " failed");
  }
  return ok_result();
}

Result<void> set_subject(X509* cert, const CertificateSpec& spec) {
  X509_NAME* subject = X509_get_subject_name(cert);
  MOVN_TRY(add_name_entry(subject, NID_organizationName, spec.organization));
  if (!spec.organizational_unit.empty()) {
    MOVN_TRY(add_name_entry(subject, NID_organizationalUnitName, spec.organizational_unit));
  }
  return add_name_entry(subject, NID_commonName, spec.common_name);
}

Result<void> add_config_extension(X509* cert, X509V3_CTX* v3ctx, int nid, const char* value) {
  X509ExtensionPtr ext(X509V3_EXT_nconf_nid(nullptr, v3ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return openssl_error(Errc::kInternal, std::string("adding certificate extension ") +
                                              OBJ_nid2sn(nid) + " failed");
  }
  return ok_result();
}

// The SAN is built from objects, not from a config string, so no name can inject extra entries.
Result<void> add_dns_sans(X509* cert, const std::vector<std::string>& dns_names) {
  GeneralNamesPtr names(GENERAL_NAMES_new());
  if (!names) return openssl_error(Errc::kInternal, "building the subjectAltName failed");
  for (const std::string& dns : dns_names) {
    GeneralNamePtr name(GENERAL_NAME_new());
    Asn1Ia5StringPtr ia5(ASN1_IA5STRING_new());
    if (!name || !ia5 ||
        ASN1_STRING_set(ia5.get(), dns.data(), static_cast<int>(dns.size())) != 1) {
      return openssl_error(Errc::kInternal, "building the subjectAltName failed");
    }
    GENERAL_NAME_set0_value(name.get(), GEN_DNS, ia5.release());
    if (sk_GENERAL_NAME_push(names.get(), name.get()) == 0) {
      return openssl_error(Errc::kInternal, "building the subjectAltName failed");
    }
    name.release();  // owned by `names` now
  }
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return openssl_error(Errc::kInternal, "adding the subjectAltName failed");
  }
  return ok_result();
}

Result<void> add_extensions(X509* cert, X509* issuer_cert, const CertificateSpec& spec) {
  const bool self_signed = issuer_cert == nullptr;
  X509V3_CTX v3ctx;
  X509V3_set_ctx(&v3ctx, self_signed ? cert : issuer_cert, cert, nullptr, nullptr, 0);
  if (spec.is_ca) {
    MOVN_TRY(add_config_extension(cert, &v3ctx, NID_basic_constraints, "critical,CA:TRUE"));
    MOVN_TRY(add_config_extension(cert, &v3ctx, NID_key_usage, "critical,keyCertSign,cRLSign"));
  } else {
    MOVN_TRY(add_config_extension(cert, &v3ctx, NID_basic_constraints, "critical,CA:FALSE"));
  }
  if (spec.server_and_client) {
    MOVN_TRY(add_config_extension(cert, &v3ctx, NID_key_usage,
                                  "critical,digitalSignature,keyEncipherment,keyAgreement"));
    MOVN_TRY(add_config_extension(cert, &v3ctx, NID_ext_key_usage, "serverAuth,clientAuth"));
  }
  MOVN_TRY(add_config_extension(cert, &v3ctx, NID_subject_key_identifier, "hash"));
  if (!self_signed) {
    // The issuer's key id when it has a subjectKeyIdentifier, its name and serial otherwise.
    MOVN_TRY(add_config_extension(cert, &v3ctx, NID_authority_key_identifier, "keyid,issuer"));
  }
  if (!spec.dns_names.empty()) MOVN_TRY(add_dns_sans(cert, spec.dns_names));
  return ok_result();
}

// The digest to sign with, by the signer's key type; nullptr for Ed25519, which hashes itself.
Result<const char*> signature_digest(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "EC") == 1) return "SHA384";
  if (EVP_PKEY_is_a(key, "RSA") == 1) return "SHA256";
  if (EVP_PKEY_is_a(key, "ED25519") == 1) return static_cast<const char*>(nullptr);
  const char* type = EVP_PKEY_get0_type_name(key);
  return make_error(Errc::kInvalidArgument, std::string("cannot sign with a ") +
                                                (type != nullptr ? type : "unknown") +
                                                " key: the issuer key must be EC, RSA or Ed25519");
}

Result<void> sign(X509* cert, EVP_PKEY* key) {
  MOVN_ASSIGN_OR_RETURN(const char* digest, signature_digest(key));
  MdCtxPtr md_ctx(EVP_MD_CTX_new());
  if (!md_ctx) return openssl_error(Errc::kInternal, "allocating a digest context failed");
  if (EVP_DigestSignInit_ex(md_ctx.get(), nullptr, digest, nullptr, nullptr, key, nullptr) != 1) {
    return openssl_error(Errc::kInternal, "setting up the certificate signature failed");
  }
  if (X509_sign_ctx(cert, md_ctx.get()) <= 0) {
    return openssl_error(Errc::kInternal, "signing the certificate failed");
  }
  return ok_result();
}

Result<void> check_issuer(X509* issuer_cert, EVP_PKEY* issuer_key) {
  const std::uint32_t flags = X509_get_extension_flags(issuer_cert);
  if ((flags & EXFLAG_CA) == 0 || (flags & EXFLAG_KUSAGE) == 0 ||
      (X509_get_key_usage(issuer_cert) & KU_KEY_CERT_SIGN) == 0) {
    return make_error(Errc::kInvalidArgument,
                      "the issuer certificate is not a CA with keyCertSign");
  }
  if (!key_matches(issuer_cert, issuer_key)) {
    return make_error(Errc::kInvalidArgument,
                      "the issuer key does not match the issuer certificate");
  }
  return ok_result();
}

Result<X509Ptr> build_certificate_impl(const CertificateSpec& spec, EVP_PKEY* subject_key,
                                       X509* issuer_cert, EVP_PKEY* issuer_key) {
  MOVN_TRY(check_spec(spec));
  if (subject_key == nullptr || issuer_key == nullptr) {
    return make_error(Errc::kInvalidArgument, "no subject or issuer key given");
  }
  if (issuer_cert == nullptr && EVP_PKEY_eq(subject_key, issuer_key) != 1) {
    ERR_clear_error();
    return make_error(Errc::kInvalidArgument,
                      "a self-signed certificate must be signed by the subject's own key");
  }
  if (issuer_cert != nullptr) MOVN_TRY(check_issuer(issuer_cert, issuer_key));
  MOVN_ASSIGN_OR_RETURN(Asn1IntegerPtr serial, serial_from_bytes(spec.serial));

  X509Ptr cert(X509_new());
  if (!cert) return openssl_error(Errc::kInternal, "allocating a certificate failed");
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      X509_set_serialNumber(cert.get(), serial.get()) != 1) {
    return openssl_error(Errc::kInternal, "setting the certificate version and serial failed");
  }
  MOVN_TRY(set_validity(cert.get(), spec));
  MOVN_TRY(set_subject(cert.get(), spec));
  X509_NAME* issuer_name = X509_get_subject_name(issuer_cert != nullptr ? issuer_cert : cert.get());
  if (X509_set_issuer_name(cert.get(), issuer_name) != 1) {
    return openssl_error(Errc::kInternal, "setting the certificate issuer failed");
  }
  if (X509_set_pubkey(cert.get(), subject_key) != 1) {
    return openssl_error(Errc::kInternal, "setting the certificate public key failed");
  }
  MOVN_TRY(add_extensions(cert.get(), issuer_cert, spec));
  MOVN_TRY(sign(cert.get(), issuer_key));
  return cert;
}

Result<KeyPair> key_pair_of(EVP_PKEY* key, X509* cert) {
  MOVN_ASSIGN_OR_RETURN(std::string key_pem, private_key_to_pem(key));
  MOVN_ASSIGN_OR_RETURN(std::string cert_pem, certificate_to_pem(cert));
  return KeyPair{.key_pem = std::move(key_pem), .cert_pem = std::move(cert_pem)};
}

Result<void> check_service_name(std::string_view service) {
  if (service.empty() || service.size() > kNameFieldBytesMax ||
      !std::all_of(service.begin(), service.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      })) {
    return make_error(Errc::kInvalidArgument, "invalid service name '" + std::string(service) +
                                                  "': expected 1 to 64 of a-z, 0-9, '-' and '_'");
  }
  return ok_result();
}

Result<KeyPair> issue_service_certificate_impl(std::string_view member_name,
                                               std::string_view service,
                                               std::string_view ca_cert_pem,
                                               std::string_view ca_key_pem, std::int64_t now_unix_s,
                                               std::string serial) {
  MOVN_TRY(commands::validate_member_name(member_name));
  MOVN_TRY(check_service_name(service));
  auto ca_cert = parse_certificate_pem(ca_cert_pem);
  if (!ca_cert.ok()) return std::move(ca_cert).error().wrap("reading the CA certificate");
  auto ca_key = parse_private_key_pem(ca_key_pem);
  if (!ca_key.ok()) return std::move(ca_key).error().wrap("reading the CA key");

  MOVN_ASSIGN_OR_RETURN(PkeyPtr key, generate_p384_key());
  const CertificateSpec spec{.common_name = std::string(member_name),
                             .organizational_unit = std::string(service),
                             .dns_names = {std::string(member_name)},
                             .not_before_unix_s = now_unix_s,
                             .validity_days = kServiceValidityDays,
                             .server_and_client = true,
                             .serial = std::move(serial)};
  MOVN_ASSIGN_OR_RETURN(X509Ptr cert,
                        build_certificate(spec, key.get(), ca_cert->get(), ca_key->get()));
  return key_pair_of(key.get(), cert.get());
}

}  // namespace

Result<PkeyPtr> generate_p384_key() {
  ERR_clear_error();
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  if (!ctx) return openssl_error(Errc::kInternal, "creating an EC key context failed");
  if (EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_group_name(ctx.get(), kCurveName.data()) != 1) {
    return openssl_error(Errc::kInternal, "setting up P-384 key generation failed");
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_keygen(ctx.get(), &raw) != 1) {
    return openssl_error(Errc::kInternal, "generating a P-384 key failed");
  }
  return PkeyPtr(raw);
}

Result<std::string> random_serial() {
  for (;;) {
    MOVN_ASSIGN_OR_RETURN(std::string bytes, random_bytes(kSerialBytes));
    // Zero once the top bit is cleared has probability 2^-127; draw again rather than fail.
    if (serial_from_bytes(bytes).ok()) return bytes;
  }
}

Result<X509Ptr> build_certificate(const CertificateSpec& spec, EVP_PKEY* subject_key,
                                  X509* issuer_cert, EVP_PKEY* issuer_key) {
  ERR_clear_error();
  return build_certificate_impl(spec, subject_key, issuer_cert, issuer_key)
      .wrap_error("building the certificate for '" + spec.common_name + "'");
}

Result<KeyPair> make_ca(std::int64_t now_unix_s, std::string serial) {
  auto result = [&]() -> Result<KeyPair> {
    MOVN_ASSIGN_OR_RETURN(PkeyPtr key, generate_p384_key());
    const CertificateSpec spec{.common_name = std::string(kCaCommonName),
                               .organizational_unit = std::string(kCaOrganizationalUnit),
                               .not_before_unix_s = now_unix_s,
                               .validity_days = kCaValidityDays,
                               .is_ca = true,
                               .serial = std::move(serial)};
    MOVN_ASSIGN_OR_RETURN(X509Ptr cert, build_certificate(spec, key.get(), nullptr, key.get()));
    return key_pair_of(key.get(), cert.get());
  }();
  return std::move(result).wrap_error("making the cluster CA");
}

Result<KeyPair> issue_service_certificate(std::string_view member_name, std::string_view service,
                                          std::string_view ca_cert_pem, std::string_view ca_key_pem,
                                          std::int64_t now_unix_s, std::string serial) {
  return issue_service_certificate_impl(member_name, service, ca_cert_pem, ca_key_pem, now_unix_s,
                                        std::move(serial))
      .wrap_error("issuing the " + std::string(service) + " certificate for member '" +
                  std::string(member_name) + "'");
}

}  // namespace movn::pki
