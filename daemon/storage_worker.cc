#include "daemon/storage_worker.h"

#include <boost/asio/post.hpp>

namespace movn::daemon {

StorageWorker::StorageWorker(eventlog::Store& store, boost::asio::io_context& core)
    : store_(store), core_(core), thread_([this] { loop(); }) {}

StorageWorker::~StorageWorker() { stop(); }

void StorageWorker::append(std::vector<eventlog::Entry> entries, Done done) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(Item{std::move(entries), std::move(done), nullptr});
  }
  cv_.notify_one();
}

void StorageWorker::run(Job job) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(Item{{}, nullptr, std::move(job)});
  }
  cv_.notify_one();
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
    // Coalesce each run of consecutive appends into one synced write (group commit).
    while (!batch.empty()) {
      if (batch.front().job) {
        batch.front().job(store_);
        batch.pop_front();
        continue;
      }
      std::vector<eventlog::Entry> all;
      std::vector<Done> dones;
      while (!batch.empty() && !batch.front().job) {
        auto& item = batch.front();
        for (auto& e : item.entries) all.push_back(std::move(e));
        dones.push_back(std::move(item.done));
        batch.pop_front();
      }
      Result<void> r = store_.append(all);
      if (r.ok()) syncs_.fetch_add(1);
      boost::asio::post(core_, [dones = std::move(dones), r = std::move(r)]() {
        for (const auto& d : dones) d(r);
      });
    }
  }
}

}  // namespace movn::daemon
