#include "pki/identity.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <climits>
#include <ctime>

#include "commands/validate.h"
#include "common/sha256.h"
#include "pki/files.h"
#include "pki/openssl_util.h"
#include "pki/random.h"

namespace movn::pki {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kIdentityFileBytesMax = 64 * 1024;
constexpr int kValidityYears = 10;
constexpr std::size_t kSerialBytes = 16;
constexpr std::string_view kCurveName = "secp384r1";  // NIST P-384
constexpr const char* kOrganization = "MicroOVN";

struct Paths {
  fs::path key, cert, pending_key;
  explicit Paths(const fs::path& dir)
      : key(dir / kIdentityKeyFile),
        cert(dir / kIdentityCertFile),
        pending_key(dir / kIdentityPendingKeyFile) {}
};

Error corruption(const fs::path& path, const Error& cause) {
  return make_error(Errc::kCorruption, path.string() + ": " + cause.message);
}

Result<void> check_p384(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "EC") != 1) {
    return make_error(Errc::kInvalidArgument, "key is not an elliptic-curve key");
  }
  char group[64] = {};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) !=
          1 ||
      std::string_view(group, len) != kCurveName) {
    ERR_clear_error();
    return make_error(Errc::kInvalidArgument, "key is not on curve P-384 (secp384r1)");
  }
  return ok_result();
}

Result<PkeyPtr> generate_key() {
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

Result<void> add_config_extension(X509* cert, X509V3_CTX* v3ctx, int nid, const char* value) {
  X509ExtensionPtr ext(X509V3_EXT_nconf_nid(nullptr, v3ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return openssl_error(Errc::kInternal, std::string("adding certificate extension ") +
                                              OBJ_nid2sn(nid) + " failed");
  }
  return ok_result();
}

// The SAN is built from objects, not from a config string, so no name can inject extra entries.
Result<void> add_dns_san(X509* cert, std::string_view dns_name) {
  GeneralNamesPtr names(GENERAL_NAMES_new());
  GeneralNamePtr name(GENERAL_NAME_new());
  Asn1Ia5StringPtr ia5(ASN1_IA5STRING_new());
  if (!names || !name || !ia5 ||
      ASN1_STRING_set(ia5.get(), dns_name.data(), static_cast<int>(dns_name.size())) != 1) {
    return openssl_error(Errc::kInternal, "building the subjectAltName failed");
  }
  GENERAL_NAME_set0_value(name.get(), GEN_DNS, ia5.release());
  if (sk_GENERAL_NAME_push(names.get(), name.get()) == 0) {
    return openssl_error(Errc::kInternal, "building the subjectAltName failed");
  }
  name.release();  // owned by `names` now
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return openssl_error(Errc::kInternal, "adding the subjectAltName failed");
  }
  return ok_result();
}

Result<void> set_random_serial(X509* cert) {
  // A positive 128-bit integer; zero is not a valid serial, so draw again in that (2^-128) case.
  for (;;) {
    MOVN_ASSIGN_OR_RETURN(std::string bytes, random_bytes(kSerialBytes));
    BignumPtr bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                           static_cast<int>(bytes.size()), nullptr));
    if (!bn) return openssl_error(Errc::kInternal, "building the serial number failed");
    if (BN_is_zero(bn.get())) continue;
    Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
    if (!serial || X509_set_serialNumber(cert, serial.get()) != 1) {
      return openssl_error(Errc::kInternal, "setting the serial number failed");
    }
    return ok_result();
  }
}

Result<void> set_validity(X509* cert) {
  std::time_t now = std::time(nullptr);  // non-const: X509_time_adj_ex takes time_t*
  std::tm tm{};
  if (gmtime_r(&now, &tm) == nullptr) {
    return make_error(Errc::kInternal, "converting the current time failed");
  }
  tm.tm_year += kValidityYears;  // calendar years; 29 February normalizes to 1 March
  const std::time_t not_after = timegm(&tm);
  if (X509_time_adj_ex(X509_getm_notBefore(cert), 0, 0, &now) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert), not_after) == nullptr) {
    return openssl_error(Errc::kInternal, "setting the validity period failed");
  }
  return ok_result();
}

