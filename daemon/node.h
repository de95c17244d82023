// Node: this member's control plane on the core thread. It replays the committed log at start,
// runs decide() against the speculative view (applied state plus proposed batches), proposes
// batches to the Raft core, and runs the host loop: each Ready is persisted by the storage thread
// (entries and hard state in one synced write), then its messages are sent, its committed entries
// applied (hash chain linked, requester answered), and the core advanced. One Ready is in flight at
// a time, so proposals that arrive during a sync share the next one (group commit).
// A member that is not part of a cluster yet has an empty log and runs no Raft; a bootstrap makes
// it a one-voter Raft cluster. Not thread-safe: core thread only.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands/decide.h"
#include "common/time.h"
#include "daemon/raft_log_reader.h"
#include "daemon/storage_worker.h"
#include "eventlog/raft/core.h"
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
  // `clock` gives cluster time and the election seed (the system clock unless a test sets one).
  Node(eventlog::Store& store, StorageWorker& storage, FailStop fail_stop, const Clock& clock = system_clock());

  // Loads the projection checkpoint (unless `rebuild`) and replays the committed log after it,
  // verifying the hash chain of every replayed entry and completing missing links. With
  // `rebuild`, drops the checkpoints and replays the whole committed log. Called once.
  Result<void> load(bool rebuild = false);
  // Starts serving on the loaded state (after load()). An uninitialised member (empty log) runs
  // no Raft, never campaigns, and `on_ready` runs at once; its first bootstrap starts Raft.
  // Otherwise the Raft core starts with this member's Raft id (from the membership, by
  // `member_name`; the founder's, 1, when the log does not name it): the only voter campaigns at
  // once, and `on_ready` runs (on the core thread) once it leads and has applied its first entry
  // of the term (every earlier entry is applied by then).
  void start(std::function<void()> on_ready = nullptr, std::string_view member_name = {});
  // False until this member's log holds anything (a bootstrap, later a join).
  bool initialized() const;
  // This member's Raft id (meaningful once initialized).
  NodeId self() const { return self_; }
  // One Raft tick (the daemon calls this every kTickMs).
  void tick();
  static constexpr int kTickMs = 100;
  // The founder's Raft id (decide() gives it to the bootstrapping member).
  static constexpr NodeId kFounder{1};
  // Proposals held while a new leader applies its predecessor's entries.
  static constexpr std::size_t kMaxHeldProposals = 4096;
  static constexpr int kElectionTicks = 10;
  // How long a read barrier may wait for leadership to be confirmed: two election timeouts.
  static constexpr int kReadTimeoutTicks = 2 * kElectionTicks;
  // Writes a checkpoint of the applied state now (core thread; through the storage thread).
  void checkpoint();
  // Writes a checkpoint directly to the store (after the storage thread has stopped).
  Result<void> checkpoint_sync();

  // Decides `request` against the speculative view and proposes the batch; `done` runs once it is
  // applied (or refused). A leader that has not yet applied its predecessor's entries holds the
  // request until it has (its dedup check and decide() need them). Error kUnavailable when this
  // member is not the leader.
  void propose(const commands::Request& request, RequestMeta meta, ProposeDone done);
  // A linearizable read barrier (Raft ReadIndex): `done` runs on the core thread once this member
  // has confirmed it still leads and has applied everything committed when the barrier began, so
  // a read of applied() in `done` is not stale. Error kUnavailable if this member does not lead,
  // or cannot confirm it within kReadTimeoutTicks, or too many reads are waiting.
  using ReadDone = std::function<void(Result<void>)>;
  void read_barrier(ReadDone done);
  std::size_t reads_waiting() const { return reads_.size(); }

  // True if the request id was applied or is being applied.
  bool known_request(const std::string& request_id) const;
  // Requests held or appended that are not applied yet.
  std::size_t in_flight() const { return pending_.size() + held_.size(); }
  std::size_t held() const { return held_.size(); }

  // The role of a member in the committed Raft configuration, nullopt when it has none (a
  // member not yet added, or no Raft running).
  std::optional<raft::MemberRole> role_of(NodeId member) const;
  // True when this member leads and heard from `member` within the last election timeout (always
  // for itself).
  bool reachable(NodeId member) const;

  const projections::State& applied() const { return applied_; }
  // The applied state plus every proposed batch not yet applied (what decide() sees).
  const projections::State& view() const { return speculative_; }
  std::uint64_t entries_replayed() const { return replayed_; }
  const raft::Core* raft() const { return core_.get(); }
  // True once this member leads and has applied an entry of its current term.
  bool leader_ready() const;
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
  void start_raft(NodeId self);
  void release_held();
  void schedule_drive();
  void drive();
  void finish_ready();
  void apply_committed(const std::vector<eventlog::Entry>& committed);
  Error expired_error(const std::string& request_id) const;
  Result<Outcome> outcome_of(projections::ApplyOutcome outcome, const std::string& request_id, LogIndex index) const;
  void abandon_pending(const Error& why);
  void resync_speculative();
  void serve_reads();
  void fail_reads(const Error& why);
  void write_links();
  Error chain_error(LogIndex lo, LogIndex hi, Digest prev) const;
  ClusterTimeMs next_cluster_time();

  eventlog::Store& store_;
  StorageWorker& storage_;
  FailStop fail_stop_;
  const Clock& clock_;
  projections::State applied_;
  projections::State speculative_;
  struct Pending {
    Term term;
    events::EventBatch batch;
    std::vector<ProposeDone> waiters;
  };
  std::map<std::uint64_t, Pending> pending_;                 // by index
  std::map<std::string, std::uint64_t> pending_by_request_;  // request id -> index
  struct Held {
    commands::Request request;
    RequestMeta meta;
    ProposeDone done;
  };
  std::vector<Held> held_;  // until this leader has applied its predecessor's entries
  NodeId self_ = kFounder;
  Digest last_link_ = eventlog::kGenesisLink;
  std::vector<std::pair<LogIndex, Digest>> unwritten_links_;
  std::uint64_t replayed_ = 0;
  bool from_checkpoint_ = false;
  ReplayStats replay_stats_;
  std::uint64_t applied_since_checkpoint_ = 0;

  // Raft host loop.
  std::unique_ptr<StoreLogReader> reader_;
  std::unique_ptr<raft::Core> core_;
  raft::HardState recovered_hard_state_;
  raft::HardState written_hard_state_;  // the last one handed to the storage thread
  std::optional<raft::Ready> ready_;    // taken from the core, not yet advanced
  bool drive_scheduled_ = false;
  bool was_leader_ = false;
  mutable Term ready_term_;  // the term in which leader_ready() last held (a cache)
  std::function<void()> on_leader_ready_;
  std::optional<raft::IndexedConfiguration> recovered_config_;
  std::uint64_t ticks_ = 0;
  struct PendingRead {
    ReadDone done;
    std::optional<LogIndex> index;  // set once leadership is confirmed
    std::uint64_t deadline_tick = 0;
  };
  std::map<std::uint64_t, PendingRead> reads_;  // by request context
  std::uint64_t next_read_ctx_ = 0;
};

// The committed Raft configuration as the store keeps it: u64 index (big-endian) + the raft
// encoding (eventlog/raft/configuration.h).
std::string encode_committed_config(const raft::IndexedConfiguration& c);
Result<raft::IndexedConfiguration> decode_committed_config(std::string_view bytes);

}  // namespace movn::daemon
