#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "pki/certificate.h"
#include "pki/certificate_test_util.h"
#include "pki/identity.h"
#include "pki/test_util.h"

namespace movn::pki {
namespace {

using testing::ca_cert_for;
using testing::fixed_serial;
using testing::generate_key;
using testing::key_pem;
using testing::now_unix_s;
using testing::read_cert;
using testing::slurp;
using testing::spit;
using testing::TempDir;

constexpr std::int64_t kDay = 86400;

KeyPair must_make_ca(std::int64_t now) {
  auto ca = make_ca(now, fixed_serial());
  EXPECT_TRUE(ca.ok()) << ca.error().message;
  return ca.ok() ? *ca : KeyPair{};
}

KeyPair must_issue(const KeyPair& ca, std::int64_t now, std::string_view service = "ovnnb") {
  auto cert = issue_service_certificate("node-1", service, ca.cert_pem, ca.key_pem, now,
                                        fixed_serial(0x22));
  EXPECT_TRUE(cert.ok()) << cert.error().message;
  return cert.ok() ? *cert : KeyPair{};
}

void expect_error(const Result<void>& r, Errc code, std::string_view expected) {
  ASSERT_FALSE(r.ok()) << expected;
  EXPECT_EQ(r.error().code, code) << r.error().message;
  EXPECT_NE(r.error().message.find(expected), std::string::npos) << r.error().message;
}

// A CA, an intermediate CA it issued, and their keys.
struct TwoLevelCa {
  PkeyPtr root_key, intermediate_key;
  std::string root_pem, intermediate_pem;

  explicit TwoLevelCa(std::int64_t now)
      : root_key(generate_key("EC")), intermediate_key(generate_key("EC")) {
    root_pem = ca_cert_for(root_key.get(), "root", now);
    X509Ptr root = read_cert(root_pem);
    intermediate_pem =
        ca_cert_for(intermediate_key.get(), "intermediate", now, root.get(), root_key.get());
  }
  std::string chain() const { return intermediate_pem + root_pem; }
};

TEST(InspectCertificate, ReportsFieldsFingerprintAndDates) {
  const std::int64_t now = 1700000000;
  KeyPair ca = must_make_ca(now);
  KeyPair svc = must_issue(ca, now + 60, "ovnsb");

  auto info = inspect_certificate(ca.cert_pem);
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->subject_cn, "MicroOVN CA");
  EXPECT_EQ(info->organizational_unit, "MicroOVN CA");
  EXPECT_EQ(info->serial_hex, "115a5a5a5a5a5a5a5a5a5a5a5a5a5a5a");
  EXPECT_EQ(info->not_before_unix_s, now);
  EXPECT_EQ(info->not_after_unix_s, now + 3650 * kDay);
  EXPECT_TRUE(info->is_ca);
  EXPECT_TRUE(info->key_cert_sign);
  auto fingerprint = certificate_fingerprint(ca.cert_pem);
  ASSERT_TRUE(fingerprint.ok());
  EXPECT_EQ(info->fingerprint_hex, *fingerprint);

