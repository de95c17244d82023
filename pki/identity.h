// This member's identity: an ECDSA P-384 key and a self-signed certificate in STATE_DIR/identity,
// created by the daemon on first start and used for peer mTLS. Owned by pki/.
// Thread-safe (no shared state), but at most one caller may work on a given directory at a time.
// Key generation takes milliseconds: call it off the core thread (docs/design.md §5).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/result.h"

namespace movn::pki {

inline constexpr std::string_view kIdentityKeyFile = "server.key";   // PKCS#8 PEM, mode 0600
inline constexpr std::string_view kIdentityCertFile = "server.crt";  // X.509 PEM, mode 0644
// Written during (re)generation before server.crt; see ensure_identity.
inline constexpr std::string_view kIdentityPendingKeyFile = "server.key.new";

struct Identity {
  std::string member_name;      // the certificate's CN
  std::string cert_pem;         // one certificate, PEM
  std::string fingerprint_hex;  // SHA-256 of the certificate DER, 64 lowercase hex characters
  bool regenerated = false;     // true when an identity for another name was replaced
};

// Returns this member's identity in `dir`, creating it if missing.
// - `dir` is created with mode 0700 if missing (its parent must exist).
// - Neither file present: generates a P-384 key and a self-signed certificate (CN=member_name,
//   O=MicroOVN, SAN DNS:member_name, random positive serial below 2^127, valid from now for
//   10 years, CA:FALSE, keyUsage digitalSignature+keyEncipherment+keyAgreement,
//   EKU serverAuth+clientAuth; built by pki/certificate.h).
// - Both present, key matching certificate, CN == member_name: reused as is.
// - Both present but the CN differs: both are regenerated and `regenerated` is true.
// Refusals (files are never overwritten on bad input):
// - kPermissionDenied naming the path and mode if server.key's mode is not 0600;
// - kCorruption naming the path if a file does not parse, the key is not P-384, the key does
//   not match the certificate, or only one of the two files exists;
// - kInvalidArgument if member_name is not a member name (commands::validate_member_name).
// Crash safety: the new key is written as server.key.new, then server.crt, then renamed to
// server.key (each step atomic and synced). On the next call a leftover server.key.new that
// matches server.crt is moved into place (roll forward); one that does not is deleted (roll back:
// it was never in use).
Result<Identity> ensure_identity(const std::filesystem::path& dir, std::string_view member_name);

// Loads the identity in `dir` without creating or repairing anything; member_name is the CN.
// kNotFound if either file is missing; otherwise the same checks and errors as ensure_identity.
Result<Identity> load_identity(const std::filesystem::path& dir);

// The subject CN of a PEM certificate (kInvalidArgument if it does not parse or has no CN).
Result<std::string> certificate_cn(std::string_view pem);

// SHA-256 of the DER encoding of a PEM certificate, 64 lowercase hex characters.
Result<std::string> certificate_fingerprint(std::string_view pem);

}  // namespace movn::pki
