#include "daemon/storage_worker.h"

#include <boost/asio/post.hpp>
#include <stdexcept>
#include <string>

namespace movn::daemon {

StorageWorker::StorageWorker(eventlog::Store& store, boost::asio::io_context& core)
    : store_(store), core_(core), thread_([this] { loop(); }) {}

StorageWorker::~StorageWorker() { stop(); }

void StorageWorker::persist(std::span<const eventlog::Entry> entries, std::optional<eventlog::HardState> hs,
                            bool sync, Done done, std::optional<std::string> raft_config) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(Item{entries, std::move(hs), sync, std::move(done), std::move(raft_config), nullptr});
  }
  cv_.notify_one();
}

void StorageWorker::run(Job job) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(Item{{}, std::nullopt, false, nullptr, std::nullopt, std::move(job)});
  }
  cv_.notify_one();
}

bool StorageWorker::try_run_read(Job job) {
  if (queued_reads_.fetch_add(1) >= kMaxQueuedReads) {
    queued_reads_.fetch_sub(1);
    return false;
  }
  run([this, job = std::move(job)](eventlog::Store& s) {
    queued_reads_.fetch_sub(1);
    job(s);
  });
  return true;
}

void StorageWorker::post_core(std::function<void()> fn) { boost::asio::post(core_, std::move(fn)); }

void StorageWorker::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void StorageWorker::loop() {
  for (;;) {
    std::deque<Item> batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      batch.swap(queue_);
    }
    for (auto& item : batch) {
      try {
        if (item.job) {
          item.job(store_);
          continue;
        }
      } catch (const std::exception& ex) {
        // A job that throws is a bug and leaves its requester unanswered; the store itself is
        // unchanged, but nothing says what else the job did. Hand it to the core thread, whose
        // event loop stops the daemon with this message (daemon.cc).
        std::string what = std::string("a storage job failed: ") + ex.what();
        boost::asio::post(core_, [what] { throw std::runtime_error(what); });
        continue;
      }
      Result<void> r = store_.write(item.entries, item.hard_state, item.sync, item.raft_config);
      if (r.ok() && item.sync) syncs_.fetch_add(1);
      boost::asio::post(core_, [done = std::move(item.done), r = std::move(r)]() {
        if (done) done(r);
      });
    }
  }
}

}  // namespace movn::daemon
