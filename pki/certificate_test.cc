#include "pki/certificate.h"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <string>
#include <vector>

#include "pki/certificate_test_util.h"

namespace movn::pki {
namespace {

using testing::ca_cert_for;
using testing::fixed_serial;
using testing::generate_key;
using testing::is_critical;
using testing::key_pem;
using testing::name_entry;
using testing::now_unix_s;
using testing::read_cert;
using testing::read_key;

constexpr std::int64_t kDay = 86400;

KeyPair must_make_ca(std::int64_t now, std::string serial = fixed_serial()) {
  auto ca = make_ca(now, std::move(serial));
  EXPECT_TRUE(ca.ok()) << ca.error().message;
  return ca.ok() ? *ca : KeyPair{};
}

KeyPair must_issue(const KeyPair& ca, std::int64_t now, std::string_view member = "node-1",
                   std::string_view service = "ovnnb") {
  auto cert =
      issue_service_certificate(member, service, ca.cert_pem, ca.key_pem, now, fixed_serial(0x22));
  EXPECT_TRUE(cert.ok()) << cert.error().message;
  return cert.ok() ? *cert : KeyPair{};
}

int days_valid(X509* cert) {
  int days = 0, secs = 0;
  EXPECT_EQ(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(cert), X509_get0_notAfter(cert)), 1);
  EXPECT_EQ(secs, 0);
  return days;
}

std::string key_id(const ASN1_OCTET_STRING* id) {
  if (id == nullptr) return "";
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(id)),
                     static_cast<std::size_t>(ASN1_STRING_length(id)));
}

void expect_p384_pkcs8(const std::string& pem) {
  EXPECT_TRUE(pem.starts_with("-----BEGIN PRIVATE KEY-----\n")) << pem;
  PkeyPtr key = read_key(pem);
  ASSERT_TRUE(key);
  EXPECT_TRUE(EVP_PKEY_is_a(key.get(), "EC"));
  EXPECT_EQ(EVP_PKEY_get_bits(key.get()), 384);
}

TEST(GenerateP384Key, GivesDistinctP384Keys) {
  auto a = generate_p384_key();
  auto b = generate_p384_key();
  ASSERT_TRUE(a.ok() && b.ok());
  char group[64] = {};
  size_t len = 0;
  ASSERT_EQ(EVP_PKEY_get_group_name(a->get(), group, sizeof group, &len), 1);
  EXPECT_EQ(std::string(group, len), "secp384r1");
  EXPECT_NE(EVP_PKEY_eq(a->get(), b->get()), 1);
}

TEST(MakeCa, HasTheRequiredFields) {
  const std::int64_t now = now_unix_s();
  KeyPair ca = must_make_ca(now);
  expect_p384_pkcs8(ca.key_pem);
  X509Ptr cert = read_cert(ca.cert_pem);
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_get_version(cert.get()), X509_VERSION_3);
  EXPECT_EQ(name_entry(cert.get(), NID_commonName), "MicroOVN CA");
  EXPECT_EQ(name_entry(cert.get(), NID_organizationName), "MicroOVN");
  EXPECT_EQ(name_entry(cert.get(), NID_organizationalUnitName), "MicroOVN CA");
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(cert.get()), X509_get_issuer_name(cert.get())), 0);
  PkeyPtr key = read_key(ca.key_pem);
  EXPECT_EQ(X509_verify(cert.get(), key.get()), 1) << "self-signature does not verify";
  EXPECT_EQ(X509_get_signature_nid(cert.get()), NID_ecdsa_with_SHA384);

  const std::uint32_t flags = X509_get_extension_flags(cert.get());
  EXPECT_TRUE(flags & EXFLAG_CA);
  EXPECT_TRUE(is_critical(cert.get(), NID_basic_constraints));
  EXPECT_TRUE(is_critical(cert.get(), NID_key_usage));
  EXPECT_EQ(X509_get_key_usage(cert.get()),
            static_cast<std::uint32_t>(KU_KEY_CERT_SIGN | KU_CRL_SIGN));
  EXPECT_EQ(X509_get_ext_by_NID(cert.get(), NID_ext_key_usage, -1), -1);
  EXPECT_EQ(X509_get_ext_by_NID(cert.get(), NID_subject_alt_name, -1), -1);
  EXPECT_NE(X509_get0_subject_key_id(cert.get()), nullptr);

  // 10 × 365 days from `now` (± a day, as asked of the CA).
  const std::time_t now_t = now;
  EXPECT_EQ(ASN1_TIME_cmp_time_t(X509_get0_notBefore(cert.get()), now_t), 0);
  EXPECT_NEAR(days_valid(cert.get()), 3650, 1);

  // Serial: positive and below 2^128 (the top bit of the 16 bytes is cleared: below 2^127).
  BignumPtr serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr));
  ASSERT_TRUE(serial);
  EXPECT_FALSE(BN_is_negative(serial.get()));
  EXPECT_FALSE(BN_is_zero(serial.get()));
  EXPECT_LE(BN_num_bits(serial.get()), 127);
}