Result<X509Ptr> make_self_signed(EVP_PKEY* key, std::string_view member_name) {
  ERR_clear_error();
  X509Ptr cert(X509_new());
  if (!cert) return openssl_error(Errc::kInternal, "allocating a certificate failed");
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1) {
    return openssl_error(Errc::kInternal, "setting the certificate version failed");
  }
  MOVN_TRY(set_random_serial(cert.get()));
  MOVN_TRY(set_validity(cert.get()));

  X509_NAME* subject = X509_get_subject_name(cert.get());
  const std::string cn(member_name);
  if (X509_NAME_add_entry_by_NID(subject, NID_organizationName, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(kOrganization), -1, -1,
                                 0) != 1 ||
      X509_NAME_add_entry_by_NID(subject, NID_commonName, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(cn.c_str()),
                                 static_cast<int>(cn.size()), -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), subject) != 1) {
    return openssl_error(Errc::kInternal, "setting the certificate subject failed");
  }
  if (X509_set_pubkey(cert.get(), key) != 1) {
    return openssl_error(Errc::kInternal, "setting the certificate public key failed");
  }

  X509V3_CTX v3ctx;
  X509V3_set_ctx(&v3ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  MOVN_TRY(add_config_extension(cert.get(), &v3ctx, NID_basic_constraints, "critical,CA:FALSE"));
  MOVN_TRY(add_config_extension(cert.get(), &v3ctx, NID_key_usage,
                                "critical,digitalSignature,keyEncipherment,keyAgreement"));
  MOVN_TRY(add_config_extension(cert.get(), &v3ctx, NID_ext_key_usage, "serverAuth,clientAuth"));
  MOVN_TRY(add_config_extension(cert.get(), &v3ctx, NID_subject_key_identifier, "hash"));
  MOVN_TRY(add_dns_san(cert.get(), member_name));

  if (X509_sign(cert.get(), key, EVP_sha384()) <= 0) {
    return openssl_error(Errc::kInternal, "signing the certificate failed");
  }
  return cert;
}

Result<Identity> identity_from_cert(X509* cert, bool regenerated) {
  MOVN_ASSIGN_OR_RETURN(std::string cn, subject_common_name(cert));
  MOVN_ASSIGN_OR_RETURN(std::string pem, certificate_to_pem(cert));
  MOVN_ASSIGN_OR_RETURN(std::string der, certificate_to_der(cert));
  return Identity{.member_name = std::move(cn),
                  .cert_pem = std::move(pem),
                  .fingerprint_hex = sha256_hex(der),
                  .regenerated = regenerated};
}

// Reads and checks one private key file: mode 0600, parses, P-384.
Result<PkeyPtr> load_key_file(const fs::path& path) {
  MOVN_ASSIGN_OR_RETURN(std::string pem, read_file(path, kIdentityFileBytesMax, 0600));
  auto key = parse_private_key_pem(pem);
  if (!key.ok()) return corruption(path, key.error());
  if (auto r = check_p384(key->get()); !r.ok()) return corruption(path, r.error());
  return std::move(key).value();
}

Result<X509Ptr> load_cert_file(const fs::path& path) {
  MOVN_ASSIGN_OR_RETURN(std::string pem, read_file(path, kIdentityFileBytesMax));
  auto cert = parse_certificate_pem(pem);
  if (!cert.ok()) return corruption(path, cert.error());
  return std::move(cert).value();
}

bool key_matches_cert(X509* cert, EVP_PKEY* key) {
  const bool match = X509_check_private_key(cert, key) == 1;
  ERR_clear_error();  // a mismatch queues an error we report in our own words
  return match;
}

// Loads and cross-checks the committed pair (both files must exist).
Result<Identity> load_pair(const Paths& paths) {
  MOVN_ASSIGN_OR_RETURN(PkeyPtr key, load_key_file(paths.key));
  MOVN_ASSIGN_OR_RETURN(X509Ptr cert, load_cert_file(paths.cert));
  if (!key_matches_cert(cert.get(), key.get())) {
    return make_error(Errc::kCorruption, paths.key.string() + " does not match the certificate " +
                                             paths.cert.string());
  }
  auto id = identity_from_cert(cert.get(), false);
  if (!id.ok()) return corruption(paths.cert, id.error());
  return id;
}

