// Replay and rebuild: a restart from a checkpoint and a full rebuild give identical digests, and
// a log with one event changed is caught by the hash chain.
#include <rocksdb/db.h>

#include <gtest/gtest.h>

#include <fstream>
#include <future>
#include <iterator>

#include <utility>
#include <boost/asio/io_context.hpp>

#include "daemon/host_seams.h"
#include "eventlog/codec.h"
#include "tests/support/temp_dir.h"

namespace movn::daemon {
namespace {
using movn::testing::TempDir;

struct Member {
  explicit Member(const std::filesystem::path& dir) {
    auto s = eventlog::Store::open(dir);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    store = std::move(s).value();
    host = std::make_unique<MemberHost>(*store, io, [](const Error& e) { FAIL() << e.message; });
    storage = &host->storage;
    node = &host->node;
  }
  ~Member() { storage->stop(); }
  // Runs one request to completion on this thread.
  Result<Outcome> run(const commands::Request& req, const std::string& id) {
    std::optional<Result<Outcome>> out;
    node->propose(req, RequestMeta{id, {"m1", "t"}}, [&](Result<Outcome> r) { out = std::move(r); });
    while (!out) io.run_one();
    io.poll();
    return std::move(*out);
  }
  // What a tick does in the daemon: the commit index of the last entries, which waits to ride
  // along with the next synced write, goes to the store without one.
  void settle() {
    node->tick();
    io.poll();
  }
  std::vector<std::string> digests() const {
    std::vector<std::string> d;
    for (const auto& p : node->applied().describe()) d.push_back(p.digest_hex);
    return d;
  }
  boost::asio::io_context io{1};
  // Keeps run_one() waiting for the storage thread's completions instead of returning at once.
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::unique_ptr<eventlog::Store> store;
  std::unique_ptr<MemberHost> host;
  StorageWorker* storage = nullptr;
  Node* node = nullptr;
};

void populate(Member& m, int n) {
  m.node->start();
  ASSERT_TRUE(m.run(commands::BootstrapRequest{"cid", "m1", "127.0.0.1", std::string(64, 'f'), "pem"}, "b").ok());
  for (int i = 0; i < n; ++i) {
    std::string name = "t" + std::to_string(i);
    ASSERT_TRUE(m.run(commands::IssueTokenRequest{name, std::string(32, 's'), 60000}, "i" + std::to_string(i)).ok());
    if (i % 3 == 0) {
      ASSERT_TRUE(m.run(commands::RevokeTokenRequest{name}, "r" + std::to_string(i)).ok());
    }
    ASSERT_TRUE(m.run(commands::SetConfigRequest{"ovn.central-ips", "127.0.0." + std::to_string(i % 200 + 1)},
                      "c" + std::to_string(i)).ok());
  }
}

TEST(Rebuild, CheckpointRestartAndFullRebuildGiveIdenticalDigests) {
  TempDir dir;
  std::vector<std::string> before;
  {
    Member m(dir / "store");
    ASSERT_TRUE(m.host->load().ok());
    populate(m, 300);
    before = m.digests();
    m.node->checkpoint();
    m.storage->stop();
  }
  {
    Member m(dir / "store");
    ASSERT_TRUE(m.host->load().ok());
    EXPECT_TRUE(m.node->loaded_from_checkpoint());
    EXPECT_EQ(m.node->entries_replayed(), 0u);
    EXPECT_EQ(m.digests(), before);
  }
  {
    Member m(dir / "store");
    ASSERT_TRUE(m.host->load(/*rebuild=*/true).ok());
    EXPECT_FALSE(m.node->loaded_from_checkpoint());
    EXPECT_EQ(m.node->entries_replayed(), m.store->last_index().value);
    EXPECT_EQ(m.digests(), before);
  }
}

TEST(Rebuild, TailAfterACheckpointIsReplayed) {
  TempDir dir;
  std::vector<std::string> before;
  {
    Member m(dir / "store");
    ASSERT_TRUE(m.host->load().ok());
    populate(m, 10);
    m.node->checkpoint();
    m.io.poll();
    ASSERT_TRUE(m.run(commands::SetConfigRequest{"ovn.central-ips", "10.9.9.9"}, "tail-1").ok());
    ASSERT_TRUE(m.run(commands::IssueTokenRequest{"late", std::string(32, 's'), 60000}, "tail-2").ok());
    m.settle();
    before = m.digests();
  }  // no checkpoint at "shutdown": the two tail entries exist only in the log
  Member m(dir / "store");
  ASSERT_TRUE(m.host->load().ok());
  EXPECT_TRUE(m.node->loaded_from_checkpoint());
  EXPECT_EQ(m.node->entries_replayed(), 2u);
  EXPECT_EQ(m.digests(), before);
  EXPECT_EQ(m.node->applied().config().get("ovn.central-ips"), "10.9.9.9");
}

TEST(Rebuild, OneChangedEventIsDetectedByTheHashChain) {
  TempDir dir;
  {
    Member m(dir / "store");
    ASSERT_TRUE(m.host->load().ok());
    populate(m, 20);
  }
  // Change one event in place, behind the store's back, keeping the entry well-formed.
  {
    rocksdb::DB* raw = nullptr;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const char* n : {"default", "meta", "log", "chain", "checkpoints"})
      cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> hs;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), (dir / "store").string(), cfs, &hs, &raw).ok());
    std::string key(8, '\0');
    key[7] = 10;
    std::string value;
    ASSERT_TRUE(raw->Get(rocksdb::ReadOptions(), hs[2], key, &value).ok());
    auto batch = eventlog::decode_batch(value.substr(10));
    ASSERT_TRUE(batch.ok());
    batch->actor.os_user = "mallory";
    value = value.substr(0, 10) + eventlog::encode_batch(*batch);
    ASSERT_TRUE(raw->Put(rocksdb::WriteOptions(), hs[2], key, value).ok());
    for (auto* h : hs) raw->DestroyColumnFamilyHandle(h);
    delete raw;
  }
  Member m(dir / "store");
  auto r = m.host->load(/*rebuild=*/true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kCorruption);
  EXPECT_NE(r.error().message.find("index 10"), std::string::npos) << r.error().message;
}

