// X.509 certificates for pki/: the one builder behind member identities, the cluster CA and OVN
// service certificates, and the inspection and chain checks run on certificates we did not make.
// Owned by pki/. Thread-safe (no shared state). Key generation and signing take milliseconds:
// call them off the core thread (docs/design.md §5).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "pki/openssl_util.h"

namespace movn::pki {

inline constexpr std::string_view kOrganization = "MicroOVN";
inline constexpr std::string_view kCaCommonName = "MicroOVN CA";
inline constexpr std::string_view kCaOrganizationalUnit = "MicroOVN CA";
inline constexpr std::int64_t kCaValidityDays = 10 * 365;
inline constexpr std::int64_t kServiceValidityDays = 2 * 365;
inline constexpr std::size_t kSerialBytes = 16;

// A private key and its certificate, both PEM.
struct KeyPair {
  std::string key_pem;   // PKCS#8 ("-----BEGIN PRIVATE KEY-----"), unencrypted
  std::string cert_pem;  // one certificate
};

// A fresh ECDSA key on NIST P-384 (secp384r1).
Result<PkeyPtr> generate_p384_key();

// kSerialBytes random bytes that make a valid serial for CertificateSpec (never all zero once
// the top bit is cleared).
Result<std::string> random_serial();

// What build_certificate puts in a certificate. Text fields are UTF-8, at most 64 bytes each
// (RFC 5280's upper bounds); the subject is O, then OU if set, then CN.
struct CertificateSpec {
  std::string common_name;  // required
  std::string organization = std::string(kOrganization);
  std::string organizational_unit;     // left out when empty
  std::vector<std::string> dns_names;  // subjectAltName DNS entries; none: no SAN extension
  std::int64_t not_before_unix_s = 0;  // 0 .. 9999-12-31, like not_after
  std::int64_t validity_days = 0;      // 1 .. 36600; not_after = not_before + days × 86400 s
  // basicConstraints critical CA:TRUE and keyUsage critical keyCertSign+cRLSign; otherwise
  // basicConstraints critical CA:FALSE.
  bool is_ca = false;
  // keyUsage critical digitalSignature+keyEncipherment+keyAgreement and extendedKeyUsage
  // serverAuth+clientAuth. Not together with is_ca.
  bool server_and_client = false;
  // Exactly kSerialBytes bytes, big-endian, normally random (random_serial). The top bit is
  // cleared, so the serial is positive and below 2^127; all zero after that is refused.
  std::string serial;
};

// Builds and signs a v3 certificate for `subject_key` (its public half is certified).
// issuer_cert == nullptr: self-signed by issuer_key, which must then be the subject key.
// Otherwise issuer_cert must be a CA with keyCertSign whose key is issuer_key; the issuer name and
// authorityKeyIdentifier come from it. Every certificate gets a subjectKeyIdentifier.
// The signature digest follows the issuer key: SHA-384 for EC, SHA-256 for RSA, none for Ed25519;
// other key types are refused. Errors: kInvalidArgument naming the bad field or key.
Result<X509Ptr> build_certificate(const CertificateSpec& spec, EVP_PKEY* subject_key,
                                  X509* issuer_cert, EVP_PKEY* issuer_key);

// A new self-signed cluster CA: a P-384 key, CN "MicroOVN CA", O "MicroOVN", OU "MicroOVN CA",
// valid from now_unix_s for kCaValidityDays days. `serial` as in CertificateSpec.
Result<KeyPair> make_ca(std::int64_t now_unix_s, std::string serial);

// A new certificate for OVN service `service` (e.g. "ovnnb") on member `member_name`: a P-384 key,
// CN member_name, O "MicroOVN", OU service, SAN DNS:member_name, server_and_client, valid from
// now_unix_s for kServiceValidityDays days, signed by the CA (the first certificate of
// ca_cert_pem; its key may be EC, RSA or Ed25519, in any form check_ca_bundle accepts).
// Errors: kInvalidArgument for a bad member name or service, a CA key that does not match the CA
// certificate, or a CA certificate that is not a CA.
Result<KeyPair> issue_service_certificate(std::string_view member_name, std::string_view service,
                                          std::string_view ca_cert_pem, std::string_view ca_key_pem,
                                          std::int64_t now_unix_s, std::string serial);

// --- Inspection and checks (certificate_checks.cc) ---

struct CertificateInfo {
  std::string subject_cn;           // empty if the subject has no CN; the first one otherwise
  std::string organizational_unit;  // likewise
  std::string serial_hex;           // lowercase, no leading "0x"; "-" first if negative
  std::string fingerprint_hex;      // SHA-256 of the DER, 64 lowercase hex characters
  std::int64_t not_before_unix_s = 0;
  std::int64_t not_after_unix_s = 0;
  bool is_ca = false;          // basicConstraints CA:TRUE
  bool key_cert_sign = false;  // a keyUsage extension that includes keyCertSign
};

// The fields of the first certificate in `pem`. kInvalidArgument if there is none or it does not
// parse.
Result<CertificateInfo> inspect_certificate(std::string_view pem);

// Each certificate in `pem`, re-encoded as its own PEM, in order. Only whitespace may surround
// the "-----BEGIN CERTIFICATE-----" blocks. kInvalidArgument (naming the position) for text that
// holds no certificate, other text or other PEM blocks, or a block that is not one certificate.
Result<std::vector<std::string>> split_pem_chain(std::string_view pem);

// Checks that the first certificate of `leaf_pem` chains to a certificate of `ca_chain_pem`
// (all of which are trusted) and that every certificate on the way is valid at `at_unix_s`
// (OpenSSL counts the notAfter second itself as expired).
// kInvalidArgument naming OpenSSL's verify reason, e.g. "certificate has expired".
Result<void> verify_issued_by(std::string_view leaf_pem, std::string_view ca_chain_pem,
                              std::int64_t at_unix_s);

// OK when the public half of the private key in `key_pem` is the one in the (first) certificate
// of `cert_pem`; kInvalidArgument when it is not or either does not parse.
Result<void> key_matches_certificate(std::string_view key_pem, std::string_view cert_pem);

// Checks a CA that an operator brings: `cert_chain_pem` is the CA certificate first, then the
// certificates that issued it, if any (each issued by the next); every one must be CA:TRUE with
// keyCertSign. `key_pem` is the first certificate's key: RSA, EC or Ed25519, unencrypted PKCS#1,
// SEC1 or PKCS#8 PEM. kInvalidArgument naming what is wrong (certificates are counted from 1).
Result<void> check_ca_bundle(std::string_view cert_chain_pem, std::string_view key_pem);

}  // namespace movn::pki
