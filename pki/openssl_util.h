// OpenSSL plumbing shared inside pki/: owning pointers, error-queue → movn::Error, PEM/DER codecs.
// Not for use outside pki/ (the CLI must not link OpenSSL, docs/design.md §3).
// Thread-safe: OpenSSL 3 keeps its error queue per thread; nothing here has shared state.
#pragma once

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace movn::pki {

template <auto FreeFn>
struct OpensslDeleter {
  template <class T>
  void operator()(T* p) const {
    FreeFn(p);
  }
};

using BioPtr = std::unique_ptr<BIO, OpensslDeleter<BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpensslDeleter<BN_free>>;
using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, OpensslDeleter<ASN1_INTEGER_free>>;
using Asn1Ia5StringPtr = std::unique_ptr<ASN1_IA5STRING, OpensslDeleter<ASN1_IA5STRING_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, OpensslDeleter<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OpensslDeleter<EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpensslDeleter<EVP_MD_CTX_free>>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, OpensslDeleter<EVP_CIPHER_CTX_free>>;
using X509Ptr = std::unique_ptr<X509, OpensslDeleter<X509_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, OpensslDeleter<X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, OpensslDeleter<X509_STORE_CTX_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, OpensslDeleter<X509_NAME_free>>;
using X509ExtensionPtr = std::unique_ptr<X509_EXTENSION, OpensslDeleter<X509_EXTENSION_free>>;
using GeneralNamePtr = std::unique_ptr<GENERAL_NAME, OpensslDeleter<GENERAL_NAME_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, OpensslDeleter<GENERAL_NAMES_free>>;

// Drains this thread's OpenSSL error queue into "clause: error:...; error:...".
Error openssl_error(Errc code, std::string_view clause);

// PEM ↔ objects. Parse errors are kInvalidArgument (the caller adds which file or peer it was).
// Encrypted private keys are refused rather than prompting on a terminal.
// Whether `key` is the private half of `cert`'s public key (OpenSSL's queued error on a
// mismatch is cleared: callers report it in their own words).
bool key_matches(X509* cert, EVP_PKEY* key);

Result<X509Ptr> parse_certificate_pem(std::string_view pem);
Result<PkeyPtr> parse_private_key_pem(std::string_view pem);
Result<std::string> certificate_to_pem(X509* cert);
Result<std::string> certificate_to_der(X509* cert);
// PKCS#8 ("-----BEGIN PRIVATE KEY-----"), unencrypted.
Result<std::string> private_key_to_pem(EVP_PKEY* key);

// The subject's commonName as UTF-8 (kInvalidArgument if absent or not exactly one).
Result<std::string> subject_common_name(X509* cert);

}  // namespace movn::pki
