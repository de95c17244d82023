#include "pki/cluster_ca.h"

#include <gtest/gtest.h>

#include <ctime>

#include "pki/random.h"

namespace movn::pki {
namespace {

const std::string kKey(32, '\x42');

TEST(ClusterCa, GeneratedSealedAndOpenedWithTheClusterKey) {
  const std::int64_t now = std::time(nullptr);
  auto ca = generate_sealed_ca(now, kKey);
  ASSERT_TRUE(ca.ok()) << ca.error().message;
  auto info = inspect_certificate(ca->certificate);
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->subject_cn, "MicroOVN CA");
  EXPECT_TRUE(info->is_ca);
  EXPECT_EQ(ca->fingerprint, info->fingerprint_hex);
  EXPECT_EQ(ca->not_after_ms, static_cast<std::uint64_t>(info->not_after_unix_s) * 1000);
  EXPECT_EQ(info->not_after_unix_s - info->not_before_unix_s, kCaValidityDays * 86400);
  // Nothing of the key is readable in what the log keeps.
  EXPECT_EQ(ca->sealed_key.find("PRIVATE KEY"), std::string::npos);
  auto key = open_ca_key(*ca, kKey);
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_NE(key->find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
  EXPECT_TRUE(key_matches_certificate(*key, ca->certificate).ok());
  EXPECT_EQ(ca->sealed_key.find(*key), std::string::npos);
}

TEST(ClusterCa, AnotherClusterKeyOrAnotherCertificateDoesNotOpenIt) {
  auto ca = generate_sealed_ca(std::time(nullptr), kKey);
  ASSERT_TRUE(ca.ok()) << ca.error().message;
  auto wrong = open_ca_key(*ca, std::string(32, '\x43'));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, Errc::kCorruption);
  // The sealed key belongs to its certificate: paired with another one it does not open.
  auto other = generate_sealed_ca(std::time(nullptr), kKey);
  ASSERT_TRUE(other.ok());
  auto swapped = *other;
  swapped.sealed_key = ca->sealed_key;
  EXPECT_EQ(open_ca_key(swapped, kKey).error().code, Errc::kCorruption);
  auto damaged = *ca;
  damaged.sealed_key[damaged.sealed_key.size() / 2] ^= 1;
  EXPECT_EQ(open_ca_key(damaged, kKey).error().code, Errc::kCorruption);
}

TEST(ClusterCa, SealingRefusesAKeyThatIsNotTheCertificatesOrABadClusterKey) {
  const std::int64_t now = std::time(nullptr);
  auto a = make_ca(now, *random_serial());
  auto b = make_ca(now, *random_serial());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(seal_ca(KeyPair{b->key_pem, a->cert_pem}, kKey).error().code, Errc::kInvalidArgument);
  EXPECT_EQ(seal_ca(*a, "short").error().code, Errc::kInvalidArgument);
  EXPECT_TRUE(seal_ca(*a, kKey).ok());
}

}  // namespace
}  // namespace movn::pki
