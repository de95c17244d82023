#include "pki/service_files.h"

#include <gtest/gtest.h>

#include <ctime>

#include "pki/random.h"
#include "pki/test_util.h"

namespace movn::pki {
namespace {

using testing::listing;
using testing::mode_of;
using testing::slurp;
using testing::spit;
using testing::TempDir;

struct Ca {
  KeyPair pair;
  explicit Ca(std::int64_t now) {
    auto ca = make_ca(now, *random_serial());
    EXPECT_TRUE(ca.ok());
    pair = *ca;
  }
};

TEST(ServiceFiles, IssuedFilesAreMode0600AndUsableUntilTheCaChanges) {
  TempDir tmp;
  const auto dir = tmp.path() / "data" / "pki";
  const std::int64_t now = std::time(nullptr);
  Ca ca(now);
  ASSERT_TRUE(write_ca_file(dir, ca.pair.cert_pem).ok());
  EXPECT_EQ(mode_of(tmp.path() / "data"), 0700u);
  auto issued = issue_service_files(dir, "movn1", "ovnnb", ca.pair.cert_pem, ca.pair.key_pem, now);
  ASSERT_TRUE(issued.ok()) << issued.error().message;
  EXPECT_EQ(issued->info.subject_cn, "movn1");
  EXPECT_EQ(issued->info.organizational_unit, "ovnnb");
  EXPECT_EQ(mode_of(dir), 0700u);
  EXPECT_EQ(listing(dir), "cacert.pem ovnnb-cert.pem ovnnb-privkey.pem ");
  for (const char* f : {"cacert.pem", "ovnnb-cert.pem", "ovnnb-privkey.pem"}) EXPECT_EQ(mode_of(dir / f), 0600u) << f;
  EXPECT_EQ(slurp(dir / "cacert.pem"), ca.pair.cert_pem);
  EXPECT_TRUE(key_matches_certificate(slurp(dir / "ovnnb-privkey.pem"), slurp(dir / "ovnnb-cert.pem")).ok());

  auto usable = usable_service_certificate(dir, "movn1", "ovnnb", ca.pair.cert_pem, now);
  ASSERT_TRUE(usable.ok()) << usable.error().message;
  ASSERT_TRUE(usable->has_value());
  EXPECT_EQ((*usable)->info.fingerprint_hex, issued->info.fingerprint_hex);
  // Another CA: not usable (reissue); nor after expiry; nor a service with no files.
  Ca other(now);
  EXPECT_FALSE(usable_service_certificate(dir, "movn1", "ovnnb", other.pair.cert_pem, now)->has_value());
  EXPECT_FALSE(usable_service_certificate(dir, "movn1", "ovnnb", ca.pair.cert_pem, issued->info.not_after_unix_s + 86400)
                   ->has_value());
  EXPECT_FALSE(usable_service_certificate(dir, "movn1", "ovnsb", ca.pair.cert_pem, now)->has_value());
  // Another member's certificate (a data/pki shared by mistake) is not this one's.
  EXPECT_FALSE(usable_service_certificate(dir, "movn2", "ovnnb", ca.pair.cert_pem, now)->has_value());
  // Nor is another service's certificate under this service's name.
  std::filesystem::copy_file(dir / "ovnnb-cert.pem", dir / "client-cert.pem");
  std::filesystem::copy_file(dir / "ovnnb-privkey.pem", dir / "client-privkey.pem");
  EXPECT_FALSE(usable_service_certificate(dir, "movn1", "client", ca.pair.cert_pem, now)->has_value());
}

TEST(ServiceFiles, AKeyThatDoesNotMatchOrAReadableFileIsNotUsable) {
  TempDir tmp;
  const auto dir = tmp.path() / "pki";
  const std::int64_t now = std::time(nullptr);
  Ca ca(now);
  ASSERT_TRUE(issue_service_files(dir, "movn1", "client", ca.pair.cert_pem, ca.pair.key_pem, now).ok());
  ASSERT_TRUE(issue_service_files(dir, "movn1", "ovnsb", ca.pair.cert_pem, ca.pair.key_pem, now).ok());
  // The key of another service next to this certificate.
  spit(dir / "client-privkey.pem", slurp(dir / "ovnsb-privkey.pem"), 0600);
  EXPECT_FALSE(usable_service_certificate(dir, "movn1", "client", ca.pair.cert_pem, now)->has_value());
  // A key others can read is not used: it is reissued.
  ASSERT_TRUE(issue_service_files(dir, "movn1", "client", ca.pair.cert_pem, ca.pair.key_pem, now).ok());
  ASSERT_TRUE(usable_service_certificate(dir, "movn1", "client", ca.pair.cert_pem, now)->has_value());
  spit(dir / "client-privkey.pem", slurp(dir / "client-privkey.pem"), 0644);
  EXPECT_FALSE(usable_service_certificate(dir, "movn1", "client", ca.pair.cert_pem, now)->has_value());
}

TEST(ServiceFiles, TheCaFileIsRewrittenOnlyWhenItChanges) {
  TempDir tmp;
  const auto dir = tmp.path() / "pki";
  const std::int64_t now = std::time(nullptr);
  Ca a(now), b(now);
  ASSERT_TRUE(write_ca_file(dir, a.pair.cert_pem).ok());
  const auto before = std::filesystem::last_write_time(dir / "cacert.pem");
  ASSERT_TRUE(write_ca_file(dir, a.pair.cert_pem).ok());
  EXPECT_EQ(std::filesystem::last_write_time(dir / "cacert.pem"), before);
  ASSERT_TRUE(write_ca_file(dir, b.pair.cert_pem).ok());
  EXPECT_EQ(slurp(dir / "cacert.pem"), b.pair.cert_pem);
  EXPECT_EQ(mode_of(dir / "cacert.pem"), 0600u);
  EXPECT_EQ(listing(dir), "cacert.pem ");
}

}  // namespace
}  // namespace movn::pki
