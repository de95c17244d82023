// The daemon's parts for the host loop's seams (host/seams.h): the RocksDB store behind the
// storage thread, the io_context as the executor, and a transport for a member without peers.
// Core thread only, except where a method says otherwise.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include <utility>  // before Asio (docs/design.md §5)
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "daemon/raft_log_reader.h"
#include "daemon/replay.h"
#include "daemon/storage_worker.h"
#include "host/node.h"

namespace movn::daemon {

using host::Node;
using host::Outcome;
using host::RequestMeta;

// Posts to the core thread's io_context.
class CoreExecutor final : public host::Executor {
 public:
  explicit CoreExecutor(boost::asio::io_context& io) : io_(io) {}
  void post(std::function<void()> fn) override { boost::asio::post(io_, std::move(fn)); }

 private:
  boost::asio::io_context& io_;
};

// Runs effects on a thread of their own, one at a time, and posts each result to the core thread.
// stop() (or the destructor) lets queued jobs finish first.
class EffectsThread final : public host::Effects {
 public:
  explicit EffectsThread(boost::asio::io_context& core);
  ~EffectsThread() override;
  EffectsThread(const EffectsThread&) = delete;
  EffectsThread& operator=(const EffectsThread&) = delete;
  void run(std::function<Result<void>()> job, std::function<void(Result<void>)> done) override;
  void stop();

 private:
  boost::asio::io_context& core_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<std::function<Result<void>()>, std::function<void(Result<void>)>>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

// A member with no peer link: every message is dropped (and counted). A one-voter cluster sends
// none; the peer transport replaces this.
class NoPeers final : public host::Transport {
 public:
  void send(host::PeerMessage) override { ++dropped_; }
  std::uint64_t dropped() const { return dropped_; }

 private:
  std::uint64_t dropped_ = 0;
};

// The log in RocksDB: writes go through the storage thread in order; the core reads through a
// StoreLogReader that learns of each completed write on the core thread. The reader is made when
// the core first asks for it (after replay: a damaged store is reported by replay, not here).
class StorageLogStore final : public host::LogStore {
 public:
  StorageLogStore(eventlog::Store& store, StorageWorker& worker, host::FailStop fail_stop);
  const raft::LogReader& reader() const override;
  void submit(Write w, Done done) override;
  void put_links(std::vector<std::pair<LogIndex, Digest>> links) override;
  void put_checkpoint(std::string bytes) override;
  LogIndex cached_from() const override;
  void read(LogIndex lo, LogIndex hi, std::uint64_t max_bytes, ReadDone done) override;

 private:
  eventlog::Store& store_;
  StorageWorker& worker_;
  host::FailStop fail_stop_;
  mutable std::optional<StoreLogReader> reader_;
};

// One member's host loop on its RocksDB store: the storage thread, the seams and the Node.
struct MemberHost {
  // `transport`: the member's links to its peers (none: NoPeers, which drops everything);
  // `options`: node_options() with what the daemon knows (address, Raft id, on_removed).
  MemberHost(eventlog::Store& store, boost::asio::io_context& io, host::FailStop fail_stop,
             const Clock& clock = system_clock(), host::Transport* transport = nullptr,
             host::NodeOptions options = node_options(std::string()));
  // Replays the store into the Node (daemon/replay.h). Called once, before node.start().
  Result<void> load(bool rebuild = false);
  // The Raft tuning of microovnd: a byte budget per peer and round (kMaxAppendBytes per append,
  // kMaxInflightAppends appends in flight).
  static host::NodeOptions node_options(std::string address = {});
  static constexpr std::uint64_t kMaxAppendBytes = 256 << 10;
  static constexpr std::size_t kMaxInflightAppends = 16;

  eventlog::Store& store;
  StorageWorker storage;
  CoreExecutor executor;
  NoPeers peers;
  StorageLogStore log;
  Node node;
  ReplayStats replay_stats;
};

}  // namespace movn::daemon