TEST(MakeCa, SerialTopBitIsClearedAndTheRestKept) {
  auto ca = make_ca(now_unix_s(), std::string(kSerialBytes, '\xff'));
  ASSERT_TRUE(ca.ok()) << ca.error().message;
  X509Ptr cert = read_cert(ca->cert_pem);
  BignumPtr serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr));
  EXPECT_EQ(BN_num_bits(serial.get()), 127);
  char* hex = BN_bn2hex(serial.get());
  EXPECT_STREQ(hex, "7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF");
  OPENSSL_free(hex);
}

TEST(MakeCa, RefusesBadSerials) {
  for (const std::string& serial :
       {std::string(), std::string(15, '\x01'), std::string(17, '\x01'), std::string(16, '\0'),
        std::string("\x80") + std::string(15, '\0')}) {
    auto ca = make_ca(now_unix_s(), serial);
    ASSERT_FALSE(ca.ok()) << serial.size();
    EXPECT_EQ(ca.error().code, Errc::kInvalidArgument);
    EXPECT_NE(ca.error().message.find("serial"), std::string::npos) << ca.error().message;
  }
}

TEST(RandomSerial, IsSixteenBytesAndDiffers) {
  auto a = random_serial();
  auto b = random_serial();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), kSerialBytes);
  EXPECT_NE(*a, *b);
}

TEST(IssueServiceCertificate, HasTheRequiredFields) {
  const std::int64_t now = now_unix_s();
  KeyPair ca = must_make_ca(now);
  KeyPair svc = must_issue(ca, now, "node-1", "ovnsb");
  expect_p384_pkcs8(svc.key_pem);
  X509Ptr cert = read_cert(svc.cert_pem);
  X509Ptr ca_cert = read_cert(ca.cert_pem);
  ASSERT_TRUE(cert && ca_cert);
  EXPECT_EQ(name_entry(cert.get(), NID_commonName), "node-1");
  EXPECT_EQ(name_entry(cert.get(), NID_organizationName), "MicroOVN");
  EXPECT_EQ(name_entry(cert.get(), NID_organizationalUnitName), "ovnsb");
  EXPECT_EQ(X509_NAME_cmp(X509_get_issuer_name(cert.get()), X509_get_subject_name(ca_cert.get())),
            0);
  EXPECT_EQ(X509_check_issued(ca_cert.get(), cert.get()), X509_V_OK);
  EXPECT_EQ(X509_verify(cert.get(), X509_get0_pubkey(ca_cert.get())), 1);
  PkeyPtr key = read_key(svc.key_pem);
  EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1);

  const std::uint32_t flags = X509_get_extension_flags(cert.get());
  EXPECT_TRUE(flags & EXFLAG_BCONS);
  EXPECT_FALSE(flags & EXFLAG_CA);
  EXPECT_EQ(
      X509_get_key_usage(cert.get()),
      static_cast<std::uint32_t>(KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT | KU_KEY_AGREEMENT));
  EXPECT_EQ(X509_get_extended_key_usage(cert.get()),
            static_cast<std::uint32_t>(XKU_SSL_SERVER | XKU_SSL_CLIENT));
  EXPECT_EQ(key_id(X509_get0_authority_key_id(cert.get())),
            key_id(X509_get0_subject_key_id(ca_cert.get())));
  EXPECT_NE(key_id(X509_get0_subject_key_id(cert.get())), "");
  EXPECT_EQ(days_valid(cert.get()), 730);
  EXPECT_EQ(ASN1_TIME_cmp_time_t(X509_get0_notBefore(cert.get()), now), 0);
}

TEST(IssueServiceCertificate, EachCallMakesANewKey) {
  const std::int64_t now = now_unix_s();
  KeyPair ca = must_make_ca(now);
  EXPECT_NE(must_issue(ca, now).key_pem, must_issue(ca, now).key_pem);
}

