// The Raft host loop on the real store: the log reader the core reads through, the combined
// entries + hard state write, and restarts that find durable entries the stored commit index does
// not cover (they are committed again by the new leader's no-op, then applied).
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include <utility>
#include <boost/asio/io_context.hpp>

#include "daemon/committed_config.h"
#include "daemon/host_seams.h"
#include "daemon/raft_log_reader.h"
#include "tests/support/temp_dir.h"

namespace movn::daemon {
namespace {
using movn::testing::TempDir;

eventlog::Entry entry(std::uint64_t index, std::uint64_t term, std::string data = "x") {
  return eventlog::Entry{LogIndex(index), Term(term), eventlog::EntryType::kEventBatch, std::move(data)};
}

std::unique_ptr<eventlog::Store> open_store(const std::filesystem::path& dir) {
  auto s = eventlog::Store::open(dir);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return std::move(s).value();
}

TEST(StoreWrite, EntriesAndHardStateLandTogetherAndSurviveAReopen) {
  TempDir dir;
  {
    auto store = open_store(dir / "store");
    std::vector<eventlog::Entry> es{entry(1, 1), entry(2, 1), entry(3, 2)};
    eventlog::HardState hs{Term(2), NodeId(1), LogIndex(2)};
    ASSERT_TRUE(store->write(es, hs, true).ok());
    EXPECT_EQ(store->last_index(), LogIndex(3));
    EXPECT_EQ(store->hard_state(), hs);
    // Replacing from index 2 drops index 3; a hard state alone leaves the entries.
    std::vector<eventlog::Entry> replace{entry(2, 3, "y")};
    ASSERT_TRUE(store->write(replace, std::nullopt, true).ok());
    ASSERT_TRUE(store->write({}, eventlog::HardState{Term(3), std::nullopt, LogIndex(1)}, false).ok());
    EXPECT_EQ(store->last_index(), LogIndex(2));
  }
  auto store = open_store(dir / "store");
  EXPECT_EQ(store->last_index(), LogIndex(2));
  EXPECT_EQ(store->hard_state(), (eventlog::HardState{Term(3), std::nullopt, LogIndex(1)}));
  auto e = store->entry(LogIndex(2));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->data, "y");
  EXPECT_EQ(e->term, Term(3));
  // A gap is refused and changes nothing.
  std::vector<eventlog::Entry> gap{entry(5, 3)};
  EXPECT_FALSE(store->write(gap, eventlog::HardState{Term(9), std::nullopt, LogIndex(0)}, true).ok());
  EXPECT_EQ(store->hard_state().term, Term(3));
}

TEST(StoreLogReader, ReadsTermsAndEntriesFromTheStoreAndFollowsPersistedWrites) {
  TempDir dir;
  auto store = open_store(dir / "store");
  // More entries than the reader keeps terms for, so both paths are read.
  const std::uint64_t n = StoreLogReader::kRecentTerms + 500;
  std::vector<eventlog::Entry> es;
  for (std::uint64_t i = 1; i <= n; ++i) es.push_back(entry(i, 1 + i / 1000, std::string(100, 'a')));
  ASSERT_TRUE(store->append(es).ok());
  int failures = 0;
  StoreLogReader reader(*store, [&](const Error&) { ++failures; });
  EXPECT_EQ(reader.last_index(), LogIndex(n));
  for (std::uint64_t i : {std::uint64_t{1}, std::uint64_t{999}, std::uint64_t{1000}, n - 1, n})
    EXPECT_EQ(reader.term(LogIndex(i)), Term(1 + i / 1000)) << i;
  EXPECT_EQ(reader.term(LogIndex(0)), Term(0));
  EXPECT_EQ(reader.term(LogIndex(n + 1)), Term(0));

  // The byte limit stops a read, but never before the first entry.
  std::vector<raft::Entry> out;
  reader.entries(LogIndex(10), LogIndex(20), 3 * raft::entry_bytes(es[0]), out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out.front().index, LogIndex(10));
  out.clear();
  reader.entries(LogIndex(10), LogIndex(20), 1, out);
  EXPECT_EQ(out.size(), 1u);
  out.clear();
  reader.entries(LogIndex(1), LogIndex(n + 1), ~0ULL, out);
  EXPECT_EQ(out.size(), n);

  // A write that replaced the tail: the reader answers from it, not from what was there before.
  std::vector<eventlog::Entry> tail{entry(n - 2, 50), entry(n - 1, 50)};
  ASSERT_TRUE(store->write(tail, std::nullopt, true).ok());
  reader.persisted(tail);
  EXPECT_EQ(reader.last_index(), LogIndex(n - 1));
  EXPECT_EQ(reader.term(LogIndex(n - 2)), Term(50));
  EXPECT_EQ(reader.term(LogIndex(n - 3)), Term(1 + (n - 3) / 1000));
  EXPECT_EQ(reader.term(LogIndex(n)), Term(0));
  EXPECT_EQ(failures, 0);
}

TEST(StoreLogReader, AMissingEntryIsAFailureNotACrash) {
  TempDir dir;
  auto store = open_store(dir / "store");
  std::vector<eventlog::Entry> es{entry(1, 1), entry(2, 1), entry(3, 1)};
  ASSERT_TRUE(store->append(es).ok());
  std::vector<Error> failures;
  StoreLogReader reader(*store, [&](const Error& e) { failures.push_back(e); });
  // The reader believes in an index the store does not have (as after a damaged store).
  std::vector<eventlog::Entry> claimed{entry(4, 1), entry(5, 1)};
  reader.persisted(claimed);
  std::vector<raft::Entry> out;
  reader.entries(LogIndex(3), LogIndex(6), ~0ULL, out);
  ASSERT_FALSE(failures.empty());
  EXPECT_NE(failures.front().message.find("missing entry 4"), std::string::npos) << failures.front().message;
}

// The newest entries written are kept in memory (cached_from), up to kRecentBytes of them.
TEST(StoreLogReader, KeepsTheNewestEntriesInMemoryWithinItsByteBound) {
  TempDir dir;
  auto store = open_store(dir / "store");
  std::vector<eventlog::Entry> first{entry(1, 1), entry(2, 1)};
  ASSERT_TRUE(store->append(first).ok());
  StoreLogReader reader(*store, [](const Error& e) { FAIL() << e.message; });
  EXPECT_EQ(reader.cached_from(), LogIndex(3));  // nothing read into memory at start
  std::vector<eventlog::Entry> more{entry(3, 2, "c"), entry(4, 2, "d")};
  ASSERT_TRUE(store->write(more, std::nullopt, true).ok());
  reader.persisted(more);
  EXPECT_EQ(reader.cached_from(), LogIndex(3));
  std::vector<raft::Entry> out;
  reader.entries(LogIndex(3), LogIndex(5), ~0ULL, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].data, "d");
  // A write replacing index 4 replaces it in memory too.
  std::vector<eventlog::Entry> replace{entry(4, 3, "D"), entry(5, 3, "E")};
  ASSERT_TRUE(store->write(replace, std::nullopt, true).ok());
  reader.persisted(replace);
  out.clear();
  reader.entries(LogIndex(3), LogIndex(6), ~0ULL, out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[1].data, "D");
  EXPECT_EQ(out[1].term, Term(3));
  // Large entries: the memory keeps the newest within the bound; older ones come from the store.
  std::vector<eventlog::Entry> big;
  const std::uint64_t each = 256 << 10;
  const std::uint64_t count = 2 * StoreLogReader::kRecentBytes / each;
  for (std::uint64_t i = 6; i < 6 + count; ++i) big.push_back(entry(i, 3, std::string(each, 'x')));
  ASSERT_TRUE(store->write(big, std::nullopt, true).ok());
  reader.persisted(big);
  const LogIndex cached = reader.cached_from();
  EXPECT_GT(cached, LogIndex(6 + count / 3));
  EXPECT_LT(cached, LogIndex(6 + count - 1));
  out.clear();
  reader.entries(LogIndex(4), LogIndex(8), ~0ULL, out);  // from the store
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].data, "D");
}

