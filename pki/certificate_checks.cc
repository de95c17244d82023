// Inspection and chain checks of pki/certificate.h: reading certificates we did not necessarily
// make (an operator's CA, a peer's service certificate).
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <ctime>

#include "common/sha256.h"
#include "pki/certificate.h"

namespace movn::pki {

namespace {

constexpr std::string_view kBeginCertificate = "-----BEGIN CERTIFICATE-----";
constexpr std::string_view kEndCertificate = "-----END CERTIFICATE-----";
constexpr std::string_view kBeginAnyBlock = "-----BEGIN ";

bool is_blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
}

std::string ordinal_clause(std::size_t n) { return "certificate " + std::to_string(n); }

// One PEM block that must hold exactly one DER certificate and nothing else (no headers, no
// bytes after the certificate).
Result<X509Ptr> parse_single_block(std::string_view block) {
  ERR_clear_error();
  BioPtr bio(BIO_new_mem_buf(block.data(), static_cast<int>(block.size())));
  if (!bio) return openssl_error(Errc::kInternal, "allocating a memory BIO failed");
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long len = 0;
  if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) {
    return openssl_error(Errc::kInvalidArgument, "not a well-formed PEM block");
  }
  const bool has_header = header != nullptr && header[0] != '\0';
  const unsigned char* p = data;
  X509Ptr cert(has_header ? nullptr : d2i_X509(nullptr, &p, len));
  const bool whole = cert && p == data + len;
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_free(data);
  if (has_header) return make_error(Errc::kInvalidArgument, "PEM headers are not allowed");
  if (!cert) return openssl_error(Errc::kInvalidArgument, "not a DER X.509 certificate");
  if (!whole) {
    return make_error(Errc::kInvalidArgument, "bytes follow the certificate inside its block");
  }
  return cert;
}

Result<std::vector<X509Ptr>> parse_chain(std::string_view pem) {
  if (pem.size() > static_cast<std::size_t>(INT_MAX)) {
    return make_error(Errc::kTooLarge,
                      "PEM input of " + std::to_string(pem.size()) + " bytes is too large");
  }
  std::vector<X509Ptr> certs;
  std::size_t pos = 0;
  for (;;) {
    const std::size_t begin = pem.find(kBeginAnyBlock, pos);
    const std::string_view gap =
        pem.substr(pos, begin == std::string_view::npos ? std::string_view::npos : begin - pos);
    if (!is_blank(gap)) {
      return make_error(Errc::kInvalidArgument,
                        certs.empty()
                            ? std::string("text that is not PEM before the first "
                                          "certificate")
                            : "text that is not PEM after " + ordinal_clause(certs.size()));
    }
    if (begin == std::string_view::npos) break;
    const std::string which = ordinal_clause(certs.size() + 1);
    if (!pem.substr(begin).starts_with(kBeginCertificate)) {
      const std::size_t eol = pem.find('\n', begin);
      return make_error(Errc::kInvalidArgument,
                        which + " is another kind of PEM block: " +
                            std::string(pem.substr(begin, std::min<std::size_t>(eol - begin, 64))));
    }
    const std::size_t end = pem.find(kEndCertificate, begin);
    if (end == std::string_view::npos) {
      return make_error(Errc::kInvalidArgument, which + " has no END CERTIFICATE line");
    }
    const std::size_t block_end = end + kEndCertificate.size();
    auto cert = parse_single_block(pem.substr(begin, block_end - begin));
    if (!cert.ok()) return std::move(cert).error().wrap(which);
    certs.push_back(std::move(cert).value());
    pos = block_end;
  }
  if (certs.empty()) return make_error(Errc::kInvalidArgument, "no certificate in the PEM text");
  return certs;
}

// The UTF-8 text of the subject's first entry of `nid`; empty when there is none.
Result<std::string> subject_entry(X509* cert, int nid) {
  X509_NAME* subject = X509_get_subject_name(cert);
  const int idx = subject == nullptr ? -1 : X509_NAME_get_index_by_NID(subject, nid, -1);
  if (idx < 0) return std::string();
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, idx));
  unsigned char* utf8 = nullptr;
  ERR_clear_error();
  const int len = ASN1_STRING_to_UTF8(&utf8, data);
  if (len < 0) {
    return openssl_error(Errc::kInvalidArgument,
                         std::string("the subject's ") + OBJ_nid2sn(nid) + " is not valid text");
  }
  std::string text(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len));
  OPENSSL_free(utf8);
  return text;
}

