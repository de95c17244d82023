#include "pki/service_files.h"

#include <openssl/crypto.h>

#include "pki/files.h"

namespace movn::pki {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kPemFileBytesMax = 256 * 1024;

// The file's content, or nullopt if it is missing or not mode 0600.
Result<std::optional<std::string>> read_private_file(const fs::path& path) {
  auto bytes = read_file(path, kPemFileBytesMax, 0600);
  if (bytes.ok()) return std::optional<std::string>(std::move(bytes).value());
  const Errc code = bytes.error().code;
  if (code == Errc::kNotFound || code == Errc::kPermissionDenied || code == Errc::kTooLarge)
    return std::optional<std::string>();
  return std::move(bytes).error();
}

// DIR and its parent (data/), each made 0700 if missing; the grandparent must exist.
Result<void> ensure_pki_dir(const fs::path& dir) {
  if (dir.has_parent_path()) MOVN_TRY(ensure_private_dir(dir.parent_path()));
  return ensure_private_dir(dir);
}

}  // namespace

fs::path service_cert_path(const fs::path& dir, std::string_view service) {
  return dir / (std::string(service) + "-cert.pem");
}

fs::path service_key_path(const fs::path& dir, std::string_view service) {
  return dir / (std::string(service) + "-privkey.pem");
}

Result<std::optional<CertificateInfo>> certificate_file_info(const fs::path& path) {
  auto bytes = read_file(path, kPemFileBytesMax);
  if (!bytes.ok()) {
    if (bytes.error().code == Errc::kNotFound) return std::optional<CertificateInfo>();
    return std::move(bytes).error();
  }
  auto info = inspect_certificate(*bytes);
  if (!info.ok()) return std::optional<CertificateInfo>();
  return std::optional<CertificateInfo>(std::move(info).value());
}

Result<void> write_ca_file(const fs::path& dir, std::string_view ca_pem) {
  MOVN_TRY(ensure_pki_dir(dir));
  const fs::path path = dir / kCaCertFile;
  MOVN_ASSIGN_OR_RETURN(auto current, read_private_file(path));
  if (current && *current == ca_pem) return {};
  return write_file_atomic(path, ca_pem, 0600);
}

Result<std::optional<ServiceCertificate>> usable_service_certificate(const fs::path& dir, std::string_view member_name,
                                                                     std::string_view service, std::string_view ca_pem,
                                                                     std::int64_t now_unix_s) {
  MOVN_ASSIGN_OR_RETURN(auto cert, read_private_file(service_cert_path(dir, service)));
  if (!cert) return std::optional<ServiceCertificate>();
  MOVN_ASSIGN_OR_RETURN(auto key, read_private_file(service_key_path(dir, service)));
  std::optional<ServiceCertificate> out;
  if (key && key_matches_certificate(*key, *cert).ok() && verify_issued_by(*cert, ca_pem, now_unix_s).ok()) {
    auto info = inspect_certificate(*cert);
    if (info.ok() && info->subject_cn == member_name && info->organizational_unit == service)
      out = ServiceCertificate{*cert, std::move(info).value()};
  }
  if (key) OPENSSL_cleanse(key->data(), key->size());
  return out;
}

Result<ServiceCertificate> issue_service_files(const fs::path& dir, std::string_view member_name,
                                               std::string_view service, std::string_view ca_pem,
                                               std::string_view ca_key_pem, std::int64_t now_unix_s) {
  MOVN_TRY(ensure_pki_dir(dir));
  MOVN_ASSIGN_OR_RETURN(std::string serial, random_serial());
  MOVN_ASSIGN_OR_RETURN(KeyPair pair,
                        issue_service_certificate(member_name, service, ca_pem, ca_key_pem, now_unix_s, std::move(serial)));
  auto written = write_file_atomic(service_key_path(dir, service), pair.key_pem, 0600);
  OPENSSL_cleanse(pair.key_pem.data(), pair.key_pem.size());
  MOVN_TRY(std::move(written));
  MOVN_TRY(write_file_atomic(service_cert_path(dir, service), pair.cert_pem, 0600));
  MOVN_ASSIGN_OR_RETURN(CertificateInfo info, inspect_certificate(pair.cert_pem));
  return ServiceCertificate{std::move(pair.cert_pem), std::move(info)};
}

}  // namespace movn::pki
