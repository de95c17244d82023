// The storage thread: the only writer of the Store. Queued appends are coalesced into one synced
// RocksDB write (group commit); each completion is posted back to the core thread's io_context
// after the sync that covers it. Public methods may be called from any thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
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

  // Entries must follow the previously submitted ones. `done` runs on the core thread.
  void append(std::vector<eventlog::Entry> entries, Done done);
  // Runs `job` on the storage thread, in order with appends. The job posts its own results.
  void run(Job job);
  // Posts `fn` to the core thread (for jobs that answer from the storage thread).
  void post_core(std::function<void()> fn);
  // Waits until every queued job has run, then stops the thread.
  void stop();

  std::uint64_t syncs() const { return syncs_.load(); }

 private:
  struct Item {
    std::vector<eventlog::Entry> entries;  // an append when job is empty
    Done done;
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
  std::thread thread_;
};

}  // namespace movn::daemon
