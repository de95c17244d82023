// Checker: the simulator's safety invariants, checked incrementally as events happen (so thousands
// of seeds run in minutes): elections, log matching and commits; configurations (docs/adr/0006);
// ReadIndex. The first violation is kept; Simulator stops the seed on it.
// Owned by one Simulator; single-threaded.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "eventlog/raft/core.h"
#include "projections/state.h"

namespace movn::sim {

class Checker {
 public:
  // The configuration before the log's first kConfig entry (the initial voters).
  void set_genesis(raft::Configuration genesis) { genesis_ = std::move(genesis); }

  // At most one leader per term; a leader is a voter of the configuration in its own log (or of
  // its committed one, while its own removal or demotion is not committed).
  void on_leader(NodeId member, Term term, const raft::Core& core);
  // After every input: a member that is not a voter of its own configurations never campaigns.
  void on_role(NodeId member, const raft::Core& core);
  // A leader's commit index moved to `committed`: record what it committed, in which term.
  void on_leader_commit(const raft::Core& leader, LogIndex from, LogIndex to);
  // A member writes entries, with its commit index and the log it holds before the write: an
  // entry at or below the commit index may be written again (the core re-persists a tail that was
  // rewritten above it while a write was pending) but never changed.
  void on_write(NodeId member, const std::vector<raft::Entry>& entries, LogIndex member_commit,
                const raft::MemoryLog& before);
  // A member applied an entry: same index, same entry everywhere; equal digests at equal index.
  // An empty digest: none was taken after this entry (the simulator samples costly digests).
  void on_apply(NodeId member, const raft::Entry& e, const std::string& digest);
  // A digest taken at an applied index after the fact (liveness: the settled members).
  void on_digest(NodeId member, LogIndex applied, const std::string& digest);
  // The core reported a broken invariant.
  void on_broken(NodeId member, std::string_view what);
  // Exactly once: a member folded the batch of request `id` at `index` with `outcome`. A request
  // id changes state (applied or superseded) at one index only, the same on every member; any
  // later batch with that id must be refused as a duplicate (or a reused id).
  void on_request_folded(NodeId member, const std::string& id, LogIndex index, projections::ApplyOutcome outcome);

  // A member proposed a batch at `index` in `term`, having applied up to `applied`: a leader
  // decides only on a state that holds every entry committed in earlier terms (its no-op has
  // committed), or its dedup check and decide() miss what its predecessors committed.
  void on_proposed(NodeId member, LogIndex index, Term term, LogIndex applied);

  // ---- durability before messages (host-loop-notes.md §2, §6) ----
  // Member sends `m`, with `durable` its durable log and hard state and `synced_through` the last
  // index of it no pending write rewrites: a reply reports only what is durable there (an
  // append's or heartbeat's matched index, a vote), and no message of a term leaves before that
  // term is durable (pre-votes excepted: they ask about a term nobody has entered).
  void on_send(NodeId member, const raft::Message& m, const raft::MemoryLog& durable, LogIndex synced_through);
  // Member sends an append of its current term `term`: it carries the member's own log as it is
  // now, every entry and the term of the entry before them, whatever the host read them through
  // (`written`: what its store holds, page cache included; `log`: its core's log, whose unstable
  // tail is not written yet). An append of an earlier term may be stale (it waited for a write
  // while a newer leader rewrote this log); its receivers ignore it.
  void on_append_sent(NodeId member, const raft::Message& m, const raft::MemoryLog& written, const raft::RaftLog& log,
                      Term term);
  // A leader's commit index reached `commit`, an entry of its term: a quorum of the voters of its
  // configuration hold that entry durably. `durable_holders` counts them.
  void on_commit_quorum(NodeId leader, LogIndex commit, std::size_t durable_holders, std::size_t quorum);

