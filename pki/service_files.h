// The OVN PKI directory (`<parent of STATE_DIR>/data/pki`, reference-behaviour §3.3): the
// cluster CA's certificate and, per service, this member's certificate and private key, every
// file mode 0600 and the directory 0700. OVN/OVS programs read them; they re-read changed files,
// so nothing is restarted when a certificate changes. Owned by pki/. Thread-safe (no shared
// state); one writer per directory at a time (the daemon's effects thread).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "pki/certificate.h"

namespace movn::pki {

inline constexpr std::string_view kCaCertFile = "cacert.pem";

// DIR/SERVICE-cert.pem and DIR/SERVICE-privkey.pem.
std::filesystem::path service_cert_path(const std::filesystem::path& dir, std::string_view service);
std::filesystem::path service_key_path(const std::filesystem::path& dir, std::string_view service);

// A service's certificate on disk, with what inspect_certificate says of it.
struct ServiceCertificate {
  std::string cert_pem;
  CertificateInfo info;
};

// What the certificate file at `path` says (the first certificate); nullopt when there is no
// file or it does not parse. Errors only when it cannot be read.
Result<std::optional<CertificateInfo>> certificate_file_info(const std::filesystem::path& path);

// Writes the CA certificate (chain) to DIR/cacert.pem (0600; DIR and its parent are made 0700
// if missing) unless
// it holds exactly that already.
Result<void> write_ca_file(const std::filesystem::path& dir, std::string_view ca_pem);

// The certificate of `service` in DIR if `member_name` can use it as is: both files there with
// mode 0600, the key matching the certificate, the certificate this member's (CN) for this
// service (OU), issued by `ca_pem` and valid at `now`. nullopt when it cannot (missing, another
// member's or CA's, expired, a key that does not match): the caller issues a new one. Errors only
// when the directory cannot be read.
Result<std::optional<ServiceCertificate>> usable_service_certificate(const std::filesystem::path& dir,
                                                                     std::string_view member_name,
                                                                     std::string_view service,
                                                                     std::string_view ca_pem,
                                                                     std::int64_t now_unix_s);

// Issues a new key and certificate for `service` on `member_name` from the CA
// (issue_service_certificate) and writes them: the key first, then the certificate, each
// atomically with mode 0600, so a crash leaves either the old pair, or a new key with the old
// certificate (not usable: issued again at the next attempt), or the new pair.
Result<ServiceCertificate> issue_service_files(const std::filesystem::path& dir, std::string_view member_name,
                                               std::string_view service, std::string_view ca_pem,
                                               std::string_view ca_key_pem, std::int64_t now_unix_s);

}  // namespace movn::pki