TEST(IssueServiceCertificate, WorksWithRsaP256AndEd25519CaKeys) {
  const std::int64_t now = now_unix_s();
  struct Case {
    std::string type;
    int signature_nid;
  };
  for (const Case& c : {Case{"RSA", NID_sha256WithRSAEncryption}, Case{"EC", NID_ecdsa_with_SHA384},
                        Case{"ED25519", NID_ED25519}}) {
    SCOPED_TRACE(c.type);
    PkeyPtr ca_key = generate_key(c.type);
    ASSERT_TRUE(ca_key);
    const KeyPair ca{.key_pem = key_pem(ca_key.get()),
                     .cert_pem = ca_cert_for(ca_key.get(), c.type + " CA", now)};
    X509Ptr ca_cert = read_cert(ca.cert_pem);
    ASSERT_TRUE(ca_cert);
    EXPECT_EQ(X509_get_signature_nid(ca_cert.get()), c.signature_nid);

    KeyPair svc = must_issue(ca, now, "node-2", "ovn-northd");
    X509Ptr cert = read_cert(svc.cert_pem);
    ASSERT_TRUE(cert);
    EXPECT_EQ(X509_get_signature_nid(cert.get()), c.signature_nid);
    EXPECT_EQ(X509_verify(cert.get(), ca_key.get()), 1);
    auto verified = verify_issued_by(svc.cert_pem, ca.cert_pem, now + kDay);
    EXPECT_TRUE(verified.ok()) << verified.error().message;
  }
}

TEST(IssueServiceCertificate, AcceptsCaKeysInTypeSpecificPem) {
  const std::int64_t now = now_unix_s();
  for (const std::string type : {"RSA", "EC"}) {
    PkeyPtr ca_key = generate_key(type);
    const std::string pem = key_pem(ca_key.get(), "type-specific");
    EXPECT_TRUE(pem.starts_with("-----BEGIN " + type + " PRIVATE KEY-----")) << pem;
    const KeyPair ca{.key_pem = pem, .cert_pem = ca_cert_for(ca_key.get(), type + " CA", now)};
    KeyPair svc = must_issue(ca, now);
    EXPECT_TRUE(verify_issued_by(svc.cert_pem, ca.cert_pem, now).ok());
  }
}

TEST(IssueServiceCertificate, RefusesBadInput) {
  const std::int64_t now = now_unix_s();
  KeyPair ca = must_make_ca(now);
  KeyPair other_ca = must_make_ca(now);
  KeyPair leaf = must_issue(ca, now);
  struct Case {
    std::string member, service, cert_pem, key_pem, expected;
  };
  for (const Case& c : {
           Case{"Node 1", "ovnnb", ca.cert_pem, ca.key_pem, "invalid member name"},
           Case{"node-1", "", ca.cert_pem, ca.key_pem, "invalid service name"},
           Case{"node-1", "ovn,nb", ca.cert_pem, ca.key_pem, "invalid service name"},
           Case{"node-1", "ovnnb", ca.cert_pem, other_ca.key_pem,
                "the issuer key does not match the issuer certificate"},
           Case{"node-1", "ovnnb", leaf.cert_pem, leaf.key_pem,
                "the issuer certificate is not a CA with keyCertSign"},
           Case{"node-1", "ovnnb", "garbage", ca.key_pem, "reading the CA certificate"},
           Case{"node-1", "ovnnb", ca.cert_pem, "garbage", "reading the CA key"},
       }) {
    auto r =
        issue_service_certificate(c.member, c.service, c.cert_pem, c.key_pem, now, fixed_serial());
    ASSERT_FALSE(r.ok()) << c.expected;
    EXPECT_EQ(r.error().code, Errc::kInvalidArgument) << r.error().message;
    EXPECT_NE(r.error().message.find(c.expected), std::string::npos) << r.error().message;
  }
}

