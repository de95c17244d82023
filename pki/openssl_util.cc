#include "pki/openssl_util.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <climits>

namespace movn::pki {

namespace {

// Refuses to decrypt: our keys are never encrypted, and the default callback would prompt on a tty.
int refuse_password(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) { return -1; }

Result<BioPtr> memory_bio_over(std::string_view bytes) {
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
    return make_error(Errc::kTooLarge,
                      "PEM input of " + std::to_string(bytes.size()) + " bytes is too large");
  }
  BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
  if (!bio) return openssl_error(Errc::kInternal, "allocating a memory BIO failed");
  return bio;
}

Result<std::string> drain_memory_bio(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  if (len < 0 || (len > 0 && data == nullptr)) {
    return openssl_error(Errc::kInternal, "reading a memory BIO failed");
  }
  return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace

Error openssl_error(Errc code, std::string_view clause) {
  std::string msg(clause);
  msg += ": ";
  bool first = true;
  char buf[256];
  while (unsigned long e = ERR_get_error()) {
    ERR_error_string_n(e, buf, sizeof buf);
    if (!first) msg += "; ";
    msg += buf;
    first = false;
  }
  if (first) msg += "no OpenSSL error queued";
  return make_error(code, std::move(msg));
}

Result<X509Ptr> parse_certificate_pem(std::string_view pem) {
  ERR_clear_error();
  MOVN_ASSIGN_OR_RETURN(BioPtr bio, memory_bio_over(pem));
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, refuse_password, nullptr));
  if (!cert) return openssl_error(Errc::kInvalidArgument, "not a PEM X.509 certificate");
  return cert;
}

Result<PkeyPtr> parse_private_key_pem(std::string_view pem) {
  ERR_clear_error();
  MOVN_ASSIGN_OR_RETURN(BioPtr bio, memory_bio_over(pem));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, refuse_password, nullptr));
  if (!key) return openssl_error(Errc::kInvalidArgument, "not an unencrypted PEM private key");
  return key;
}

Result<std::string> certificate_to_pem(X509* cert) {
  ERR_clear_error();
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return openssl_error(Errc::kInternal, "allocating a memory BIO failed");
  if (PEM_write_bio_X509(bio.get(), cert) != 1) {
    return openssl_error(Errc::kInternal, "encoding the certificate as PEM failed");
  }
  return drain_memory_bio(bio.get());
}

Result<std::string> certificate_to_der(X509* cert) {
  ERR_clear_error();
  int len = i2d_X509(cert, nullptr);
  if (len <= 0) return openssl_error(Errc::kInternal, "encoding the certificate as DER failed");
  std::string der(static_cast<std::size_t>(len), '\0');
  auto* p = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_X509(cert, &p) != len) {
    return openssl_error(Errc::kInternal, "encoding the certificate as DER failed");
  }
  return der;
}

Result<std::string> private_key_to_pem(EVP_PKEY* key) {
  ERR_clear_error();
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return openssl_error(Errc::kInternal, "allocating a memory BIO failed");
  // PEM_write_bio_PKCS8PrivateKey with no cipher writes an unencrypted PrivateKeyInfo.
  if (PEM_write_bio_PKCS8PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return openssl_error(Errc::kInternal, "encoding the private key as PKCS#8 PEM failed");
  }
  return drain_memory_bio(bio.get());
}

Result<std::string> subject_common_name(X509* cert) {
  X509_NAME* subject = X509_get_subject_name(cert);
  if (subject == nullptr) return make_error(Errc::kInvalidArgument, "certificate has no subject");
  int idx = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (idx < 0) return make_error(Errc::kInvalidArgument, "certificate subject has no CN");
  if (X509_NAME_get_index_by_NID(subject, NID_commonName, idx) >= 0) {
    return make_error(Errc::kInvalidArgument, "certificate subject has more than one CN");
  }
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, idx));
  unsigned char* utf8 = nullptr;
  ERR_clear_error();
  int len = ASN1_STRING_to_UTF8(&utf8, data);
  if (len < 0) return openssl_error(Errc::kInvalidArgument, "certificate CN is not valid text");
  std::string cn(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len));
  OPENSSL_free(utf8);
  return cn;
}

bool key_matches(X509* cert, EVP_PKEY* key) {
  const bool match = X509_check_private_key(cert, key) == 1;
  ERR_clear_error();  // a mismatch queues an error we report in our own words
  return match;
}

}  // namespace movn::pki