// Finishes or undoes a (re)generation that a crash interrupted; see ensure_identity in the header.
Result<void> recover_pending_key(const Paths& paths) {
  MOVN_ASSIGN_OR_RETURN(FileStat pending, stat_file(paths.pending_key));
  if (!pending.exists) return ok_result();
  MOVN_ASSIGN_OR_RETURN(PkeyPtr key, load_key_file(paths.pending_key));
  MOVN_ASSIGN_OR_RETURN(FileStat cert_stat, stat_file(paths.cert));
  if (cert_stat.exists) {
    MOVN_ASSIGN_OR_RETURN(X509Ptr cert, load_cert_file(paths.cert));
    if (key_matches_cert(cert.get(), key.get())) {
      return rename_durable(paths.pending_key, paths.key);  // the certificate was written: commit
    }
  }
  return remove_durable(paths.pending_key);  // the certificate was not written: never in use
}

Result<Identity> generate_and_install(const Paths& paths, std::string_view member_name,
                                      bool regenerated) {
  MOVN_ASSIGN_OR_RETURN(PkeyPtr key, generate_key());
  MOVN_ASSIGN_OR_RETURN(X509Ptr cert, make_self_signed(key.get(), member_name));
  MOVN_ASSIGN_OR_RETURN(std::string key_pem, private_key_to_pem(key.get()));
  MOVN_ASSIGN_OR_RETURN(Identity id, identity_from_cert(cert.get(), regenerated));
  MOVN_TRY(write_file_atomic(paths.pending_key, key_pem, 0600));
  MOVN_TRY(write_file_atomic(paths.cert, id.cert_pem, 0644));
  MOVN_TRY(rename_durable(paths.pending_key, paths.key));
  return id;
}

}  // namespace

Result<Identity> ensure_identity(const fs::path& dir, std::string_view member_name) {
  auto result = [&]() -> Result<Identity> {
    // The one member-name rule (its 63 bytes fit RFC 5280's 64 for a common name).
    MOVN_TRY(commands::validate_member_name(member_name));
    MOVN_TRY(ensure_private_dir(dir));
    const Paths paths(dir);
    for (const fs::path* p : {&paths.key, &paths.cert, &paths.pending_key}) {
      MOVN_TRY(remove_stale_temp_files(*p));
    }
    MOVN_TRY(recover_pending_key(paths));

    MOVN_ASSIGN_OR_RETURN(FileStat key_stat, stat_file(paths.key));
    MOVN_ASSIGN_OR_RETURN(FileStat cert_stat, stat_file(paths.cert));
    if (!key_stat.exists && !cert_stat.exists) {
      return generate_and_install(paths, member_name, false);
    }
    if (!key_stat.exists || !cert_stat.exists) {
      const fs::path& present = key_stat.exists ? paths.key : paths.cert;
      const fs::path& missing = key_stat.exists ? paths.cert : paths.key;
      return make_error(Errc::kCorruption, present.string() + " exists but " + missing.string() +
                                               " is missing; refusing to overwrite it");
    }
    MOVN_ASSIGN_OR_RETURN(Identity current, load_pair(paths));
    if (current.member_name == member_name) return current;
    return generate_and_install(paths, member_name, true);
  }();
  return std::move(result).wrap_error("ensuring the member identity in " + dir.string());
}

Result<Identity> load_identity(const fs::path& dir) {
  return load_pair(Paths(dir)).wrap_error("loading the member identity from " + dir.string());
}

Result<std::string> certificate_cn(std::string_view pem) {
  MOVN_ASSIGN_OR_RETURN(X509Ptr cert, parse_certificate_pem(pem));
  return subject_common_name(cert.get());
}

Result<std::string> certificate_fingerprint(std::string_view pem) {
  MOVN_ASSIGN_OR_RETURN(X509Ptr cert, parse_certificate_pem(pem));
  MOVN_ASSIGN_OR_RETURN(std::string der, certificate_to_der(cert.get()));
  return sha256_hex(der);
}

}  // namespace movn::pki