TEST(BuildCertificate, SelfSignedLeafWithSansAndNoOrganizationalUnit) {
  PkeyPtr key = generate_key("EC");
  const CertificateSpec spec{.common_name = "node-9",
                             .dns_names = {"node-9", "node-9.example"},
                             .not_before_unix_s = 1700000000,
                             .validity_days = 3,
                             .server_and_client = true,
                             .serial = fixed_serial()};
  auto cert = build_certificate(spec, key.get(), nullptr, key.get());
  ASSERT_TRUE(cert.ok()) << cert.error().message;
  EXPECT_EQ(name_entry(cert->get(), NID_organizationalUnitName), "");
  EXPECT_EQ(X509_get_ext_by_NID(cert->get(), NID_authority_key_identifier, -1), -1);
  auto* sans = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert->get(), NID_subject_alt_name, nullptr, nullptr));
  ASSERT_NE(sans, nullptr);
  EXPECT_EQ(sk_GENERAL_NAME_num(sans), 2);
  GENERAL_NAMES_free(sans);
  EXPECT_EQ(X509_check_host(cert->get(), "node-9.example", 0, 0, nullptr), 1);
  EXPECT_EQ(ASN1_TIME_cmp_time_t(X509_get0_notAfter(cert->get()), 1700000000 + 3 * kDay), 0);
}

TEST(BuildCertificate, RefusesBadSpecs) {
  PkeyPtr key = generate_key("EC");
  PkeyPtr other = generate_key("EC");
  const CertificateSpec good{.common_name = "x",
                             .not_before_unix_s = 1700000000,
                             .validity_days = 1,
                             .serial = fixed_serial()};
  ASSERT_TRUE(build_certificate(good, key.get(), nullptr, key.get()).ok());

  auto expect_refused = [&](CertificateSpec spec, std::string_view expected,
                            EVP_PKEY* issuer_key = nullptr) {
    auto r = build_certificate(spec, key.get(), nullptr, issuer_key ? issuer_key : key.get());
    ASSERT_FALSE(r.ok()) << expected;
    EXPECT_EQ(r.error().code, Errc::kInvalidArgument);
    EXPECT_NE(r.error().message.find(expected), std::string::npos) << r.error().message;
  };
  CertificateSpec s = good;
  s.common_name = "";
  expect_refused(s, "common name is empty");
  s = good;
  s.common_name = std::string(65, 'a');
  expect_refused(s, "common name is 65 bytes, the limit is 64");
  s = good;
  s.organizational_unit = std::string(65, 'a');
  expect_refused(s, "organizational unit is 65 bytes");
  s = good;
  s.validity_days = 0;
  expect_refused(s, "validity of 0 days");
  s = good;
  s.not_before_unix_s = -1;
  expect_refused(s, "is not within 1970-01-01..9999-12-31");
  s = good;
  s.not_before_unix_s = 253402300799 - kDay + 1;
  expect_refused(s, "is not within 1970-01-01..9999-12-31");
  s = good;
  s.is_ca = s.server_and_client = true;
  expect_refused(s, "both a CA and a server/client certificate");
  s = good;
  s.dns_names = {""};
  expect_refused(s, "DNS name '' is not 1 to 253 printable ASCII characters");
  s.dns_names = {"a b"};
  expect_refused(s, "DNS name 'a b' is not 1 to 253 printable ASCII characters");
  expect_refused(good, "must be signed by the subject's own key", other.get());
}

TEST(BuildCertificate, FarFutureDatesUseGeneralizedTime) {
  PkeyPtr key = generate_key("EC");
  const CertificateSpec spec{.common_name = "x",
                             .not_before_unix_s = 2524608000,  // 2050-01-01
                             .validity_days = 1,
                             .serial = fixed_serial()};
  auto cert = build_certificate(spec, key.get(), nullptr, key.get());
  ASSERT_TRUE(cert.ok()) << cert.error().message;
  EXPECT_EQ(ASN1_STRING_type(X509_get0_notBefore(cert->get())), V_ASN1_GENERALIZEDTIME);
  EXPECT_EQ(ASN1_TIME_cmp_time_t(X509_get0_notBefore(cert->get()), 2524608000), 0);
}

TEST(BuildCertificate, RefusesAnIssuerKeyOfAnotherType) {
  PkeyPtr dh = PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"));
  ASSERT_TRUE(dh);
  const CertificateSpec spec{.common_name = "x",
                             .not_before_unix_s = 1700000000,
                             .validity_days = 1,
                             .serial = fixed_serial()};
  auto r = build_certificate(spec, dh.get(), nullptr, dh.get());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kInvalidArgument);
  EXPECT_NE(r.error().message.find("cannot sign with a X25519 key"), std::string::npos)
      << r.error().message;
}

}  // namespace
}  // namespace movn::pki