Result<std::string> serial_hex(X509* cert) {
  BignumPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
  if (!bn) return openssl_error(Errc::kInvalidArgument, "the serial number does not parse");
  char* hex = BN_bn2hex(bn.get());
  if (hex == nullptr) return openssl_error(Errc::kInternal, "printing the serial number failed");
  std::string out(hex);
  OPENSSL_free(hex);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  return out;
}

Result<std::int64_t> unix_seconds(const ASN1_TIME* time, std::string_view what) {
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) {
    return openssl_error(Errc::kInvalidArgument, std::string(what) + " is not a valid time");
  }
  return static_cast<std::int64_t>(timegm(&tm));
}

// Extension flags, refusing a certificate whose extensions OpenSSL could not decode.
Result<std::uint32_t> extension_flags(X509* cert) {
  const std::uint32_t flags = X509_get_extension_flags(cert);
  if ((flags & EXFLAG_INVALID) != 0) {
    return make_error(Errc::kInvalidArgument, "the certificate's extensions do not parse");
  }
  return flags;
}

bool has_key_cert_sign(X509* cert, std::uint32_t flags) {
  return (flags & EXFLAG_KUSAGE) != 0 && (X509_get_key_usage(cert) & KU_KEY_CERT_SIGN) != 0;
}

Result<CertificateInfo> inspect(X509* cert) {
  CertificateInfo info;
  MOVN_ASSIGN_OR_RETURN(info.subject_cn, subject_entry(cert, NID_commonName));
  MOVN_ASSIGN_OR_RETURN(info.organizational_unit, subject_entry(cert, NID_organizationalUnitName));
  MOVN_ASSIGN_OR_RETURN(info.serial_hex, serial_hex(cert));
  MOVN_ASSIGN_OR_RETURN(std::string der, certificate_to_der(cert));
  info.fingerprint_hex = sha256_hex(der);
  MOVN_ASSIGN_OR_RETURN(info.not_before_unix_s,
                        unix_seconds(X509_get0_notBefore(cert), "notBefore"));
  MOVN_ASSIGN_OR_RETURN(info.not_after_unix_s, unix_seconds(X509_get0_notAfter(cert), "notAfter"));
  MOVN_ASSIGN_OR_RETURN(std::uint32_t flags, extension_flags(cert));
  info.is_ca = (flags & EXFLAG_CA) != 0;
  info.key_cert_sign = has_key_cert_sign(cert, flags);
  return info;
}

Result<void> verify_chain(X509* leaf, const std::vector<X509Ptr>& trusted, std::int64_t at_unix_s) {
  ERR_clear_error();
  X509StorePtr store(X509_STORE_new());
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!store || !ctx)
    return openssl_error(Errc::kInternal, "allocating a certificate store failed");
  for (const X509Ptr& cert : trusted) {
    if (X509_STORE_add_cert(store.get(), cert.get()) != 1) {
      return openssl_error(Errc::kInternal, "adding a CA certificate to the store failed");
    }
  }
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf, nullptr) != 1) {
    return openssl_error(Errc::kInternal, "setting up certificate verification failed");
  }
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx.get()),
                             static_cast<std::time_t>(at_unix_s));
  if (X509_verify_cert(ctx.get()) == 1) return ok_result();
  const int error = X509_STORE_CTX_get_error(ctx.get());
  const int depth = X509_STORE_CTX_get_error_depth(ctx.get());
  ERR_clear_error();
  return make_error(Errc::kInvalidArgument, std::string(X509_verify_cert_error_string(error)) +
                                                " (at depth " + std::to_string(depth) + ", at " +
                                                std::to_string(at_unix_s) + " unix seconds)");
}

Result<void> check_ca_key_type(EVP_PKEY* key) {
  for (const char* type : {"RSA", "EC", "ED25519"}) {
    if (EVP_PKEY_is_a(key, type) == 1) return ok_result();
  }
  const char* name = EVP_PKEY_get0_type_name(key);
  return make_error(Errc::kInvalidArgument, std::string("the CA key is a ") +
                                                (name != nullptr ? name : "unknown") +
                                                " key; expected RSA, EC or Ed25519");
}

