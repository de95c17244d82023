// Test-only helpers for the certificate tests of pki/: keys of every type, PEM encodings that do
// not go through the code under test, and CAs built from a given key. Not thread-safe; tests only.
#pragma once

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdint>
#include <ctime>
#include <string>

#include "pki/certificate.h"

namespace movn::pki::testing {

inline X509Ptr read_cert(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509Ptr cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return cert;
}

inline PkeyPtr read_key(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return key;
}

// "RSA" (2048 bits), "EC" (P-256) or "ED25519".
inline PkeyPtr generate_key(const std::string& type) {
  if (type == "RSA") return PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{2048}));
  if (type == "EC") return PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  return PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, type.c_str()));
}

// structure "PrivateKeyInfo" gives PKCS#8; "type-specific" gives PKCS#1 for RSA and SEC1 for EC.
inline std::string key_pem(EVP_PKEY* key, const char* structure = "PrivateKeyInfo") {
  OSSL_ENCODER_CTX* ctx =
      OSSL_ENCODER_CTX_new_for_pkey(key, EVP_PKEY_KEYPAIR, "PEM", structure, nullptr);
  unsigned char* data = nullptr;
  std::size_t len = 0;
  std::string pem;
  if (ctx != nullptr && OSSL_ENCODER_to_data(ctx, &data, &len) == 1) {
    pem.assign(reinterpret_cast<char*>(data), len);
  }
  OPENSSL_free(data);
  OSSL_ENCODER_CTX_free(ctx);
  return pem;
}

inline std::string cert_pem(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  EXPECT_EQ(PEM_write_bio_X509(bio, cert), 1);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  return pem;
}

inline std::string fixed_serial(unsigned char first = 0x11) {
  std::string serial(kSerialBytes, '\x5a');
  serial[0] = static_cast<char>(first);
  return serial;
}

inline CertificateSpec ca_spec(const std::string& cn, std::int64_t now) {
  return CertificateSpec{.common_name = cn,
                         .organizational_unit = "test CA",
                         .not_before_unix_s = now,
                         .validity_days = 365,
                         .is_ca = true,
                         .serial = fixed_serial()};
}

// A CA certificate for `key`: self-signed, or signed by issuer_cert/issuer_key (an intermediate).
inline std::string ca_cert_for(EVP_PKEY* key, const std::string& cn, std::int64_t now,
                               X509* issuer_cert = nullptr, EVP_PKEY* issuer_key = nullptr) {
  CertificateSpec spec = ca_spec(cn, now);
  if (issuer_cert != nullptr) spec.serial = fixed_serial(0x33);  // unique per issuer
  auto cert = build_certificate(spec, key, issuer_cert, issuer_key != nullptr ? issuer_key : key);
  EXPECT_TRUE(cert.ok()) << cert.error().message;
  return cert.ok() ? cert_pem(cert->get()) : std::string();
}

inline std::string name_entry(X509* cert, int nid) {
  char buf[256] = {};
  int n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), nid, buf, sizeof buf);
  return n < 0 ? std::string() : std::string(buf, static_cast<std::size_t>(n));
}

// Whether extension `nid` is present and marked critical (false if absent).
inline bool is_critical(X509* cert, int nid) {
  const int idx = X509_get_ext_by_NID(cert, nid, -1);
  return idx >= 0 && X509_EXTENSION_get_critical(X509_get_ext(cert, idx)) == 1;
}

inline std::int64_t now_unix_s() { return static_cast<std::int64_t>(std::time(nullptr)); }

}  // namespace movn::pki::testing