// A catch-up read runs on the storage thread and answers on the core thread (the io_context);
// a store that cannot answer gives an error, not a crash.
TEST(StorageLogStore, ReadsRangesOffTheCoreThread) {
  TempDir dir;
  auto store = open_store(dir / "store");
  std::vector<eventlog::Entry> es;
  for (std::uint64_t i = 1; i <= 50; ++i) es.push_back(entry(i, 1, std::string(100, 'a')));
  ASSERT_TRUE(store->append(es).ok());
  boost::asio::io_context io{1};
  auto work = boost::asio::make_work_guard(io);  // run_one() waits for the storage thread's post
  StorageWorker storage(*store, io);
  StorageLogStore log(*store, storage, [](const Error& e) { FAIL() << e.message; });
  const auto core_thread = std::this_thread::get_id();
  std::optional<Result<std::vector<raft::Entry>>> got;
  log.read(LogIndex(10), LogIndex(40), 5 * raft::entry_bytes(es[0]), [&](Result<std::vector<raft::Entry>> r) {
    EXPECT_EQ(std::this_thread::get_id(), core_thread);
    got = std::move(r);
  });
  while (!got) io.run_one();
  ASSERT_TRUE(got->ok()) << got->error().message;
  ASSERT_EQ((*got)->size(), 5u);
  EXPECT_EQ((*got)->front().index, LogIndex(10));
  EXPECT_EQ((*got)->back().index, LogIndex(14));
  got.reset();
  log.read(LogIndex(45), LogIndex(60), ~0ULL, [&](Result<std::vector<raft::Entry>> r) { got = std::move(r); });
  while (!got) io.run_one();
  EXPECT_FALSE(got->ok());
  storage.stop();
}

