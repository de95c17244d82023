// Checker: the simulator's safety invariants, checked incrementally as events happen (so thousands
// of seeds run in minutes). The first violation is kept; Simulator stops the seed on it.
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

namespace movn::sim {

class Checker {
 public:
  // At most one leader per term.
  void on_leader(NodeId member, Term term, const raft::Core& core);
  // A leader's commit index moved to `committed`: record what it committed, in which term.
  void on_leader_commit(const raft::Core& leader, LogIndex from, LogIndex to);
  // Log matching: every (index, term) pair holds the same bytes and follows the same term
  // everywhere. Called for entries a member writes, with the term of the entry before the first.
  void on_write(NodeId member, const std::vector<raft::Entry>& entries, Term prev_term,
                LogIndex member_commit, LogIndex truncated_from_last);
  // A member applied an entry: same index, same entry everywhere; equal digests at equal index.
  // An empty digest: none was taken after this entry (the simulator samples costly digests).
  void on_apply(NodeId member, const raft::Entry& e, const std::string& digest);
  // A digest taken at an applied index after the fact (liveness: the settled members).
  void on_digest(NodeId member, LogIndex applied, const std::string& digest);
  // The core reported a broken invariant.
  void on_broken(NodeId member, std::string_view what);
  void fail(std::string what);

  const std::optional<std::string>& violation() const { return violation_; }
  std::uint64_t committed_count() const { return committed_.size(); }
  std::uint64_t leaders_seen() const { return leaders_.size(); }
  // Digests compared with one taken earlier at the same index.
  std::uint64_t digests_compared() const { return digests_compared_; }
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
  void record_committed(const raft::Entry& e, Term commit_term, NodeId by);

  std::optional<std::string> violation_;
  std::uint64_t digests_compared_ = 0;
  std::map<Term, NodeId> leaders_;
  std::vector<Committed> committed_;  // index i at [i - 1]
  std::unordered_map<std::pair<std::uint64_t, std::uint64_t>, Written, PairHash> written_;
};

}  // namespace movn::sim
