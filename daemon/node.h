// Node: this member's control plane on the core thread. It replays the log at start, runs
// decide() against the speculative view (applied state plus proposed batches), appends batches
// through the storage thread, applies them once durable, links the hash chain and answers the
// requester. Single member for now: every appended entry is committed once it is synced; the Raft
// issues put replication between append and apply. Not thread-safe: core thread only.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "commands/decide.h"
#include "daemon/storage_worker.h"
#include "eventlog/store.h"
#include "projections/state.h"

namespace movn::daemon {

struct RequestMeta {
  std::string request_id;
  events::Actor actor;
};

struct Outcome {
  LogIndex index;          // where the batch was applied (0 when nothing needed recording)
  bool duplicate = false;  // a retry of an already applied request
};

using ProposeDone = std::function<void(Result<Outcome>)>;
using FailStop = std::function<void(const Error&)>;

class Node {
 public:
  Node(eventlog::Store& store, StorageWorker& storage, FailStop fail_stop);

  // Loads the projection checkpoint (unless `rebuild`) and replays the log after it, verifying
  // the hash chain of every replayed entry and completing missing links. With `rebuild`, drops
  // the checkpoints and replays the whole log. Called once, before serving.
  Result<void> load(bool rebuild = false);
  // Writes a checkpoint of the applied state now (core thread; through the storage thread).
  void checkpoint();
  // Writes a checkpoint directly to the store (after the storage thread has stopped).
  Result<void> checkpoint_sync();

  void propose(const commands::Request& request, RequestMeta meta, ProposeDone done);
  // True if the request id was applied or is being applied.
  bool known_request(const std::string& request_id) const;
  // Batches appended or being appended that are not applied yet.
  std::size_t in_flight() const { return pending_.size(); }

  const projections::State& applied() const { return applied_; }
  // The applied state plus every proposed batch not yet applied (what decide() sees).
  const projections::State& view() const { return speculative_; }
  std::uint64_t entries_replayed() const { return replayed_; }
  bool loaded_from_checkpoint() const { return from_checkpoint_; }
  // Busy time of the two replay stages (read + verify + decode, and apply) of the last load().
  struct ReplayStats {
    double read_seconds = 0;
    double apply_seconds = 0;
  };
  ReplayStats replay_stats() const { return replay_stats_; }

  // Applied entries between two checkpoints.
  static constexpr std::uint64_t kCheckpointEveryEntries = 10'000;
  static constexpr std::string_view kCheckpointName = "state";

 private:
  void on_durable(LogIndex index, Result<void> r);
  void write_links();
  Error chain_error(LogIndex lo, LogIndex hi, Digest prev) const;
  ClusterTimeMs next_cluster_time();

  eventlog::Store& store_;
  StorageWorker& storage_;
  FailStop fail_stop_;
  projections::State applied_;
  projections::State speculative_;
  struct Pending {
    eventlog::Entry entry;
    events::EventBatch batch;
    std::vector<ProposeDone> waiters;
  };
  std::map<std::uint64_t, Pending> pending_;                 // by index
  std::map<std::string, std::uint64_t> pending_by_request_;  // request id -> index
  LogIndex last_index_;
  Term term_{1};
  Digest last_link_ = eventlog::kGenesisLink;
  std::vector<std::pair<LogIndex, Digest>> unwritten_links_;
  std::uint64_t replayed_ = 0;
  bool from_checkpoint_ = false;
  ReplayStats replay_stats_;
  std::uint64_t applied_since_checkpoint_ = 0;
};

}  // namespace movn::daemon
