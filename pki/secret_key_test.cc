#include "pki/secret_key.h"

#include <gtest/gtest.h>

#include "pki/test_util.h"

namespace movn::pki {
namespace {

using testing::listing;
using testing::mode_of;
using testing::slurp;
using testing::spit;
using testing::TempDir;

TEST(SecretKey, CreatesThirtyTwoBytesWithMode0600) {
  TempDir tmp;
  auto file = tmp.path() / "secret.key";
  auto key = ensure_secret_key(file);
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_EQ(key->size(), kSecretKeyBytes);
  EXPECT_EQ(mode_of(file), 0600u);
  EXPECT_EQ(slurp(file), *key);
  EXPECT_EQ(listing(tmp.path()), "secret.key ");
}

TEST(SecretKey, ReusesTheExistingKey) {
  TempDir tmp;
  auto file = tmp.path() / "secret.key";
  auto first = ensure_secret_key(file);
  auto second = ensure_secret_key(file);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*first, *second);

  // Two different members get different secrets.
  auto other = ensure_secret_key(tmp.path() / "other.key");
  ASSERT_TRUE(other.ok());
  EXPECT_NE(*first, *other);
}

TEST(SecretKey, RefusesWrongSizeAndLeavesTheFile) {
  TempDir tmp;
  for (std::size_t size : {0u, 31u, 33u, 5000u}) {
    auto file = tmp.path() / ("k" + std::to_string(size));
    const std::string bytes(size, 'x');
    spit(file, bytes, 0600);
    auto r = ensure_secret_key(file);
    ASSERT_FALSE(r.ok()) << size;
    EXPECT_EQ(r.error().code, Errc::kCorruption) << r.error().message;
    EXPECT_NE(r.error().message.find(file.string()), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find(std::to_string(size) + " bytes"), std::string::npos)
        << r.error().message;
    EXPECT_EQ(slurp(file), bytes);
  }
}

TEST(SecretKey, RefusesWrongModeNamingPathAndMode) {
  TempDir tmp;
  auto file = tmp.path() / "secret.key";
  ASSERT_TRUE(ensure_secret_key(file).ok());
  const std::string before = slurp(file);
  ASSERT_EQ(::chmod(file.c_str(), 0640), 0);
  auto r = ensure_secret_key(file);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kPermissionDenied);
  EXPECT_NE(r.error().message.find(file.string()), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("0640"), std::string::npos) << r.error().message;
  EXPECT_EQ(slurp(file), before);
  EXPECT_EQ(mode_of(file), 0640u);
}

TEST(SecretKey, MissingParentDirectoryIsAnError) {
  TempDir tmp;
  auto r = ensure_secret_key(tmp.path() / "absent" / "secret.key");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("absent"), std::string::npos) << r.error().message;
}

TEST(ClusterKey, StoredWithMode0600AndLoadedBack) {
  TempDir tmp;
  auto file = tmp.path() / std::string(kClusterKeyFile);
  auto none = load_cluster_key(file);
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_FALSE(none->has_value());
  const std::string key(32, '\x5a');
  ASSERT_TRUE(store_cluster_key(file, key).ok());
  EXPECT_EQ(mode_of(file), 0600u);
  auto loaded = load_cluster_key(file);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->value(), key);
  EXPECT_EQ(listing(tmp.path()), "cluster.key ");
}

TEST(ClusterKey, RefusesAWrongSizeOrAReadableFile) {
  TempDir tmp;
  auto file = tmp.path() / std::string(kClusterKeyFile);
  EXPECT_EQ(store_cluster_key(file, "short").error().code, Errc::kInvalidArgument);
  EXPECT_EQ(listing(tmp.path()), "");
  spit(file, std::string(31, 'k'), 0600);
  EXPECT_EQ(load_cluster_key(file).error().code, Errc::kCorruption);
  spit(file, std::string(32, 'k'), 0644);
  auto r = load_cluster_key(file);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kPermissionDenied);
  EXPECT_NE(r.error().message.find("cluster key"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace movn::pki