// Client reads queue behind the log's writes on the storage thread: their number is bounded.
TEST(StorageWorker, ClientReadsAreBoundedAndAllRunOnceTheThreadIsFree) {
  TempDir dir;
  auto store = open_store(dir / "store");
  boost::asio::io_context io{1};
  StorageWorker storage(*store, io);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  storage.run([released](eventlog::Store&) { released.wait(); });  // the thread is busy
  std::atomic<int> ran{0};
  for (std::size_t i = 0; i < StorageWorker::kMaxQueuedReads; ++i)
    ASSERT_TRUE(storage.try_run_read([&](eventlog::Store&) { ++ran; }));
  EXPECT_FALSE(storage.try_run_read([&](eventlog::Store&) { ++ran; }));
  EXPECT_EQ(storage.queued_reads(), StorageWorker::kMaxQueuedReads);
  release.set_value();
  storage.stop();
  EXPECT_EQ(ran.load(), static_cast<int>(StorageWorker::kMaxQueuedReads));
  EXPECT_EQ(storage.queued_reads(), 0u);
}

// A member whose core thread is this test's thread.
struct Member {
  explicit Member(const std::filesystem::path& dir) : store(open_store(dir)) {
    host = std::make_unique<MemberHost>(*store, io, [](const Error& e) { FAIL() << e.message; });
    storage = &host->storage;
    node = &host->node;
  }
  ~Member() { storage->stop(); }
  // Starts the core and runs the loop until this member serves.
  void start() {
    bool ready = false;
    node->start([&] { ready = true; });
    while (!ready) io.run_one();
  }
  Result<Outcome> run(const commands::Request& req, const std::string& id) {
    std::optional<Result<Outcome>> out;
    node->propose(req, RequestMeta{id, {"m1", "t"}}, [&](Result<Outcome> r) { out = std::move(r); });
    while (!out) io.run_one();
    return std::move(*out);
  }
  boost::asio::io_context io{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::unique_ptr<eventlog::Store> store;
  std::unique_ptr<MemberHost> host;
  StorageWorker* storage = nullptr;
  Node* node = nullptr;
};

// An uninitialised member runs no Raft: restarting it writes nothing, so a cluster it joins later
// never finds entries of its own to overwrite. Its bootstrap starts Raft.
TEST(HostLoop, AnUninitialisedMemberRunsNoRaftUntilItsBootstrap) {
  TempDir dir;
  for (int restart = 0; restart < 3; ++restart) {
    Member m(dir / "store");
    ASSERT_TRUE(m.host->load().ok());
    m.start();
    for (int i = 0; i < 30; ++i) m.node->tick();  // three election timeouts
    m.io.poll();
    EXPECT_FALSE(m.node->initialized());
    EXPECT_EQ(m.node->raft(), nullptr);
    EXPECT_EQ(m.store->last_index(), LogIndex(0));
    EXPECT_EQ(m.store->hard_state().term, Term(0));
    // Anything but a bootstrap says why it cannot be done; reads see the empty state.
    auto early = m.run(commands::SetConfigRequest{"ovn.central-ips", "10.0.0.1"}, "early");
    ASSERT_FALSE(early.ok());
    EXPECT_EQ(early.error().code, Errc::kFailedPrecondition);
    std::optional<Result<void>> read;
    m.node->read_barrier([&](Result<void> r) { read = r; });
    ASSERT_TRUE(read.has_value());
    EXPECT_TRUE(read->ok());
  }
  Member m(dir / "store");
  ASSERT_TRUE(m.host->load().ok());
  m.start();
  auto boot = m.run(commands::BootstrapRequest{"cid", "m1", "127.0.0.1", std::string(64, 'f'), "pem"}, "b");
  ASSERT_TRUE(boot.ok()) << boot.error().message;
  EXPECT_EQ(boot->index, LogIndex(2));  // after the first term's no-op
  EXPECT_EQ(m.node->raft()->term(), Term(1));
  EXPECT_EQ(m.node->self(), NodeId(1));
  EXPECT_EQ(m.node->applied().membership().find("m1")->raft_id, NodeId(1));
  EXPECT_EQ(m.node->role_of(NodeId(1)), raft::MemberRole::kVoter);
  EXPECT_TRUE(m.node->reachable(NodeId(1)));
  EXPECT_FALSE(m.node->reachable(NodeId(2)));
  // The commit index of the last entry waits to ride along with the next synced write (the leader
  // counts its own copy once durable, so it moves after that write); a tick writes it without a
  // sync. Before the tick the store holds the no-op's, which rode with the bootstrap's entry.
  EXPECT_EQ(m.store->hard_state().commit, LogIndex(1));
  m.node->tick();
  m.storage->stop();
  auto hs = m.store->hard_state();
  EXPECT_EQ(hs.term, Term(1));
  EXPECT_EQ(hs.vote, NodeId(1));
  EXPECT_EQ(hs.commit, LogIndex(2));
  auto noop = m.store->entry(LogIndex(1));
  ASSERT_TRUE(noop.ok());
  EXPECT_EQ(noop->type, eventlog::EntryType::kNoop);
}

// Cluster time comes from the clock the host is given, never from the wall clock directly, so a
// simulated run replays exactly.
TEST(HostLoop, ClusterTimeComesFromTheInjectedClock) {
  struct FixedClock final : Clock {
    std::uint64_t now_ms() const override { return ms; }
    std::uint64_t ms = 4'000'000'000'000ULL;  // year 2096: no wall clock reads that
  } clock;
  TempDir dir;
  auto store = open_store(dir / "store");
  boost::asio::io_context io{1};
  auto work = boost::asio::make_work_guard(io);
  MemberHost host(*store, io, [](const Error& e) { FAIL() << e.message; }, clock);
  StorageWorker& storage = host.storage;
  Node& node = host.node;
  ASSERT_TRUE(host.load().ok());
  std::vector<Result<Outcome>> out;
  auto run = [&](const commands::Request& r, std::string id) {
    node.propose(r, RequestMeta{std::move(id), {"m1", "t"}}, [&](Result<Outcome> o) { out.push_back(std::move(o)); });
    const std::size_t want = out.size() + 1;
    while (out.size() < want) io.run_one();
  };
  node.start();
  run(commands::BootstrapRequest{"cid", "m1", "127.0.0.1", std::string(64, 'f'), "pem"}, "b");
  ASSERT_TRUE(out.back().ok());
  EXPECT_EQ(node.applied().last_time_ms(), clock.ms);
  // Monotonic even when the clock stands still.
  run(commands::SetConfigRequest{"ovn.central-ips", "10.0.0.1"}, "c");
  ASSERT_TRUE(out.back().ok());
  EXPECT_EQ(node.applied().last_time_ms(), clock.ms + 1);
  storage.stop();
}

TEST(HostLoop, DurableEntriesAboveTheStoredCommitAreCommittedAndAppliedAfterARestart) {
  TempDir dir;
  {
    Member m(dir / "store");
    ASSERT_TRUE(m.host->load().ok());
    m.start();
    ASSERT_TRUE(m.run(commands::BootstrapRequest{"cid", "m1", "127.0.0.1", std::string(64, 'f'), "pem"}, "b").ok());
    ASSERT_TRUE(m.run(commands::SetConfigRequest{"ovn.central-ips", "10.0.0.1"}, "c1").ok());
    ASSERT_TRUE(m.run(commands::SetConfigRequest{"ovn.central-ips", "10.0.0.2"}, "c2").ok());
    m.io.poll();
    // As if the commit index had lagged: only the no-op and the bootstrap are known committed.
    m.storage->stop();
    ASSERT_TRUE(m.store->save_hard_state(eventlog::HardState{Term(1), NodeId(1), LogIndex(2)}).ok());
  }
  Member m(dir / "store");
  ASSERT_TRUE(m.host->load(/*rebuild=*/true).ok());
  EXPECT_EQ(m.node->entries_replayed(), 2u);
  EXPECT_EQ(m.node->applied().config().get("ovn.central-ips"), std::nullopt);
  // A retry of "c2" arriving the moment this member leads again, before it has applied the
  // entries of its earlier term: it must wait for them, not be decided as new (it would be
  // applied twice).
  m.node->start([] {}, "m1");
  ASSERT_EQ(m.node->raft()->role(), raft::Role::kLeader);
  ASSERT_FALSE(m.node->leader_ready());
  std::optional<Result<Outcome>> early;
  m.node->propose(commands::SetConfigRequest{"ovn.central-ips", "10.0.0.2"}, RequestMeta{"c2", {"m1", "t"}},
                  [&](Result<Outcome> r) { early = std::move(r); });
  EXPECT_FALSE(early.has_value());
  EXPECT_EQ(m.node->held(), 1u);
  while (!early) m.io.run_one();
  ASSERT_TRUE(early->ok()) << early->error().message;
  EXPECT_TRUE((*early)->duplicate);
  EXPECT_EQ((*early)->index, LogIndex(4));
  EXPECT_EQ(m.store->last_index(), LogIndex(5));  // the tail and the no-op; no second "c2"
  EXPECT_EQ(m.node->raft()->term(), Term(2));
  EXPECT_EQ(m.node->applied().applied_index(), LogIndex(5));  // entries 3 and 4, then the no-op
  EXPECT_EQ(m.node->applied().config().get("ovn.central-ips"), "10.0.0.2");
  // A retry of a request that was applied late is still recognised.
  auto retry = m.run(commands::SetConfigRequest{"ovn.central-ips", "10.0.0.2"}, "c2");
  ASSERT_TRUE(retry.ok());
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->index, LogIndex(4));
}

