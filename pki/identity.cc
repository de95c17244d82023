#include "pki/identity.h"

#include <openssl/core_names.h>
#include <openssl/err.h>

#include <ctime>

#include "commands/validate.h"
#include "common/sha256.h"
#include "pki/certificate.h"
#include "pki/files.h"
#include "pki/openssl_util.h"

namespace movn::pki {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kIdentityFileBytesMax = 64 * 1024;
constexpr int kValidityYears = 10;
constexpr std::string_view kCurveName = "secp384r1";  // NIST P-384

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

// Days from `now` to the same UTC time kValidityYears calendar years later (3652 or 3653; a
// 29 February start ends on 1 March).
Result<std::int64_t> validity_days_from(std::time_t now) {
  std::tm tm{};
  if (gmtime_r(&now, &tm) == nullptr) {
    return make_error(Errc::kInternal, "converting the current time failed");
  }
  tm.tm_year += kValidityYears;
  const std::time_t not_after = timegm(&tm);
  return static_cast<std::int64_t>((not_after - now) / 86400);
}

Result<X509Ptr> make_self_signed(EVP_PKEY* key, std::string_view member_name) {
  const std::time_t now = std::time(nullptr);
  MOVN_ASSIGN_OR_RETURN(std::int64_t validity_days, validity_days_from(now));
  MOVN_ASSIGN_OR_RETURN(std::string serial, random_serial());
  const CertificateSpec spec{.common_name = std::string(member_name),
                             .dns_names = {std::string(member_name)},
                             .not_before_unix_s = static_cast<std::int64_t>(now),
                             .validity_days = validity_days,
                             .server_and_client = true,
                             .serial = std::move(serial)};
  return build_certificate(spec, key, nullptr, key);
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
  MOVN_ASSIGN_OR_RETURN(PkeyPtr key, generate_p384_key());
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
