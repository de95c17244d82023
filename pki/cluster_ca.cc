#include "pki/cluster_ca.h"

#include <openssl/crypto.h>

#include "pki/random.h"
#include "pki/seal.h"

namespace movn::pki {

std::string ca_key_aad(std::string_view fingerprint_hex) {
  return "microovn cluster CA key, certificate " + std::string(fingerprint_hex);
}

Result<events::CaCertificate> seal_ca(const KeyPair& ca, std::string_view cluster_key) {
  MOVN_TRY(key_matches_certificate(ca.key_pem, ca.cert_pem).wrap_error("the CA key"));
  MOVN_ASSIGN_OR_RETURN(CertificateInfo info, inspect_certificate(ca.cert_pem));
  MOVN_ASSIGN_OR_RETURN(std::string nonce, random_bytes(kSealNonceBytes));
  MOVN_ASSIGN_OR_RETURN(std::string sealed,
                        seal(cluster_key, nonce, ca_key_aad(info.fingerprint_hex), ca.key_pem));
  const std::uint64_t not_after_ms =
      info.not_after_unix_s > 0 ? static_cast<std::uint64_t>(info.not_after_unix_s) * 1000 : 0;
  return events::CaCertificate{ca.cert_pem, std::move(sealed), info.fingerprint_hex, not_after_ms};
}

Result<events::CaCertificate> generate_sealed_ca(std::int64_t now_unix_s, std::string_view cluster_key) {
  MOVN_ASSIGN_OR_RETURN(std::string serial, random_serial());
  MOVN_ASSIGN_OR_RETURN(KeyPair ca, make_ca(now_unix_s, std::move(serial)));
  auto sealed = seal_ca(ca, cluster_key);
  OPENSSL_cleanse(ca.key_pem.data(), ca.key_pem.size());
  return sealed;
}

Result<std::string> open_ca_key(const events::CaCertificate& ca, std::string_view cluster_key) {
  return unseal(cluster_key, ca_key_aad(ca.fingerprint), ca.sealed_key).wrap_error("opening the CA key");
}

}  // namespace movn::pki
