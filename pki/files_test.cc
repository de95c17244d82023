#include "pki/files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "pki/test_util.h"

namespace movn::pki {
namespace {

using testing::listing;
using testing::mode_of;
using testing::slurp;
using testing::spit;
using testing::TempDir;

// Restores the process umask when a test ends.
class UmaskGuard {
 public:
  explicit UmaskGuard(mode_t m) : old_(::umask(m)) {}
  ~UmaskGuard() { ::umask(old_); }

 private:
  mode_t old_;
};

TEST(WriteFileAtomic, CreatesWithExactModeWhateverTheUmask) {
  TempDir tmp;
  UmaskGuard guard(077);
  auto p = tmp.path() / "pub.crt";
  ASSERT_TRUE(write_file_atomic(p, "hello", 0644).ok());
  EXPECT_EQ(mode_of(p), 0644u);
  EXPECT_EQ(slurp(p), "hello");
  auto q = tmp.path() / "priv.key";
  ASSERT_TRUE(write_file_atomic(q, "secret", 0600).ok());
  EXPECT_EQ(mode_of(q), 0600u);
}

TEST(WriteFileAtomic, ReplacesContentAndModeAndLeavesNoTempFile) {
  TempDir tmp;
  auto p = tmp.path() / "f";
  spit(p, "old content that is longer", 0644);
  ASSERT_TRUE(write_file_atomic(p, "new", 0600).ok());
  EXPECT_EQ(slurp(p), "new");
  EXPECT_EQ(mode_of(p), 0600u);
  EXPECT_EQ(listing(tmp.path()), "f ");
}

TEST(WriteFileAtomic, MissingDirectoryIsAnErrorNamingThePath) {
  TempDir tmp;
  auto p = tmp.path() / "nope" / "f";
  auto r = write_file_atomic(p, "x", 0600);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kNotFound);
  EXPECT_NE(r.error().message.find(p.string()), std::string::npos) << r.error().message;
}

TEST(ReadFile, ChecksModeAndBoundAndExistence) {
  TempDir tmp;
  auto p = tmp.path() / "k";
  spit(p, "0123456789", 0644);

  auto ok = read_file(p, 10);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(*ok, "0123456789");

  auto wrong_mode = read_file(p, 10, 0600);
  ASSERT_FALSE(wrong_mode.ok());
  EXPECT_EQ(wrong_mode.error().code, Errc::kPermissionDenied);
  EXPECT_NE(wrong_mode.error().message.find(p.string()), std::string::npos);
  EXPECT_NE(wrong_mode.error().message.find("0644"), std::string::npos)
      << wrong_mode.error().message;

  auto too_big = read_file(p, 9);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code, Errc::kTooLarge);

  auto missing = read_file(tmp.path() / "absent", 10);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::kNotFound);

  auto dir = read_file(tmp.path(), 10);
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.error().code, Errc::kFailedPrecondition);
}

TEST(EnsurePrivateDir, CreatesWithMode0700AndAcceptsExisting) {
  TempDir tmp;
  UmaskGuard guard(0);
  auto d = tmp.path() / "identity";
  ASSERT_TRUE(ensure_private_dir(d).ok());
  EXPECT_EQ(mode_of(d), 0700u);
  ASSERT_TRUE(ensure_private_dir(d).ok());

  auto f = tmp.path() / "file";
  spit(f, "x", 0600);
  auto r = ensure_private_dir(f);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("not a directory"), std::string::npos);
}

TEST(RemoveStaleTempFiles, RemovesOnlyThatFilesTemps) {
  TempDir tmp;
  spit(tmp.path() / "server.key", "k", 0600);
  spit(tmp.path() / ".server.key.tmp-0011223344556677", "partial", 0600);
  spit(tmp.path() / ".server.crt.tmp-0011223344556677", "other", 0600);
  ASSERT_TRUE(remove_stale_temp_files(tmp.path() / "server.key").ok());
  EXPECT_EQ(listing(tmp.path()), ".server.crt.tmp-0011223344556677 server.key ");
}

TEST(RenameAndRemoveDurable, MoveAndDelete) {
  TempDir tmp;
  spit(tmp.path() / "a", "x", 0600);
  ASSERT_TRUE(rename_durable(tmp.path() / "a", tmp.path() / "b").ok());
  EXPECT_EQ(listing(tmp.path()), "b ");
  ASSERT_TRUE(remove_durable(tmp.path() / "b").ok());
  ASSERT_TRUE(remove_durable(tmp.path() / "b").ok());  // already gone is fine
  EXPECT_EQ(listing(tmp.path()), "");
}

}  // namespace
}  // namespace movn::pki
