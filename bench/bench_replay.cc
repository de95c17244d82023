// Replay benchmark: writes a store of N events (a fixed mix, below) and measures
//  - a raw RocksDB scan of the log column family (key + value of every entry),
//  - a full rebuild (daemon::replay with rebuild: read, decode, fold into every projection, hash
//    chain) on the first pass, which computes and writes every chain link, and on the second
//    pass, which verifies every stored link.
// The event mix, one event per batch, repeating every 10 batches: 5 config_set, 1 config_deleted,
// 2 join_token_issued, 2 join_token_revoked (each token is issued, then revoked), after one
// cluster_bootstrapped + member_joined batch. The store also gets an identity and daemon.json, so
// microovnd can be started on it afterwards (the memory benchmark does).
// Usage: microovn-bench-replay STATE_DIR EVENTS
#include <rocksdb/db.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include <utility>
#include <boost/asio/io_context.hpp>

#include "daemon/member_info.h"
#include "daemon/replay.h"
#include "eventlog/codec.h"

using namespace movn;
using SteadyClock = std::chrono::steady_clock;

namespace {
double since(SteadyClock::time_point t) { return std::chrono::duration<double>(SteadyClock::now() - t).count(); }

events::Event event_for(std::uint64_t i) {
  std::uint64_t k = i / 10;
  switch (i % 10) {
    case 0: case 1: case 3: case 5: case 7:
      return events::ConfigSet{"ovn.central-ips", "10.0." + std::to_string(k % 250) + "." + std::to_string(i % 250)};
    case 2: return events::JoinTokenIssued{"t" + std::to_string(k), std::string(32, 's'), 4102444800000ULL};
    case 4: return events::JoinTokenRevoked{"t" + std::to_string(k), events::RevokeReason::kRevoked};
    case 6: return events::JoinTokenIssued{"u" + std::to_string(k), std::string(32, 'u'), 4102444800000ULL};
    case 8: return events::JoinTokenRevoked{"u" + std::to_string(k), events::RevokeReason::kRevoked};
    default: return events::ConfigDeleted{"ovn.central-ips"};
  }
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: microovn-bench-replay STATE_DIR EVENTS\n");
    return 2;
  }
  std::filesystem::path state = argv[1];
  std::uint64_t n = std::strtoull(argv[2], nullptr, 10);
  std::filesystem::create_directories(state);
  auto store_dir = state / "store";
  {
    auto opened = eventlog::Store::open(store_dir);
    if (!opened.ok()) {
      std::fprintf(stderr, "Error: %s\n", opened.error().message.c_str());
      return 1;
    }
    auto& store = **opened;
    if (store.last_index().value == 0) {
      auto t = SteadyClock::now();
      std::vector<eventlog::Entry> chunk;
      std::uint64_t time_ms = 1795000000000ULL;
      auto add = [&](std::vector<events::Event> evs, std::uint64_t i) {
        events::EventBatch b{"bench-" + std::to_string(i), {"bench", "root"}, ClusterTimeMs(time_ms++), std::move(evs)};
        chunk.push_back(eventlog::Entry{LogIndex(store.last_index().value + chunk.size() + 1), Term(1),
                                        eventlog::EntryType::kEventBatch, eventlog::encode_batch(b)});
        if (chunk.size() == 10000) {
          if (!store.append(chunk).ok()) std::abort();
          chunk.clear();
        }
      };
      add({events::ClusterBootstrapped{"benchcluster", "bench"},
           events::MemberJoined{"bench", "127.0.0.1:6686", std::string(64, 'f'), "pem"}},
          0);
      for (std::uint64_t i = 1; i < n; ++i) add({event_for(i)}, i);
      if (!chunk.empty() && !store.append(chunk).ok()) std::abort();
      if (!store.bind_identity({"benchcluster", "bench"}).ok()) std::abort();
      if (!store.flush().ok()) std::abort();
      std::printf("written: entries=%llu seconds=%.2f\n", static_cast<unsigned long long>(store.last_index().value),
                  since(t));
    }
  }
  if (!daemon::write_daemon_record(state / "daemon.json", {"bench", "127.0.0.1:6686", "benchcluster"}).ok())
    return 1;

  // Raw scan of the same log with RocksDB alone.
  {
    rocksdb::DB* raw = nullptr;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const char* name : {"default", "meta", "log", "chain", "checkpoints"})
      cfs.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> hs;
    if (!rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), store_dir.string(), cfs, &hs, &raw).ok()) return 1;
    auto t = SteadyClock::now();
    std::uint64_t count = 0, bytes = 0;
    std::unique_ptr<rocksdb::Iterator> it(raw->NewIterator(rocksdb::ReadOptions(), hs[2]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ++count;
      bytes += it->key().size() + it->value().size();
    }
    double s = since(t);
    std::printf("raw_scan: entries=%llu bytes=%llu seconds=%.3f entries_per_s=%.0f\n",
                static_cast<unsigned long long>(count), static_cast<unsigned long long>(bytes), s, count / s);
    it.reset();
    for (auto* h : hs) raw->DestroyColumnFamilyHandle(h);
    delete raw;
  }

  for (int pass = 1; pass <= 2; ++pass) {
    eventlog::StoreOptions o;
    o.verify_on_open = false;
    auto opened = eventlog::Store::open(store_dir, o);
    if (!opened.ok()) return 1;
    daemon::ReplayStats stats;
    auto t = SteadyClock::now();
    auto r = daemon::replay(**opened, /*rebuild=*/true, &stats);
    double s = since(t);
    if (!r.ok()) {
      std::fprintf(stderr, "Error: %s\n", r.error().message.c_str());
      return 1;
    }
    std::printf("rebuild_pass%d (%s): entries=%llu seconds=%.3f events_per_s=%.0f read_busy_s=%.3f apply_busy_s=%.3f\n",
                pass, pass == 1 ? "links computed and written" : "links verified",
                static_cast<unsigned long long>(r->replayed), s, r->replayed / s, stats.read_seconds,
                stats.apply_seconds);
  }
  {
    auto t = SteadyClock::now();
    auto opened = eventlog::Store::open(store_dir);
    if (!opened.ok()) return 1;
    std::printf("open_with_checksum_verification: seconds=%.3f\n", since(t));
  }
  return 0;
}