TEST(HostLoop, AStoreWithEntriesButNoHardStateIsReplayedWholeAndItsTermRaised) {
  TempDir dir;
  {
    Member m(dir / "store");
    ASSERT_TRUE(m.host->load().ok());
    m.start();
    ASSERT_TRUE(m.run(commands::BootstrapRequest{"cid", "m1", "127.0.0.1", std::string(64, 'f'), "pem"}, "b").ok());
    m.io.poll();
    m.storage->stop();
    // Written before the log went through Raft: entries, but no term, vote or commit.
    ASSERT_TRUE(m.store->save_hard_state(eventlog::HardState{Term(0), std::nullopt, LogIndex(0)}).ok());
  }
  Member m(dir / "store");
  ASSERT_TRUE(m.host->load(/*rebuild=*/true).ok());
  EXPECT_EQ(m.node->entries_replayed(), 2u);
  EXPECT_TRUE(m.node->applied().membership().bootstrapped());
  m.start();
  EXPECT_EQ(m.node->raft()->term(), Term(2));
  EXPECT_EQ(m.node->applied().applied_index(), LogIndex(3));
}

TEST(HostLoop, AReadBarrierWaitsForLeadershipAndSeesEveryAcknowledgedWrite) {
  TempDir dir;
  {
    // A member with a log that has not started Raft cannot confirm anything yet.
    Member m(dir / "store");
    ASSERT_TRUE(m.host->load().ok());
    m.start();
    ASSERT_TRUE(m.run(commands::BootstrapRequest{"cid", "m1", "127.0.0.1", std::string(64, 'f'), "pem"}, "b").ok());
  }
  Member m(dir / "store");
  ASSERT_TRUE(m.host->load().ok());
  std::optional<Result<void>> early;
  m.node->read_barrier([&](Result<void> r) { early = std::move(r); });
  ASSERT_TRUE(early.has_value());
  ASSERT_FALSE(early->ok());
  EXPECT_EQ(early->error().code, Errc::kUnavailable);
  m.start();
  ASSERT_TRUE(m.run(commands::BootstrapRequest{"cid", "m1", "127.0.0.1", std::string(64, 'f'), "pem"}, "b").ok());
  for (int i = 0; i < 20; ++i) {
    const std::string value = "10.0.0." + std::to_string(i + 1);
    ASSERT_TRUE(m.run(commands::SetConfigRequest{"ovn.central-ips", value}, "c" + std::to_string(i)).ok());
    std::optional<Result<void>> read;
    std::optional<std::string> seen;
    m.node->read_barrier([&](Result<void> r) {
      read = std::move(r);
      seen = m.node->applied().config().get("ovn.central-ips");
    });
    EXPECT_FALSE(read.has_value()) << "a barrier is confirmed by the core's next Ready, not inline";
    while (!read) m.io.run_one();
    ASSERT_TRUE(read->ok());
    EXPECT_EQ(seen, value);
  }
  EXPECT_EQ(m.node->reads_waiting(), 0u);
}

