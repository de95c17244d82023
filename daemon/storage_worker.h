// The storage thread: the only writer of the Store. It persists the Raft Ready that the core thread
// hands it (entries and hard state in one synced RocksDB write) and runs other store jobs in order
// with it; each completion is posted back to the core thread's io_context. Group commit comes from
// the host loop: while one Ready is being synced, new proposals gather in the core's next Ready.
// Public methods may be called from any thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include <utility>  // before Asio (docs/design.md §5)
#include <boost/asio/io_context.hpp>

#include "eventlog/store.h"

namespace movn::daemon {

class StorageWorker {
 public:
  using Done = std::function<void(Result<void>)>;
  using Job = std::function<void(eventlog::Store&)>;

  StorageWorker(eventlog::Store& store, boost::asio::io_context& core);
  ~StorageWorker();
  StorageWorker(const StorageWorker&) = delete;
  StorageWorker& operator=(const StorageWorker&) = delete;

  // Writes entries (replacing stored ones at or above the first) and the hard state in one
  // write, synced when `sync`; `done` runs on the core thread afterwards. The entries are not
  // copied: the caller keeps them alive until `done` runs.
  void persist(std::span<const eventlog::Entry> entries, std::optional<eventlog::HardState> hs, bool sync,
               Done done, std::optional<std::string> raft_config = std::nullopt);
  // Runs `job` on the storage thread, in order with appends. The job posts its own results.
  void run(Job job);
  // The same for a read a client asked for (events, later other ranges), bounded: false, and the
  // job dropped, when kMaxQueuedReads of them are already waiting, so clients cannot queue
  // unbounded work in front of the log's writes.
  static constexpr std::size_t kMaxQueuedReads = 64;
  [[nodiscard]] bool try_run_read(Job job);
  std::size_t queued_reads() const { return queued_reads_.load(); }
  // Posts `fn` to the core thread (for jobs that answer from the storage thread).
  void post_core(std::function<void()> fn);
  // Waits until every queued job has run, then stops the thread.
  void stop();

  std::uint64_t syncs() const { return syncs_.load(); }

 private:
  struct Item {
    std::span<const eventlog::Entry> entries;  // a persist when job is empty
    std::optional<eventlog::HardState> hard_state;
    bool sync = true;
    Done done;
    std::optional<std::string> raft_config;
    Job job;
  };
  void loop();

  eventlog::Store& store_;
  boost::asio::io_context& core_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  std::atomic<std::uint64_t> syncs_{0};
  std::atomic<std::size_t> queued_reads_{0};
  std::thread thread_;
};

}  // namespace movn::daemon