std::string read_regression(const std::string& name) {
  std::ifstream f(std::string(MOVN_FUZZ_DIR) + "/regressions/event_batch/" + name, std::ios::binary);
  EXPECT_TRUE(f.good()) << name;
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// A committed entry that does not decode (from a damaged disk or, later, a faulty peer) used to
// crash the daemon at every start (SIGSEGV) or wedge it (invalid UTF-8). Now the load stops with
// an error that names the store and the entry, and nothing is changed.
TEST(Rebuild, ACommittedEntryThatDoesNotDecodeIsNamed) {
  for (const char* name : {"null_union.bin", "bad_utf8_config.bin"}) {
    SCOPED_TRACE(name);
    TempDir dir;
    LogIndex bad;
    {
      Member m(dir / "store");
      ASSERT_TRUE(m.host->load().ok());
      populate(m, 2);
      m.storage->stop();
      bad = m.store->last_index().next();
      auto hs = m.store->hard_state();
      hs.commit = bad;
      std::vector<eventlog::Entry> damaged{
          eventlog::Entry{bad, hs.term, eventlog::EntryType::kEventBatch, read_regression(name)}};
      ASSERT_TRUE(m.store->write(damaged, hs, true, std::nullopt).ok());
    }
    for (bool rebuild : {false, true}) {
      Member m(dir / "store");
      auto r = m.host->load(rebuild);
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().code, Errc::kCorruption);
      EXPECT_NE(r.error().message.find("entry " + std::to_string(bad.value)), std::string::npos) << r.error().message;
      EXPECT_EQ(m.store->last_index(), bad);  // nothing dropped
    }
  }
}

// Without a tick after the last write (a crash), the store's commit index lags the log by the
// last entry: replay stops before it, and the member applies it again once it leads (its Raft
// commits it anew), with the same result.
TEST(Rebuild, AnEntryWhoseCommitIndexWasNotStoredIsAppliedOnceTheMemberLeads) {
  TempDir dir;
  std::vector<std::string> before;
  LogIndex last;
  {
    Member m(dir / "store");
    ASSERT_TRUE(m.host->load().ok());
    populate(m, 3);
    ASSERT_TRUE(m.run(commands::SetConfigRequest{"ovn.central-ips", "10.9.9.9"}, "tail").ok());
    before = m.digests();
    last = m.node->applied().applied_index();
  }
  Member m(dir / "store");
  ASSERT_TRUE(m.host->load().ok());
  EXPECT_EQ(m.store->last_index(), last);
  EXPECT_LT(m.node->applied().applied_index(), last);
  EXPECT_NE(m.node->applied().config().get("ovn.central-ips"), "10.9.9.9");
  bool ready = false;
  m.node->start([&] { ready = true; });
  while (!ready) m.io.run_one();
  EXPECT_GT(m.node->applied().applied_index(), last);  // its no-op follows
  EXPECT_EQ(m.node->applied().config().get("ovn.central-ips"), "10.9.9.9");
  auto now = m.digests();
  ASSERT_EQ(now.size(), before.size());
  // The membership, the configuration and the rest: as before (the request window's digest
  // differs only by the no-op, which it does not record).
  EXPECT_EQ(now, before);
}

// A checkpoint nested a million levels deep used to overflow the stack at start. It is a damaged
// checkpoint like any other now: ignored, and the log is replayed.
TEST(Rebuild, ADeeplyNestedCheckpointFallsBackToReplay) {
  TempDir dir;
  std::vector<std::string> before;
  {
    Member m(dir / "store");
    ASSERT_TRUE(m.host->load().ok());
    populate(m, 5);
    m.settle();
    before = m.digests();
    m.storage->stop();
    std::ifstream f(std::string(MOVN_FUZZ_DIR) + "/regressions/checkpoint/nested_1m_arrays.cbor", std::ios::binary);
    std::string deep((std::istreambuf_iterator<char>(f)), {});
    ASSERT_EQ(deep.size(), 1'000'001u);
    ASSERT_TRUE(m.store->put_checkpoint(Node::kCheckpointName, deep).ok());
  }
  Member m(dir / "store");
  ASSERT_TRUE(m.host->load().ok());
  EXPECT_FALSE(m.node->loaded_from_checkpoint());
  EXPECT_EQ(m.digests(), before);
}

}  // namespace
}  // namespace movn::daemon
