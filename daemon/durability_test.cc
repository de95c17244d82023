// Durability under power loss: the real Node + StorageWorker + Store pipeline runs on a file
// system that loses every unsynced byte when "power" is cut at a random point. After each cut the
// store is reopened and every acknowledged request must be there exactly once, with a hash chain
// that verifies. Also: concurrent conflicting requests and retries through the Node.
#include <rocksdb/env.h>

#include <gtest/gtest.h>

#include <future>
#include <random>
#include <set>
#include <thread>

#include <utility>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "daemon/host_seams.h"
#include "eventlog/codec.h"
#include "tests/support/power_loss_fs.h"
#include "tests/support/temp_dir.h"

namespace movn::daemon {
namespace {
namespace asio = boost::asio;
using movn::testing::PowerLossFs;
using movn::testing::TempDir;

const std::string kFp(64, 'f');

// The request ids recorded in the log, in order, and whether any repeats.
std::vector<std::string> logged_requests(eventlog::Store& store) {
  std::vector<std::string> ids;
  auto es = store.entries(LogIndex(1), store.last_index().next());
  EXPECT_TRUE(es.ok());
  if (!es.ok()) return ids;
  for (const auto& e : *es) {
    if (e.type != eventlog::EntryType::kEventBatch) continue;  // a new leader's no-op
    auto b = eventlog::decode_batch(e.data);
    EXPECT_TRUE(b.ok());
    if (b.ok()) ids.push_back(b->request_id);
  }
  return ids;
}

struct Harness {
  explicit Harness(const std::filesystem::path& dir, rocksdb::Env* env = nullptr) {
    eventlog::StoreOptions o;
    o.env = env;
    auto s = eventlog::Store::open(dir, o);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    store = std::move(s).value();
    host = std::make_unique<MemberHost>(*store, io, [this](const Error&) {
      failed.store(true);
      io.stop();
    });
    storage = &host->storage;
    node = &host->node;
  }
  ~Harness() {
    stop();
    storage->stop();
  }
  // Stops the core thread and waits for it: no handler runs after this returns.
  void stop() {
    io.stop();
    if (runner.joinable()) runner.join();
  }
  // Starts the Raft core (this member leads at once), its ticks and the core thread. It ticks
  // faster than the daemon (every 2 ms, not 100), so that the writes a tick makes without a sync
  // (the commit index, the links) are often the last ones before a cut.
  void start() {
    node->start();
    tick();
    runner = std::thread([this] {
      auto guard = asio::make_work_guard(io);
      io.run();
    });
  }
  void tick() {
    ticker.expires_after(std::chrono::milliseconds(2));
    ticker.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      node->tick();
      tick();
    });
  }
  asio::io_context io{1};
  asio::steady_timer ticker{io};
  std::unique_ptr<eventlog::Store> store;
  std::unique_ptr<MemberHost> host;
  StorageWorker* storage = nullptr;
  Node* node = nullptr;
  std::atomic<bool> failed{false};
  std::thread runner;
};

