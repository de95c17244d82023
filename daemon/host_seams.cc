#include "daemon/host_seams.h"

#include "daemon/committed_config.h"

namespace movn::daemon {

StorageLogStore::StorageLogStore(eventlog::Store& store, StorageWorker& worker, host::FailStop fail_stop)
    : store_(store), worker_(worker), fail_stop_(std::move(fail_stop)) {}

const raft::LogReader& StorageLogStore::reader() const {
  if (!reader_) reader_.emplace(store_, fail_stop_);
  return *reader_;
}

void StorageLogStore::submit(Write w, Done done) {
  std::optional<eventlog::HardState> hs;
  if (w.hard_state) {
    const auto& h = *w.hard_state;
    hs = eventlog::HardState{h.term, h.vote == raft::kNoNode ? std::nullopt : std::optional<NodeId>(h.vote),
                             h.commit};
  }
  std::optional<std::string> config;
  if (w.committed_config) config = encode_committed_config(*w.committed_config);
  std::span<const eventlog::Entry> entries;
  if (w.entries != nullptr) entries = *w.entries;
  const auto* written = w.entries;
  worker_.persist(
      entries, hs, w.sync,
      [this, written, done = std::move(done)](Result<void> r) {
        // On the core thread: the reader sees the entries once their write completed.
        if (r.ok() && written != nullptr && !written->empty()) {
          reader();
          reader_->persisted(*written);
        }
        done(std::move(r));
      },
      std::move(config));
}

void StorageLogStore::put_links(std::vector<std::pair<LogIndex, Digest>> links) {
  worker_.run([links = std::move(links), fail = fail_stop_](eventlog::Store& s) {
    auto r = s.put_links(links);
    if (!r.ok()) fail(r.error());
  });
}

void StorageLogStore::put_checkpoint(std::string bytes) {
  worker_.run([bytes = std::move(bytes), fail = fail_stop_](eventlog::Store& s) {
    auto r = s.put_checkpoint(host::Node::kCheckpointName, bytes);
    if (!r.ok()) fail(r.error());
  });
}

LogIndex StorageLogStore::cached_from() const {
  reader();
  return reader_->cached_from();
}

void StorageLogStore::read(LogIndex lo, LogIndex hi, std::uint64_t max_bytes, ReadDone done) {
  // On the storage thread, in order with the writes: it sees every write submitted before it.
  worker_.run([this, lo, hi, max_bytes, done = std::move(done)](eventlog::Store& s) mutable {
    std::vector<raft::Entry> out;
    auto r = read_entries(s, lo, hi, max_bytes, out);
    Result<std::vector<raft::Entry>> result = std::move(out);
    if (!r.ok()) result = r.error();
    worker_.post_core([done = std::move(done), result = std::move(result)]() mutable { done(std::move(result)); });
  });
}

EffectsThread::EffectsThread(boost::asio::io_context& core) : core_(core) {
  thread_ = std::thread([this] {
    for (;;) {
      std::pair<std::function<Result<void>()>, std::function<void(Result<void>)>> item;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;
        item = std::move(queue_.front());
        queue_.pop_front();
      }
      Result<void> r = [&]() -> Result<void> {
        try {
          return item.first();
        } catch (const std::exception& ex) {
          return make_error(Errc::kInternal, std::string("effect failed: ") + ex.what());
        }
      }();
      boost::asio::post(core_, [done = std::move(item.second), r = std::move(r)]() mutable { done(std::move(r)); });
    }
  });
}

EffectsThread::~EffectsThread() { stop(); }

void EffectsThread::run(std::function<Result<void>()> job, std::function<void(Result<void>)> done) {
  {
    std::lock_guard lock(mu_);
    queue_.emplace_back(std::move(job), std::move(done));
  }
  cv_.notify_one();
}

void EffectsThread::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

MemberHost::MemberHost(eventlog::Store& s, boost::asio::io_context& io, host::FailStop fail_stop, const Clock& clock,
                       host::Transport* transport, host::NodeOptions options)
    : store(s),
      storage(s, io),
      executor(io),
      log(s, storage, fail_stop),
      node(log, transport != nullptr ? *transport : peers, executor, fail_stop, clock, nullptr,
           std::move(options)) {}

host::NodeOptions MemberHost::node_options(std::string address) {
  host::NodeOptions o;
  o.address = std::move(address);
  // What the leader reads from the store and sends one peer in one round: at most 16 appends of
  // 256 KiB (4 MiB), so catching a late joiner up from index 1 never holds the core thread (which
  // reads the log) for long, and heartbeats and the API go on between rounds.
  o.raft.max_append_bytes = kMaxAppendBytes;
  o.raft.max_inflight_msgs = kMaxInflightAppends;
  return o;
}

Result<void> MemberHost::load(bool rebuild) {
  MOVN_ASSIGN_OR_RETURN(auto recovered, replay(store, rebuild, &replay_stats));
  node.recover(std::move(recovered));
  return {};
}

}  // namespace movn::daemon
