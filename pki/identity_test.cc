#include "pki/identity.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>

#include "pki/test_util.h"

namespace movn::pki {
namespace {

using testing::listing;
using testing::mode_of;
using testing::slurp;
using testing::spit;
using testing::TempDir;

// Independent OpenSSL access for the assertions (does not use pki/openssl_util).
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Cert = std::unique_ptr<X509, X509Free>;
using Key = std::unique_ptr<EVP_PKEY, PkeyFree>;

Cert read_cert(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  Cert c(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return c;
}

Key read_key(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  Key k(PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return k;
}

std::string name_entry(X509* cert, int nid) {
  char buf[256] = {};
  int n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), nid, buf, sizeof buf);
  return n < 0 ? std::string() : std::string(buf, static_cast<std::size_t>(n));
}

std::vector<std::string> dns_sans(X509* cert) {
  std::vector<std::string> out;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    if (gn->type == GEN_DNS) {
      const ASN1_IA5STRING* s = gn->d.dNSName;
      out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                       static_cast<std::size_t>(ASN1_STRING_length(s)));
    } else {
      out.emplace_back("<non-dns>");
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

std::string sha256_of_der_hex(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EXPECT_EQ(X509_digest(cert, EVP_sha256(), md, &len), 1);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 0xf];
  }
  return out;
}

class IdentityTest : public ::testing::Test {
 protected:
  std::filesystem::path dir() const { return tmp_.path() / "identity"; }
  std::filesystem::path key_path() const { return dir() / kIdentityKeyFile; }
  std::filesystem::path cert_path() const { return dir() / kIdentityCertFile; }
  std::filesystem::path pending_path() const { return dir() / kIdentityPendingKeyFile; }

  Identity must_ensure(const std::filesystem::path& d, std::string_view name) {
    auto r = ensure_identity(d, name);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? r.value() : Identity{};
  }

  TempDir tmp_;
};

TEST_F(IdentityTest, FreshIdentityHasTheRequiredShape) {
  const std::time_t before = std::time(nullptr);
  Identity id = must_ensure(dir(), "node-1");
  EXPECT_EQ(id.member_name, "node-1");
  EXPECT_FALSE(id.regenerated);
  EXPECT_EQ(mode_of(dir()), 0700u);
  EXPECT_EQ(mode_of(key_path()), 0600u);
  EXPECT_EQ(mode_of(cert_path()), 0644u);
  EXPECT_EQ(listing(dir()), "server.crt server.key ");

  const std::string key_pem = slurp(key_path());
  EXPECT_TRUE(key_pem.starts_with("-----BEGIN PRIVATE KEY-----\n")) << "not PKCS#8: " << key_pem;
  Key key = read_key(key_pem);
  ASSERT_TRUE(key);
  EXPECT_TRUE(EVP_PKEY_is_a(key.get(), "EC"));
  char group[64] = {};
  size_t group_len = 0;
  ASSERT_EQ(EVP_PKEY_get_group_name(key.get(), group, sizeof group, &group_len), 1);
  EXPECT_EQ(std::string(group, group_len), "secp384r1");
  EXPECT_EQ(EVP_PKEY_get_bits(key.get()), 384);

  EXPECT_EQ(slurp(cert_path()), id.cert_pem);
  Cert cert = read_cert(id.cert_pem);
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_get_version(cert.get()), X509_VERSION_3);
  EXPECT_EQ(name_entry(cert.get(), NID_commonName), "node-1");
  EXPECT_EQ(name_entry(cert.get(), NID_organizationName), "MicroOVN");
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(cert.get()), X509_get_issuer_name(cert.get())), 0);
  EXPECT_EQ(dns_sans(cert.get()), std::vector<std::string>{"node-1"});
  EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1);
  EXPECT_EQ(X509_verify(cert.get(), key.get()), 1) << "self-signature does not verify";

  // Fingerprint: SHA-256 of the DER, computed here with X509_digest.
  EXPECT_EQ(id.fingerprint_hex.size(), 64u);
  EXPECT_EQ(id.fingerprint_hex, sha256_of_der_hex(cert.get()));

  // Extensions.
  const uint32_t flags = X509_get_extension_flags(cert.get());
  EXPECT_TRUE(flags & EXFLAG_BCONS);
  EXPECT_FALSE(flags & EXFLAG_CA);
  EXPECT_EQ(X509_get_key_usage(cert.get()),
            static_cast<uint32_t>(KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT | KU_KEY_AGREEMENT));
  EXPECT_EQ(X509_get_extended_key_usage(cert.get()),
            static_cast<uint32_t>(XKU_SSL_SERVER | XKU_SSL_CLIENT));

  // Serial: positive, at most 128 bits, not tiny.
  BIGNUM* serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr);
  ASSERT_NE(serial, nullptr);
  EXPECT_FALSE(BN_is_negative(serial));
  EXPECT_LE(BN_num_bits(serial), 128);
  EXPECT_GT(BN_num_bits(serial), 64);  // fails with probability 2^-64
  BN_free(serial);

  // Validity: from now, 10 calendar years (3652 or 3653 days).
  EXPECT_LE(X509_cmp_time(X509_get0_notBefore(cert.get()), nullptr), 0);  // not in the future
  std::time_t earliest = before - 1;
  EXPECT_GE(X509_cmp_time(X509_get0_notBefore(cert.get()), &earliest), 0);
  int days = 0, secs = 0;
  ASSERT_EQ(
      ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(cert.get()), X509_get0_notAfter(cert.get())),
      1);
  EXPECT_TRUE(days == 3652 || days == 3653) << days;
  EXPECT_EQ(secs, 0);
}

