#include "ovn/layout.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>

#include "tests/support/temp_dir.h"

namespace movn::ovn {
namespace {

mode_t mode_of(const std::filesystem::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return static_cast<mode_t>(-1);
  return st.st_mode & 07777;
}

TEST(Layout, FollowsUpstreamSnapCommonLayout) {
  auto l = make_layout("/var/lib/microovn");
  ASSERT_TRUE(l.ok()) << l.error().message;
  EXPECT_EQ(l->root, "/var/lib/microovn");
  EXPECT_EQ(l->central_db, "/var/lib/microovn/data/central/db");
  EXPECT_EQ(l->switch_conf, "/var/lib/microovn/data/switch");
  EXPECT_EQ(l->switch_db, "/var/lib/microovn/data/switch/db");
  EXPECT_EQ(l->ovn_sysconf, "/var/lib/microovn/data/ovn");
  EXPECT_EQ(l->pki, "/var/lib/microovn/data/pki");
  EXPECT_EQ(l->env, "/var/lib/microovn/data/env");
  EXPECT_EQ(l->logs, "/var/lib/microovn/logs");
  EXPECT_EQ(l->ovn_run, "/var/lib/microovn/run/ovn");
  EXPECT_EQ(l->switch_run, "/var/lib/microovn/run/switch");
  EXPECT_EQ(l->supervisor_run, "/var/lib/microovn/run/supervisor");
  EXPECT_EQ(l->nb_db(), "/var/lib/microovn/data/central/db/ovnnb_db.db");
  EXPECT_EQ(l->sb_db(), "/var/lib/microovn/data/central/db/ovnsb_db.db");
  EXPECT_EQ(l->switch_conf_db(), "/var/lib/microovn/data/switch/db/conf.db");
  EXPECT_EQ(l->env_file(), "/var/lib/microovn/data/env/ovn.env");
  EXPECT_EQ(l->switch_db_socket(), "/var/lib/microovn/run/switch/db.sock");
}

TEST(Layout, NormalisesTheRoot) {
  auto l = make_layout("/var/lib//microovn/./");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->root, "/var/lib/microovn");
  EXPECT_EQ(l->logs, "/var/lib/microovn/logs");
}

TEST(Layout, RefusesARelativeOrEmptyRoot) {
  for (const char* root : {"", "var/lib/microovn", "./x"}) {
    auto l = make_layout(root);
    ASSERT_FALSE(l.ok()) << root;
    EXPECT_EQ(l.error().code, Errc::kInvalidArgument);
    EXPECT_NE(l.error().message.find("absolute"), std::string::npos);
  }
}

TEST(Layout, EnvironmentPointsEveryDirectoryIntoTheLayout) {
  auto l = make_layout("/r").value();
  const std::vector<std::pair<std::string, std::string>> want = {
      {"OVN_RUNDIR", "/r/run/ovn"},        {"OVN_LOGDIR", "/r/logs"},
      {"OVN_DBDIR", "/r/data/central/db"}, {"OVN_SYSCONFDIR", "/r/data/ovn"},
      {"OVS_RUNDIR", "/r/run/switch"},     {"OVS_LOGDIR", "/r/logs"},
      {"OVS_DBDIR", "/r/data/switch/db"},  {"OVS_SYSCONFDIR", "/r/data/switch"},
  };
  EXPECT_EQ(ovn_environment(l), want);
}

TEST(Layout, ProcessEnvironmentInheritsNothing) {
  ASSERT_EQ(::setenv("MOVN_OVN_TEST_LEAK", "1", 1), 0);
  auto l = make_layout("/r").value();
  auto env = process_environment(l, "/opt/bin:/usr/bin");
  ::unsetenv("MOVN_OVN_TEST_LEAK");
  ASSERT_EQ(env.size(), 9u);
  EXPECT_EQ(env[0], "PATH=/opt/bin:/usr/bin");
  EXPECT_EQ(env[1], "OVN_RUNDIR=/r/run/ovn");
  EXPECT_EQ(env[5], "OVS_RUNDIR=/r/run/switch");
  EXPECT_TRUE(std::none_of(env.begin(), env.end(),
                           [](const std::string& e) { return e.starts_with("MOVN_"); }));
  EXPECT_EQ(process_environment(l)[0], std::string("PATH=") + kDefaultPath);
}

TEST(Layout, CreatesEveryDirectoryPrivateAndIsIdempotent) {
  testing::TempDir tmp;
  auto l = make_layout(tmp.path() / "microovn").value();
  ASSERT_TRUE(create_layout_directories(l).ok());
  for (const auto& dir : layout_directories(l)) {
    EXPECT_TRUE(std::filesystem::is_directory(dir)) << dir;
    EXPECT_EQ(mode_of(dir), 0700u) << dir;
  }
  ASSERT_EQ(::chmod(l.logs.c_str(), 0755), 0);
  auto again = create_layout_directories(l);
  EXPECT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(mode_of(l.logs), 0755u);  // an existing directory is left as it is
}

TEST(Layout, ParentsComeBeforeChildren) {
  auto dirs = layout_directories(make_layout("/r").value());
  for (std::size_t i = 0; i < dirs.size(); ++i) {
    for (std::size_t j = i + 1; j < dirs.size(); ++j) {
      EXPECT_FALSE(dirs[i].string().starts_with(dirs[j].string() + "/"))
          << dirs[i] << " before " << dirs[j];
    }
  }
}

TEST(Layout, AFileInTheWayIsANamedError) {
  testing::TempDir tmp;
  auto l = make_layout(tmp.path()).value();
  std::filesystem::create_directories(tmp.path() / "data");
  std::ofstream(tmp.path() / "data" / "pki") << "not a directory";
  auto r = create_layout_directories(l);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kFailedPrecondition);
  EXPECT_NE(r.error().message.find((tmp.path() / "data" / "pki").string()), std::string::npos);
}

TEST(Layout, AMissingParentOfTheRootIsAnError) {
  testing::TempDir tmp;
  auto l = make_layout(tmp.path() / "no" / "such" / "root").value();
  auto r = create_layout_directories(l);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kNotFound);
}

}  // namespace
}  // namespace movn::ovn