  // ---- configurations ----
  // A member (re)started from `log` (what its store holds) with `initial` as Config::voters: the
  // configurations its log holds are found again, and the core's must match them.
  void on_start(NodeId member, const raft::Configuration& initial, const raft::MemoryLog& log,
                const raft::Core& core);
  // A member wrote a Ready (its store's view now equals the core's log). Its configuration in
  // effect is the last one in its log, its committed one the last at or below its commit index,
  // and neither goes back except by a truncation; each kConfig entry changes one member; a
  // leader holds at most one kConfig entry above the cluster's commit index.
  void on_ready(NodeId member, const raft::Core& core, const raft::Ready& rd);
  // The Ready's write is synced (prev_term: of the entry before its first). Log matching: every
  // (index, term) pair holds the same bytes and follows the same term everywhere. Counted only once
  // durable, like a committed configuration the Ready reports: a lone voter elects itself and
  // commits without a message, so a crash before the sync may lose a whole term of it, which
  // another member may then win, and nothing of the lost one ever left the member.
  void on_synced(NodeId member, const raft::Ready& rd, Term prev_term);

  // ---- ReadIndex ----
  // A client issued read `ctx` when the newest write acknowledged to any client was at `acked`.
  void on_read_issued(std::uint64_t ctx, LogIndex acked);
  // A member confirmed read ctx at rs.index: it must cover every write acknowledged before.
  void on_read_state(NodeId member, const raft::ReadState& rs);
  // A member served the read from its state machine, applied up to `applied`.
  void on_read_served(NodeId member, std::uint64_t ctx, LogIndex applied);
  void fail(std::string what);

  const std::optional<std::string>& violation() const { return violation_; }
  std::uint64_t committed_count() const { return committed_.size(); }
  std::uint64_t leaders_seen() const { return leaders_.size(); }
  // Digests compared with one taken earlier at the same index.
  std::uint64_t digests_compared() const { return digests_compared_; }
  std::uint64_t configurations_committed() const { return committed_configs_.size(); }
  std::uint64_t reads_served() const { return reads_served_; }
  // The entry known committed at index, if any.
  const raft::Entry* committed(LogIndex index) const;

 private:
  struct Committed {
    raft::Entry entry;
    Term commit_term;  // term of the first leader seen committing it (max if only applied)
    std::string digest;
  };
  struct Written {
    std::string data;
    raft::EntryType type;
    Term prev_term;
  };
  struct PairHash {
    std::size_t operator()(const std::pair<std::uint64_t, std::uint64_t>& p) const {
      return std::hash<std::uint64_t>()(p.first * 0x9E3779B97F4A7C15ULL ^ p.second);
    }
  };
  // The configurations one member's log holds, as the checker reads them from its writes.
  struct MemberConfigs {
    raft::Configuration initial;
    std::vector<raft::IndexedConfiguration> in_log;  // kConfig entries, in log order
    LogIndex committed_index;                        // of the core's committed configuration
  };
  struct Read {
    LogIndex acked;  // the newest acknowledged write when the read was issued
    bool confirmed = false;
    LogIndex index;  // the ReadState's index, once confirmed
  };
  void record_committed(const raft::Entry& e, Term commit_term, NodeId by);
  // Appends the kConfig entries among `entries` (after truncating from the first's index).
  bool add_configs(NodeId member, MemberConfigs& mc, const std::vector<raft::Entry>& entries);
  void check_configs(NodeId member, const MemberConfigs& mc, const raft::Core& core);
  void record_committed_config(NodeId member, const raft::IndexedConfiguration& c);

  std::optional<std::string> violation_;
  std::uint64_t digests_compared_ = 0;
  std::map<Term, NodeId> leaders_;
  std::map<Term, LogIndex> committed_in_term_;  // the highest index a leader of the term committed
  std::vector<Committed> committed_;  // index i at [i - 1]
  std::unordered_map<std::pair<std::uint64_t, std::uint64_t>, Written, PairHash> written_;
  raft::Configuration genesis_;
  std::map<NodeId, MemberConfigs> configs_;
  std::map<LogIndex, raft::Configuration> committed_configs_;  // every durable report
  std::map<std::uint64_t, Read> reads_;                        // issued, not yet served
  std::unordered_map<std::string, LogIndex> first_folded_;     // request id -> its one index
  std::uint64_t reads_served_ = 0;
};

}  // namespace movn::sim