  auto leaf = inspect_certificate(svc.cert_pem + ca.cert_pem);  // the first certificate counts
  ASSERT_TRUE(leaf.ok()) << leaf.error().message;
  EXPECT_EQ(leaf->subject_cn, "node-1");
  EXPECT_EQ(leaf->organizational_unit, "ovnsb");
  EXPECT_EQ(leaf->serial_hex, "225a5a5a5a5a5a5a5a5a5a5a5a5a5a5a");
  EXPECT_EQ(leaf->not_before_unix_s, now + 60);
  EXPECT_EQ(leaf->not_after_unix_s, now + 60 + 730 * kDay);
  EXPECT_FALSE(leaf->is_ca);
  EXPECT_FALSE(leaf->key_cert_sign);
  EXPECT_EQ(leaf->fingerprint_hex, *certificate_fingerprint(svc.cert_pem));
  EXPECT_NE(leaf->fingerprint_hex, info->fingerprint_hex);
}

TEST(InspectCertificate, RefusesNonCertificates) {
  for (std::string_view bad : {std::string_view(""), std::string_view("garbage")}) {
    auto r = inspect_certificate(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kInvalidArgument);
  }
}

TEST(SplitPemChain, SplitsIntoEachCertificate) {
  const std::int64_t now = now_unix_s();
  TwoLevelCa cas(now);
  auto one = split_pem_chain(cas.root_pem);
  ASSERT_TRUE(one.ok()) << one.error().message;
  EXPECT_EQ(*one, std::vector<std::string>{cas.root_pem});

  // Whitespace around and between blocks, and CRLF line ends, are fine.
  std::string crlf;
  for (char c : cas.root_pem) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  auto two = split_pem_chain("\n  " + cas.intermediate_pem + "\n\n" + crlf + "\t\n");
  ASSERT_TRUE(two.ok()) << two.error().message;
  EXPECT_EQ(*two, (std::vector<std::string>{cas.intermediate_pem, cas.root_pem}));
}

TEST(SplitPemChain, RefusesGarbage) {
  const std::int64_t now = now_unix_s();
  KeyPair ca = must_make_ca(now);
  const std::string& cert = ca.cert_pem;
  const std::string truncated = cert.substr(0, cert.size() - 30);
  std::string damaged = cert;
  damaged[40] = '*';
  struct Case {
    std::string pem, expected;
  };
  for (const Case& c : {
           Case{"", "no certificate in the PEM text"},
           Case{" \n\t", "no certificate in the PEM text"},
           Case{"garbage", "text that is not PEM before the first certificate"},
           Case{"garbage\n" + cert, "text that is not PEM before the first certificate"},
           Case{cert + "garbage", "text that is not PEM after certificate 1"},
           Case{cert + cert + "-----END CERTIFICATE-----\n",
                "text that is not PEM after certificate 2"},
           Case{cert + ca.key_pem,
                "certificate 2 is another kind of PEM block: -----BEGIN PRIVATE"},
           Case{truncated, "certificate 1 has no END CERTIFICATE line"},
           Case{damaged, "certificate 1: "},
           Case{"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                "certificate 1: not a DER X.509 certificate"},
       }) {
    auto r = split_pem_chain(c.pem);
    ASSERT_FALSE(r.ok()) << c.expected;
    EXPECT_EQ(r.error().code, Errc::kInvalidArgument) << r.error().message;
    EXPECT_NE(r.error().message.find(c.expected), std::string::npos) << r.error().message;
  }
}

TEST(VerifyIssuedBy, ServiceCertificateVerifiesAgainstItsCaOnly) {
  const std::int64_t now = now_unix_s();
  KeyPair ca = must_make_ca(now);
  KeyPair other_ca = must_make_ca(now);
  KeyPair svc = must_issue(ca, now);
  auto info = inspect_certificate(svc.cert_pem);
  ASSERT_TRUE(info.ok());

  EXPECT_TRUE(verify_issued_by(svc.cert_pem, ca.cert_pem, now).ok());
  // OpenSSL counts the notAfter second itself as expired (X509_cmp_time compares "<=").
  EXPECT_TRUE(verify_issued_by(svc.cert_pem, ca.cert_pem, info->not_after_unix_s - 1).ok());
  EXPECT_TRUE(verify_issued_by(svc.cert_pem, ca.cert_pem, info->not_before_unix_s).ok());
  EXPECT_TRUE(verify_issued_by(ca.cert_pem, ca.cert_pem, now).ok());
  expect_error(verify_issued_by(svc.cert_pem, other_ca.cert_pem, now), Errc::kInvalidArgument,
               "certificate 'node-1' does not verify against the CA: unable to get local issuer "
               "certificate");
  expect_error(verify_issued_by(svc.cert_pem, ca.cert_pem, info->not_after_unix_s + kDay),
               Errc::kInvalidArgument, "certificate has expired");
  expect_error(verify_issued_by(svc.cert_pem, ca.cert_pem, info->not_before_unix_s - kDay),
               Errc::kInvalidArgument, "certificate is not yet valid");
  // A CA in the trusted set that is not the issuer changes nothing.
  EXPECT_TRUE(verify_issued_by(svc.cert_pem, other_ca.cert_pem + ca.cert_pem, now).ok());
  // Nor does a leaf posing as a CA: a service certificate cannot issue.
  KeyPair leaf_as_ca{.key_pem = svc.key_pem, .cert_pem = svc.cert_pem};
  EXPECT_FALSE(issue_service_certificate("node-2", "ovnnb", leaf_as_ca.cert_pem, leaf_as_ca.key_pem,
                                         now, fixed_serial())
                   .ok());
  expect_error(verify_issued_by("garbage", ca.cert_pem, now), Errc::kInvalidArgument,
               "reading the certificate to verify");
  expect_error(verify_issued_by(svc.cert_pem, "garbage", now), Errc::kInvalidArgument,
               "reading the CA chain");
}

TEST(VerifyIssuedBy, ThroughAnIntermediateCa) {
  const std::int64_t now = now_unix_s();
  TwoLevelCa cas(now);
  KeyPair intermediate{.key_pem = key_pem(cas.intermediate_key.get()),
                       .cert_pem = cas.intermediate_pem};
  KeyPair svc = must_issue(intermediate, now);
  EXPECT_TRUE(verify_issued_by(svc.cert_pem, cas.chain(), now).ok());
  expect_error(verify_issued_by(svc.cert_pem, cas.root_pem, now), Errc::kInvalidArgument,
               "unable to get local issuer certificate");
}

TEST(KeyMatchesCertificate, TrueAndFalse) {
  const std::int64_t now = now_unix_s();
  KeyPair ca = must_make_ca(now);
  KeyPair svc = must_issue(ca, now);
  EXPECT_TRUE(key_matches_certificate(ca.key_pem, ca.cert_pem).ok());
  EXPECT_TRUE(key_matches_certificate(svc.key_pem, svc.cert_pem).ok());
  expect_error(key_matches_certificate(svc.key_pem, ca.cert_pem), Errc::kInvalidArgument,
               "the private key does not match the certificate 'MicroOVN CA'");
  expect_error(key_matches_certificate("garbage", ca.cert_pem), Errc::kInvalidArgument,
               "reading the private key");
  expect_error(key_matches_certificate(ca.key_pem, "garbage"), Errc::kInvalidArgument,
               "reading the certificate");
}

TEST(CheckCaBundle, AcceptsOurCaAndEveryKeyTypeAndEncoding) {
  const std::int64_t now = now_unix_s();
  KeyPair ca = must_make_ca(now);
  auto ours = check_ca_bundle(ca.cert_pem, ca.key_pem);
  EXPECT_TRUE(ours.ok()) << ours.error().message;
  for (const std::string type : {"RSA", "EC", "ED25519"}) {
    PkeyPtr key = generate_key(type);
    const std::string cert = ca_cert_for(key.get(), type, now);
    auto pkcs8 = check_ca_bundle(cert, key_pem(key.get()));
    EXPECT_TRUE(pkcs8.ok()) << type << ": " << pkcs8.error().message;
    if (type != "ED25519") {  // PKCS#1 (RSA) and SEC1 (EC)
      auto specific = check_ca_bundle(cert, key_pem(key.get(), "type-specific"));
      EXPECT_TRUE(specific.ok()) << type << ": " << specific.error().message;
    }
  }
}

TEST(CheckCaBundle, AcceptsAnIntermediateWithItsRoot) {
  TwoLevelCa cas(now_unix_s());
  auto r = check_ca_bundle(cas.chain(), key_pem(cas.intermediate_key.get()));
  EXPECT_TRUE(r.ok()) << r.error().message;
  expect_error(check_ca_bundle(cas.chain(), key_pem(cas.root_key.get())), Errc::kInvalidArgument,
               "the CA key does not match certificate 1 in the chain");
  expect_error(check_ca_bundle(cas.root_pem + cas.intermediate_pem, key_pem(cas.root_key.get())),
               Errc::kInvalidArgument, "certificate 1 in the chain is not issued by certificate 2");
}

TEST(CheckCaBundle, RefusesALeafPosingAsACa) {
  const std::int64_t now = now_unix_s();
  KeyPair ca = must_make_ca(now);
  KeyPair svc = must_issue(ca, now);
  expect_error(check_ca_bundle(svc.cert_pem, svc.key_pem), Errc::kInvalidArgument,
               "certificate 1 in the chain is not a CA with keyCertSign");
  expect_error(check_ca_bundle(ca.cert_pem + svc.cert_pem, ca.key_pem), Errc::kInvalidArgument,
               "certificate 2 in the chain is not a CA with keyCertSign");
}

TEST(CheckCaBundle, RefusesAKeyThatDoesNotMatchOrDoesNotParse) {
  const std::int64_t now = now_unix_s();
  KeyPair ca = must_make_ca(now);
  KeyPair other = must_make_ca(now);
  expect_error(check_ca_bundle(ca.cert_pem, other.key_pem), Errc::kInvalidArgument,
               "the CA key does not match certificate 1 in the chain");
  expect_error(check_ca_bundle(ca.cert_pem, "garbage"), Errc::kInvalidArgument,
               "reading the CA key");
  expect_error(check_ca_bundle(ca.cert_pem, ""), Errc::kInvalidArgument, "reading the CA key");
  expect_error(check_ca_bundle("", ca.key_pem), Errc::kInvalidArgument,
               "no certificate in the PEM text");
  PkeyPtr x25519(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"));
  expect_error(check_ca_bundle(ca.cert_pem, key_pem(x25519.get())), Errc::kInvalidArgument,
               "the CA key is a X25519 key; expected RSA, EC or Ed25519");
}

// The openssl command line agrees: the service certificate verifies against the CA for both TLS
// purposes.
TEST(OpensslCli, VerifiesAServiceCertificateAgainstItsCa) {
  if (std::system("command -v openssl >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "openssl is not on PATH";
  }
  TempDir tmp;
  const std::int64_t now = now_unix_s();
  KeyPair ca = must_make_ca(now - 60);
  KeyPair svc = must_issue(ca, now - 60);
  spit(tmp.path() / "ca.crt", ca.cert_pem, 0644);
  spit(tmp.path() / "svc.crt", svc.cert_pem, 0644);
  for (const char* purpose : {"sslserver", "sslclient"}) {
    const std::string out = (tmp.path() / (std::string(purpose) + ".out")).string();
    const std::string cmd = "cd '" + tmp.path().string() + "' && openssl verify -purpose " +
                            purpose + " -CAfile ca.crt svc.crt >'" + out + "' 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << slurp(out);
    EXPECT_EQ(slurp(out), "svc.crt: OK\n");
  }
  const std::string out = (tmp.path() / "other.out").string();
  KeyPair other = must_make_ca(now - 60);
  spit(tmp.path() / "other.crt", other.cert_pem, 0644);
  const std::string cmd = "cd '" + tmp.path().string() +
                          "' && openssl verify -CAfile other.crt svc.crt >'" + out + "' 2>&1";
  EXPECT_NE(std::system(cmd.c_str()), 0) << slurp(out);
}

}  // namespace
}  // namespace movn::pki