TEST_F(IdentityTest, SecondCallReusesTheIdentity) {
  Identity first = must_ensure(dir(), "node-1");
  const std::string key_before = slurp(key_path());
  Identity second = must_ensure(dir(), "node-1");
  EXPECT_EQ(second.fingerprint_hex, first.fingerprint_hex);
  EXPECT_EQ(second.cert_pem, first.cert_pem);
  EXPECT_FALSE(second.regenerated);
  EXPECT_EQ(slurp(key_path()), key_before);

  auto loaded = load_identity(dir());
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->member_name, "node-1");
  EXPECT_EQ(loaded->fingerprint_hex, first.fingerprint_hex);
}

TEST_F(IdentityTest, TwoMembersGetDifferentKeysAndSerials) {
  Identity a = must_ensure(tmp_.path() / "a", "node-1");
  Identity b = must_ensure(tmp_.path() / "b", "node-1");
  EXPECT_NE(a.fingerprint_hex, b.fingerprint_hex);
  Cert ca = read_cert(a.cert_pem), cb = read_cert(b.cert_pem);
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(ca.get()), X509_get0_serialNumber(cb.get())),
            0);
}

TEST_F(IdentityTest, DifferentNameRegeneratesBoth) {
  Identity first = must_ensure(dir(), "node-1");
  const std::string key_before = slurp(key_path());
  Identity renamed = must_ensure(dir(), "node-2");
  EXPECT_TRUE(renamed.regenerated);
  EXPECT_EQ(renamed.member_name, "node-2");
  EXPECT_NE(renamed.fingerprint_hex, first.fingerprint_hex);
  EXPECT_NE(slurp(key_path()), key_before);
  EXPECT_EQ(mode_of(key_path()), 0600u);
  EXPECT_EQ(listing(dir()), "server.crt server.key ");

  Cert cert = read_cert(slurp(cert_path()));
  Key key = read_key(slurp(key_path()));
  ASSERT_TRUE(cert && key);
  EXPECT_EQ(name_entry(cert.get(), NID_commonName), "node-2");
  EXPECT_EQ(dns_sans(cert.get()), std::vector<std::string>{"node-2"});
  EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1);

  // And it is stable afterwards.
  Identity again = must_ensure(dir(), "node-2");
  EXPECT_FALSE(again.regenerated);
  EXPECT_EQ(again.fingerprint_hex, renamed.fingerprint_hex);
}

TEST_F(IdentityTest, DamagedCertificateIsCorruptionAndIsNotOverwritten) {
  must_ensure(dir(), "node-1");
  std::string pem = slurp(cert_path());
  const std::string damaged = pem.substr(0, pem.size() / 2);  // truncated
  spit(cert_path(), damaged, 0644);
  const std::string key_before = slurp(key_path());

  auto r = ensure_identity(dir(), "node-1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kCorruption);
  EXPECT_NE(r.error().message.find(cert_path().string()), std::string::npos) << r.error().message;
  EXPECT_EQ(slurp(cert_path()), damaged);
  EXPECT_EQ(slurp(key_path()), key_before);

  // Even when asked for another name, which would otherwise regenerate.
  auto renamed = ensure_identity(dir(), "node-2");
  ASSERT_FALSE(renamed.ok());
  EXPECT_EQ(renamed.error().code, Errc::kCorruption);
  EXPECT_EQ(slurp(cert_path()), damaged);

  auto loaded = load_identity(dir());
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, Errc::kCorruption);
}