TEST(CommittedConfig, RoundTripsAndRefusesGarbage) {
  raft::IndexedConfiguration c{LogIndex(42), raft::voters_configuration({NodeId(1), NodeId(2), NodeId(3)})};
  auto back = decode_committed_config(encode_committed_config(c));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, c);
  EXPECT_FALSE(decode_committed_config("").ok());
  EXPECT_FALSE(decode_committed_config(std::string(7, '\0')).ok());
  std::string bytes = encode_committed_config(c);
  bytes.back() = 9;  // an unknown role
  auto bad = decode_committed_config(bytes);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Errc::kCorruption);
}

TEST(CommittedConfig, ADamagedRecordStopsTheLoadNamingTheStore) {
  TempDir dir;
  {
    auto store = open_store(dir / "store");
    ASSERT_TRUE(store->write({}, std::nullopt, true, std::string("garbage")).ok());
  }
  Member m(dir / "store");
  auto r = m.host->load();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kCorruption);
  EXPECT_NE(r.error().message.find((dir / "store").string()), std::string::npos) << r.error().message;
  EXPECT_EQ(m.store->raft_config(), std::optional<std::string>("garbage"));
}

}  // namespace
}  // namespace movn::daemon

namespace movn::daemon {
namespace {

// Effects run off the core thread, in order, and their results come back on the core thread; an
// exception in a job is an error, not a crash.
TEST(EffectsThread, JobsRunElsewhereInOrderAndAnswerOnTheCoreThread) {
  boost::asio::io_context io{1};
  auto work = boost::asio::make_work_guard(io);
  EffectsThread effects(io);
  const auto core_thread = std::this_thread::get_id();
  std::vector<int> ran, answered;
  std::mutex mu;
  bool off_core = true;
  for (int i = 0; i < 5; ++i) {
    effects.run(
        [&, i]() -> Result<void> {
          std::lock_guard lock(mu);
          off_core = off_core && std::this_thread::get_id() != core_thread;
          ran.push_back(i);
          return {};
        },
        [&, i](Result<void> r) {
          EXPECT_TRUE(r.ok());
          EXPECT_EQ(std::this_thread::get_id(), core_thread);
          answered.push_back(i);
        });
  }
  std::optional<Result<void>> failed;
  effects.run([]() -> Result<void> { throw std::runtime_error("boom"); }, [&](Result<void> r) { failed = r; });
  while (!failed) io.run_one();
  EXPECT_TRUE(off_core);
  EXPECT_EQ(ran, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(answered, (std::vector<int>{0, 1, 2, 3, 4}));
  ASSERT_FALSE(failed->ok());
  EXPECT_NE(failed->error().message.find("boom"), std::string::npos);
  effects.stop();
}

}  // namespace
}  // namespace movn::daemon
