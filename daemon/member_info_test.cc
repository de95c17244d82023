// The member's records on disk and the move of a removed member's state into a backup.
#include "daemon/member_info.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "tests/support/temp_dir.h"

namespace movn::daemon {
namespace {
using movn::testing::TempDir;
namespace fs = std::filesystem;

void touch(const fs::path& p, const std::string& text = "x") {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

TEST(MemberInfo, JoiningRecordRoundTripsAndRefusesDamage) {
  TempDir dir;
  const auto file = dir / "joining.json";
  EXPECT_FALSE(read_joining_record(file)->has_value());
  const std::map<std::string, std::string> pins{{"127.0.0.1:7001", std::string(64, 'a')}};
  ASSERT_TRUE(write_joining_record(file, JoiningRecord{"m2", "127.0.0.1:7000", 3, pins}).ok());
  auto back = read_joining_record(file);
  ASSERT_TRUE(back.ok() && back->has_value());
  EXPECT_EQ((*back)->name, "m2");
  EXPECT_EQ((*back)->address, "127.0.0.1:7000");
  EXPECT_EQ((*back)->raft_id, 3u);
  EXPECT_EQ((*back)->pins, pins);
  const std::string fp(64, 'b');
  for (const std::string& bad :
       {std::string("{"), std::string(R"({"name":"m2","address":"127.0.0.1:7000"})"),
        R"({"name":"m2","address":"127.0.0.1:7000","raft_id":0,"pins":{"127.0.0.1:1":")" + fp + R"("}})",
        R"({"name":"m 2","address":"127.0.0.1:7000","raft_id":3,"pins":{"127.0.0.1:1":")" + fp + R"("}})",
        R"({"name":"m2","address":"nowhere","raft_id":3,"pins":{"127.0.0.1:1":")" + fp + R"("}})",
        std::string(R"({"name":"m2","address":"127.0.0.1:7000","raft_id":3,"pins":{}})"),
        std::string(R"({"name":"m2","address":"127.0.0.1:7000","raft_id":3,"pins":{"127.0.0.1:1":"xyz"}})"),
        R"({"name":"m2","address":"127.0.0.1:7000","raft_id":3,"pins":{"here":")" + fp + R"("}})"}) {
    touch(file, bad);
    auto r = read_joining_record(file);
    ASSERT_FALSE(r.ok()) << bad;
  }
}

TEST(MemberInfo, RetiringMovesTheMemberStateIntoABackupAndKeepsTheRest) {
  TempDir dir;
  const auto state = dir / "state";
  touch(state / "store" / "CURRENT", "MANIFEST-1");
  touch(state / "identity" / "server.key", "key");
  touch(state / "daemon.json", "{}");
  touch(state / "other", "kept");
  touch(dir / "data" / "pki" / "client-privkey.pem", "service key");
  touch(dir / "data" / "env" / "ovn.env", "env");
  touch(dir / "data" / "central" / "db" / "ovnnb_db.db", "nb");
  touch(dir / "logs" / "ovn-northd.log", "log");
  touch(dir / "run" / "ovn" / "ovn-northd.pid", "kept");
  EXPECT_EQ(member_data_dir(state), fs::absolute(dir / "data"));
  EXPECT_EQ(member_data_dir(state.string() + "/"), fs::absolute(dir / "data"));
  auto backup = retire_member_state(state, 1700000000);
  ASSERT_TRUE(backup.ok()) << backup.error().message;
  EXPECT_EQ(*backup, fs::absolute(dir / "backup_1700000000"));
  EXPECT_TRUE(fs::exists(*backup / "state" / "store" / "CURRENT"));
  EXPECT_TRUE(fs::exists(*backup / "state" / "identity" / "server.key"));
  EXPECT_TRUE(fs::exists(*backup / "state" / "daemon.json"));
  EXPECT_FALSE(fs::exists(state / "store"));
  EXPECT_FALSE(fs::exists(state / "identity"));
  EXPECT_FALSE(fs::exists(state / "daemon.json"));
  EXPECT_TRUE(fs::exists(state / "other"));
  // The member's OVN goes with it: data/ (certificates, databases, ovn.env) and logs/.
  EXPECT_TRUE(fs::exists(*backup / "data" / "pki" / "client-privkey.pem"));
  EXPECT_TRUE(fs::exists(*backup / "data" / "central" / "db" / "ovnnb_db.db"));
  EXPECT_TRUE(fs::exists(*backup / "data" / "env" / "ovn.env"));
  EXPECT_TRUE(fs::exists(*backup / "logs" / "ovn-northd.log"));
  EXPECT_FALSE(fs::exists(dir / "data"));
  EXPECT_FALSE(fs::exists(dir / "logs"));
  EXPECT_TRUE(fs::exists(dir / "run" / "ovn" / "ovn-northd.pid"));
  struct stat st{};
  ASSERT_EQ(::stat(backup->c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0750u);

  // A second removal in the same second gets its own directory.
  touch(state / "daemon.json", "{}");
  auto again = retire_member_state(state, 1700000000);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->filename(), "backup_1700000000.1");
  EXPECT_TRUE(fs::exists(*again / "state" / "daemon.json"));
  EXPECT_TRUE(fs::exists(*backup / "state" / "daemon.json"));
}

}  // namespace
}  // namespace movn::daemon