TEST_F(IdentityTest, DamagedKeyIsCorruptionAndIsNotOverwritten) {
  must_ensure(dir(), "node-1");
  const std::string garbage = "-----BEGIN PRIVATE KEY-----\nnot base64 at all\n";
  spit(key_path(), garbage, 0600);
  auto r = ensure_identity(dir(), "node-1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kCorruption);
  EXPECT_NE(r.error().message.find(key_path().string()), std::string::npos) << r.error().message;
  EXPECT_EQ(slurp(key_path()), garbage);
}

TEST_F(IdentityTest, KeyWithMode0644IsRefused) {
  must_ensure(dir(), "node-1");
  const std::string key_before = slurp(key_path());
  ASSERT_EQ(::chmod(key_path().c_str(), 0644), 0);
  auto r = ensure_identity(dir(), "node-1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kPermissionDenied);
  EXPECT_NE(r.error().message.find(key_path().string()), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("0644"), std::string::npos) << r.error().message;
  EXPECT_EQ(mode_of(key_path()), 0644u);
  EXPECT_EQ(slurp(key_path()), key_before);
}

TEST_F(IdentityTest, KeyNotMatchingCertificateIsCorruption) {
  must_ensure(dir(), "node-1");
  Identity other = must_ensure(tmp_.path() / "other", "node-1");
  spit(cert_path(), other.cert_pem, 0644);
  auto r = ensure_identity(dir(), "node-1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kCorruption);
  EXPECT_NE(r.error().message.find("does not match"), std::string::npos) << r.error().message;
  EXPECT_EQ(slurp(cert_path()), other.cert_pem);
}

TEST_F(IdentityTest, OnlyOneFilePresentIsRefused) {
  must_ensure(dir(), "node-1");
  const std::string cert_before = slurp(cert_path());
  std::filesystem::remove(key_path());
  auto r = ensure_identity(dir(), "node-1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kCorruption);
  EXPECT_NE(r.error().message.find(key_path().string()), std::string::npos) << r.error().message;
  EXPECT_EQ(slurp(cert_path()), cert_before);
  EXPECT_EQ(listing(dir()), "server.crt ");

  auto loaded = load_identity(dir());
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, Errc::kNotFound);
}

TEST_F(IdentityTest, KeyOnAnotherCurveIsRefused) {
  must_ensure(dir(), "node-1");
  EVP_PKEY* p256 = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  ASSERT_NE(p256, nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(bio, p256, nullptr, nullptr, 0, nullptr, nullptr), 1);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  const std::string pem(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  EVP_PKEY_free(p256);
  spit(key_path(), pem, 0600);

  auto r = ensure_identity(dir(), "node-1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kCorruption);
  EXPECT_NE(r.error().message.find("P-384"), std::string::npos) << r.error().message;
  EXPECT_EQ(slurp(key_path()), pem);
}

TEST_F(IdentityTest, InterruptedRegenerationRollsForward) {
  // State after a crash between writing the new certificate and renaming the new key.
  must_ensure(dir(), "node-1");
  Identity next = must_ensure(tmp_.path() / "next", "node-2");
  spit(pending_path(), slurp(tmp_.path() / "next" / kIdentityKeyFile), 0600);
  spit(cert_path(), next.cert_pem, 0644);

  Identity id = must_ensure(dir(), "node-2");
  EXPECT_FALSE(id.regenerated);
  EXPECT_EQ(id.fingerprint_hex, next.fingerprint_hex);
  EXPECT_EQ(slurp(key_path()), slurp(tmp_.path() / "next" / kIdentityKeyFile));
  EXPECT_EQ(listing(dir()), "server.crt server.key ");
}

TEST_F(IdentityTest, InterruptedRegenerationRollsBack) {
  // State after a crash between writing the new key and writing the new certificate.
  Identity current = must_ensure(dir(), "node-1");
  const std::string key_before = slurp(key_path());
  must_ensure(tmp_.path() / "next", "node-2");
  spit(pending_path(), slurp(tmp_.path() / "next" / kIdentityKeyFile), 0600);
  spit(dir() / ".server.crt.tmp-0123456789abcdef", "half a cert", 0644);

  Identity id = must_ensure(dir(), "node-1");
  EXPECT_EQ(id.fingerprint_hex, current.fingerprint_hex);
  EXPECT_EQ(slurp(key_path()), key_before);
  EXPECT_EQ(listing(dir()), "server.crt server.key ");
}

TEST_F(IdentityTest, InterruptedFirstGenerationStartsOver) {
  must_ensure(tmp_.path() / "next", "node-1");
  ASSERT_EQ(::mkdir(dir().c_str(), 0700), 0);
  spit(pending_path(), slurp(tmp_.path() / "next" / kIdentityKeyFile), 0600);
  Identity id = must_ensure(dir(), "node-1");
  EXPECT_EQ(listing(dir()), "server.crt server.key ");
  EXPECT_NE(slurp(key_path()), slurp(tmp_.path() / "next" / kIdentityKeyFile));
  EXPECT_EQ(id.member_name, "node-1");
}

TEST_F(IdentityTest, InvalidMemberNamesAreRefused) {
  for (std::string_view name : {std::string_view(""), std::string_view("a b"),
                                std::string_view("tab\t"), std::string_view("caf\xc3\xa9")}) {
    auto r = ensure_identity(dir(), name);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.error().code, Errc::kInvalidArgument);
  }
  auto long_name = ensure_identity(dir(), std::string(65, 'a'));
  ASSERT_FALSE(long_name.ok());
  EXPECT_EQ(long_name.error().code, Errc::kInvalidArgument);
}

// Member names follow commands::validate_member_name, so a name that would add subjectAltName
// entries ("x,DNS:evil,...") never reaches the certificate, and nothing is written for it.
TEST_F(IdentityTest, NameWithCommaDoesNotInjectSubjectAltNames) {
  auto r = ensure_identity(dir(), "x,DNS:evil,IP:1.2.3.4");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kInvalidArgument);
  EXPECT_NE(r.error().message.find("invalid member name"), std::string::npos) << r.error().message;
  EXPECT_FALSE(std::filesystem::exists(dir()));
}

TEST_F(IdentityTest, MemberNameRuleIsTheCommandsOne) {
  for (std::string_view name : {std::string_view("Node-1"), std::string_view("-node"),
                                std::string_view("node_1"), std::string_view("a.b")}) {
    auto r = ensure_identity(dir(), name);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.error().code, Errc::kInvalidArgument);
  }
  const std::string longest(63, 'a');
  Identity id = must_ensure(dir(), longest);
  Cert cert = read_cert(id.cert_pem);
  ASSERT_TRUE(cert);
  EXPECT_EQ(dns_sans(cert.get()), std::vector<std::string>{longest});
  EXPECT_EQ(name_entry(cert.get(), NID_commonName), longest);
  EXPECT_FALSE(ensure_identity(dir(), std::string(64, 'a')).ok());
}

TEST_F(IdentityTest, LoadIdentityOfEmptyDirIsNotFound) {
  auto r = load_identity(dir());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(dir()));  // load never creates
}

TEST(CertificateHelpers, CnAndFingerprintOfPem) {
  TempDir tmp;
  auto id = ensure_identity(tmp.path() / "identity", "member-7");
  ASSERT_TRUE(id.ok()) << id.error().message;
  auto cn = certificate_cn(id->cert_pem);
  ASSERT_TRUE(cn.ok()) << cn.error().message;
  EXPECT_EQ(*cn, "member-7");
  auto fp = certificate_fingerprint(id->cert_pem);
  ASSERT_TRUE(fp.ok());
  EXPECT_EQ(*fp, id->fingerprint_hex);
  Cert cert = read_cert(id->cert_pem);
  EXPECT_EQ(*fp, sha256_of_der_hex(cert.get()));

  for (std::string_view bad : {std::string_view(""), std::string_view("garbage"),
                               std::string_view("-----BEGIN CERTIFICATE-----\nAAAA\n"
                                                "-----END CERTIFICATE-----\n")}) {
    auto bad_cn = certificate_cn(bad);
    ASSERT_FALSE(bad_cn.ok());
    EXPECT_EQ(bad_cn.error().code, Errc::kInvalidArgument);
    EXPECT_FALSE(certificate_fingerprint(bad).ok());
  }
}

}  // namespace
}  // namespace movn::pki