TEST(Durability, AcknowledgedRequestsSurvivePowerCutsAtRandomPoints) {
  TempDir dir;
  const auto store_dir = dir / "store";
  std::mt19937_64 rng(20261123);
  std::set<std::string> acked;
  std::uint64_t total_dropped = 0;
  constexpr int kRounds = 12;
  for (int round = 0; round < kRounds; ++round) {
    auto fs = std::make_shared<PowerLossFs>(rocksdb::FileSystem::Default());
    auto env = rocksdb::NewCompositeEnv(fs);
    {
      Harness h(store_dir, env.get());
      ASSERT_TRUE(h.host->load().ok());
      h.start();
      std::mutex mu;
      std::vector<std::string> round_acks;
      std::atomic<int> sync_violations{0};
      const int cut_after = 20 + static_cast<int>(rng() % 200);
      const int cut_delay_us = static_cast<int>(rng() % 1500);
      std::thread cutter;
      std::atomic<int> acks{0};
      auto propose = [&](commands::Request req, std::string id) {
        asio::post(h.io, [&, req = std::move(req), id = std::move(id)] {
          std::uint64_t syncs_before = fs->syncs();
          h.node->propose(req, RequestMeta{id, events::Actor{"m1", "test"}},
                          [&, id, syncs_before](Result<Outcome> r) {
                            if (!r.ok()) return;
                            // An acknowledgement must come after a sync that covers it.
                            if (!r->duplicate && fs->syncs() <= syncs_before) sync_violations++;
                            {
                              std::lock_guard lock(mu);
                              round_acks.push_back(id);
                            }
                            // Even rounds cut a little later, from another thread, so the cut
                            // lands at a random point of the next writes (the host loop starts
                            // one only after this acknowledgement's Ready is applied); odd rounds
                            // cut right after one of the next few appends, before its sync, so
                            // some rounds certainly lose what was written and not synced.
                            if (++acks == cut_after) {
                              if (round % 2 == 1)
                                fs->cut_after_appends(1 + static_cast<std::uint64_t>(cut_delay_us % 8));
                              else
                                cutter = std::thread([fs, delay_us = cut_delay_us] {
                                  std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
                                  fs->cut_power();
                                });
                            }
                          });
        });
      };
      if (round == 0)
        propose(commands::BootstrapRequest{"cid", "m1", "127.0.0.1", kFp, "pem"}, "boot");
      for (int i = 0; i < 400; ++i) {
        propose(commands::SetConfigRequest{"ovn.central-ips", "127.0.0." + std::to_string(1 + i % 250)},
                "r" + std::to_string(round) + "-" + std::to_string(i));
        if (i % 50 == 49) std::this_thread::sleep_for(std::chrono::microseconds(rng() % 3000));
      }
      // Retries of requests acknowledged in earlier rounds must not add entries.
      int retries = 0;
      for (const auto& id : acked) {
        if (retries++ == 20) break;
        propose(commands::SetConfigRequest{"ovn.central-ips", "127.0.0.9"}, id);
      }
      for (int i = 0; i < 500 && !fs->dead(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      fs->cut_power();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      // Join the core thread before the round's locals (captured by the callbacks) go away.
      h.stop();
      if (cutter.joinable()) cutter.join();
      EXPECT_EQ(sync_violations.load(), 0);
      std::lock_guard lock(mu);
      acked.insert(round_acks.begin(), round_acks.end());
    }
    total_dropped += fs->drop_unsynced();

    // Reopen on a healthy file system: everything acknowledged is there, once, and verifies.
    Harness check(store_dir);
    ASSERT_TRUE(check.host->load(/*rebuild=*/true).ok()) << "round " << round;
    auto ids = logged_requests(*check.store);
    std::set<std::string> unique(ids.begin(), ids.end());
    EXPECT_EQ(unique.size(), ids.size()) << "a request was applied twice";
    for (const auto& id : acked) EXPECT_TRUE(unique.contains(id)) << "lost acknowledged request " << id;
  }
  EXPECT_GT(acked.size(), static_cast<std::size_t>(kRounds * 20));
  // The cuts must actually have lost something, or the test proved nothing.
  EXPECT_GT(total_dropped, 0u);
}

TEST(Concurrency, TwoConcurrentAddsOfOneNameGiveOneTokenAndOneConflict) {
  TempDir dir;
  Harness h(dir / "store");
  ASSERT_TRUE(h.host->load().ok());
  h.start();
  std::promise<void> booted;
  asio::post(h.io, [&] {
    h.node->propose(commands::BootstrapRequest{"cid", "m1", "127.0.0.1", kFp, "pem"},
                    RequestMeta{"boot", {}}, [&](Result<Outcome>) { booted.set_value(); });
  });
  booted.get_future().wait();
  std::mutex mu;
  std::vector<Result<Outcome>> results;
  std::promise<void> done;
  asio::post(h.io, [&] {
    for (const char* id : {"add-1", "add-2"})
      h.node->propose(commands::IssueTokenRequest{"foo", std::string(32, 'x'), 60000}, RequestMeta{id, {}},
                      [&](Result<Outcome> r) {
                        std::lock_guard lock(mu);
                        results.push_back(std::move(r));
                        if (results.size() == 2) done.set_value();
                      });
  });
  done.get_future().wait();
  int ok = 0, conflicts = 0;
  for (const auto& r : results) {
    if (r.ok()) ++ok;
    else if (r.error().code == Errc::kAlreadyExists || r.error().code == Errc::kConflict) ++conflicts;
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(conflicts, 1);
  std::promise<std::size_t> tokens;
  asio::post(h.io, [&] { tokens.set_value(h.node->applied().tokens().tokens().size()); });
  EXPECT_EQ(tokens.get_future().get(), 1u);
}

TEST(Dedup, ARetryWhileInFlightAndAfterApplyIsAppliedOnce) {
  TempDir dir;
  Harness h(dir / "store");
  ASSERT_TRUE(h.host->load().ok());
  h.start();
  std::mutex mu;
  std::vector<Result<Outcome>> results;
  std::promise<void> done;
  asio::post(h.io, [&] {
    auto req = commands::BootstrapRequest{"cid", "m1", "127.0.0.1", kFp, "pem"};
    auto cb = [&](Result<Outcome> r) {
      std::lock_guard lock(mu);
      results.push_back(std::move(r));
      if (results.size() == 2) done.set_value();
    };
    h.node->propose(req, RequestMeta{"same", {}}, cb);
    h.node->propose(req, RequestMeta{"same", {}}, cb);  // in flight: waits for the first
  });
  done.get_future().wait();
  ASSERT_EQ(results.size(), 2u);
  ASSERT_TRUE(results[0].ok());
  ASSERT_TRUE(results[1].ok());
  EXPECT_EQ(results[0]->index, results[1]->index);
  EXPECT_TRUE(results[1]->duplicate);
  std::promise<Result<Outcome>> later;
  asio::post(h.io, [&] {
    h.node->propose(commands::BootstrapRequest{"cid2", "m1", "127.0.0.1", kFp, "pem"}, RequestMeta{"same", {}},
                    [&](Result<Outcome> r) { later.set_value(std::move(r)); });
  });
  auto r = later.get_future().get();
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->duplicate);
  EXPECT_EQ(h.store->last_index(), results[0]->index);  // the retries added no entry
}

}  // namespace
}  // namespace movn::daemon