// Certificate i (from 0) must have been issued and signed by certificate i + 1.
Result<void> check_issued_by_next(const std::vector<X509Ptr>& chain, std::size_t i) {
  X509* subject = chain[i].get();
  X509* issuer = chain[i + 1].get();
  const bool issued = X509_check_issued(issuer, subject) == X509_V_OK &&
                      X509_verify(subject, X509_get0_pubkey(issuer)) == 1;
  ERR_clear_error();
  if (!issued) {
    return make_error(
        Errc::kInvalidArgument,
        ordinal_clause(i + 1) + " in the chain is not issued by " + ordinal_clause(i + 2));
  }
  return ok_result();
}

Result<void> check_ca_bundle_impl(std::string_view cert_chain_pem, std::string_view key_pem) {
  MOVN_ASSIGN_OR_RETURN(std::vector<X509Ptr> chain, parse_chain(cert_chain_pem));
  for (std::size_t i = 0; i < chain.size(); ++i) {
    auto flags = extension_flags(chain[i].get());
    if (!flags.ok()) return std::move(flags).error().wrap(ordinal_clause(i + 1) + " in the chain");
    if ((*flags & EXFLAG_CA) == 0 || !has_key_cert_sign(chain[i].get(), *flags)) {
      return make_error(Errc::kInvalidArgument,
                        ordinal_clause(i + 1) + " in the chain is not a CA with keyCertSign");
    }
  }
  for (std::size_t i = 0; i + 1 < chain.size(); ++i) MOVN_TRY(check_issued_by_next(chain, i));
  auto key = parse_private_key_pem(key_pem);
  if (!key.ok()) return std::move(key).error().wrap("reading the CA key");
  MOVN_TRY(check_ca_key_type(key->get()));
  if (!key_matches(chain.front().get(), key->get())) {
    return make_error(Errc::kInvalidArgument,
                      "the CA key does not match certificate 1 in the chain");
  }
  return ok_result();
}

}  // namespace

Result<CertificateInfo> inspect_certificate(std::string_view pem) {
  auto result = [&]() -> Result<CertificateInfo> {
    MOVN_ASSIGN_OR_RETURN(X509Ptr cert, parse_certificate_pem(pem));
    return inspect(cert.get());
  }();
  return std::move(result).wrap_error("inspecting a certificate");
}

Result<std::vector<std::string>> split_pem_chain(std::string_view pem) {
  auto result = [&]() -> Result<std::vector<std::string>> {
    MOVN_ASSIGN_OR_RETURN(std::vector<X509Ptr> certs, parse_chain(pem));
    std::vector<std::string> out;
    for (const X509Ptr& cert : certs) {
      MOVN_ASSIGN_OR_RETURN(std::string one, certificate_to_pem(cert.get()));
      out.push_back(std::move(one));
    }
    return out;
  }();
  return std::move(result).wrap_error("reading a PEM certificate chain");
}

Result<void> verify_issued_by(std::string_view leaf_pem, std::string_view ca_chain_pem,
                              std::int64_t at_unix_s) {
  auto leaf = parse_certificate_pem(leaf_pem);
  if (!leaf.ok()) return std::move(leaf).error().wrap("reading the certificate to verify");
  auto trusted = parse_chain(ca_chain_pem);
  if (!trusted.ok()) return std::move(trusted).error().wrap("reading the CA chain");
  const std::string cn = subject_entry(leaf->get(), NID_commonName).value_or("");
  return verify_chain(leaf->get(), *trusted, at_unix_s)
      .wrap_error("certificate '" + cn + "' does not verify against the CA");
}

Result<void> key_matches_certificate(std::string_view key_pem, std::string_view cert_pem) {
  auto key = parse_private_key_pem(key_pem);
  if (!key.ok()) return std::move(key).error().wrap("reading the private key");
  auto cert = parse_certificate_pem(cert_pem);
  if (!cert.ok()) return std::move(cert).error().wrap("reading the certificate");
  if (!key_matches(cert->get(), key->get())) {
    const std::string cn = subject_entry(cert->get(), NID_commonName).value_or("");
    return make_error(Errc::kInvalidArgument,
                      "the private key does not match the certificate '" + cn + "'");
  }
  return ok_result();
}

Result<void> check_ca_bundle(std::string_view cert_chain_pem, std::string_view key_pem) {
  return check_ca_bundle_impl(cert_chain_pem, key_pem).wrap_error("checking the CA bundle");
}

}  // namespace movn::pki