namespace movn::daemon {
namespace {

TEST(Dedup, ARequestIdReusedForADifferentRequestIsRefused) {
  TempDir dir;
  Harness h(dir / "store");
  ASSERT_TRUE(h.host->load().ok());
  h.start();
  auto run = [&](commands::Request req, const std::string& id) {
    std::promise<Result<Outcome>> p;
    asio::post(h.io, [&] { h.node->propose(req, RequestMeta{id, {}}, [&](Result<Outcome> r) { p.set_value(std::move(r)); }); });
    return p.get_future().get();
  };
  ASSERT_TRUE(run(commands::BootstrapRequest{"cid", "m1", "127.0.0.1", kFp, "pem"}, "boot").ok());
  ASSERT_TRUE(run(commands::SetConfigRequest{"ovn.central-ips", "10.0.0.1"}, "id-1").ok());
  auto retry = run(commands::SetConfigRequest{"ovn.central-ips", "10.0.0.1"}, "id-1");
  ASSERT_TRUE(retry.ok());
  EXPECT_TRUE(retry->duplicate);
  for (auto other : std::vector<commands::Request>{commands::SetConfigRequest{"ovn.central-ips", "10.0.0.2"},
                                                    commands::DeleteConfigRequest{"ovn.central-ips"},
                                                    commands::IssueTokenRequest{"x", std::string(32, 's'), 1000}}) {
    auto r = run(other, "id-1");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kConflict);
    EXPECT_NE(r.error().message.find("already used for a different request"), std::string::npos);
  }
  std::promise<std::optional<std::string>> value;
  asio::post(h.io, [&] { value.set_value(h.node->applied().config().get("ovn.central-ips")); });
  EXPECT_EQ(value.get_future().get(), "10.0.0.1");
}

}  // namespace
}  // namespace movn::daemon
