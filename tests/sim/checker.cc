#include "tests/sim/checker.h"

#include <limits>

namespace movn::sim {
namespace {
std::string n(std::uint64_t v) { return std::to_string(v); }
}  // namespace

void Checker::fail(std::string what) {
  if (!violation_) violation_ = std::move(what);
}

const raft::Entry* Checker::committed(LogIndex index) const {
  if (index.value == 0 || index.value > committed_.size()) return nullptr;
  const Committed& c = committed_[index.value - 1];
  return c.entry.index == index ? &c.entry : nullptr;
}

void Checker::on_leader(NodeId member, Term term, const raft::Core& core) {
  auto [it, inserted] = leaders_.emplace(term, member);
  if (!inserted) {
    if (it->second != member) {
      fail("election safety: members " + n(it->second.value) + " and " + n(member.value) +
           " both leaders in term " + n(term.value));
    }
    return;
  }
  // Leader completeness: every entry committed in an earlier term is in the new leader's log.
  for (const Committed& c : committed_) {
    if (c.entry.index.value == 0 || c.commit_term >= term) continue;
    if (core.log().term(c.entry.index) != c.entry.term) {
      fail("leader completeness: leader " + n(member.value) + " of term " + n(term.value) +
           " lacks entry " + n(c.entry.index.value) + " (term " + n(c.entry.term.value) +
           ") committed in term " + n(c.commit_term.value));
      return;
    }
  }
}

void Checker::record_committed(const raft::Entry& e, Term commit_term, NodeId by) {
  if (committed_.size() < e.index.value) committed_.resize(e.index.value);
  Committed& c = committed_[e.index.value - 1];
  if (c.entry.index.value == 0) {
    c.entry = e;
    c.commit_term = commit_term;
    return;
  }
  if (c.entry.term != e.term || c.entry.data != e.data || c.entry.type != e.type) {
    fail("committed entry changed: index " + n(e.index.value) + " was term " +
         n(c.entry.term.value) + " (" + std::to_string(c.entry.data.size()) +
         " bytes), member " + n(by.value) + " has term " + n(e.term.value) + " (" +
         std::to_string(e.data.size()) + " bytes)");
  }
  if (commit_term < c.commit_term) c.commit_term = commit_term;
}

void Checker::on_leader_commit(const raft::Core& leader, LogIndex from, LogIndex to) {
  if (from >= to) return;
  for (const raft::Entry& e : leader.log().slice(from.next(), to.next(),
                                                 std::numeric_limits<std::uint64_t>::max())) {
    record_committed(e, leader.term(), leader.id());
  }
}

void Checker::on_write(NodeId member, const std::vector<raft::Entry>& entries, Term prev_term,
                       LogIndex member_commit, LogIndex last_before) {
  if (entries.empty()) return;
  if (entries.front().index <= last_before && entries.front().index <= member_commit) {
    fail("committed entry lost: member " + n(member.value) + " truncates from " +
         n(entries.front().index.value) + " below its commit index " + n(member_commit.value));
    return;
  }
  Term prev = prev_term;
  for (const raft::Entry& e : entries) {
    auto [it, inserted] = written_.try_emplace({e.index.value, e.term.value},
                                               Written{e.data, e.type, prev});
    if (!inserted && (it->second.data != e.data || it->second.type != e.type ||
                      it->second.prev_term != prev)) {
      fail("log matching: entry " + n(e.index.value) + " of term " + n(e.term.value) +
           " differs on member " + n(member.value));
      return;
    }
    prev = e.term;
  }
}

void Checker::on_apply(NodeId member, const raft::Entry& e, const std::string& digest) {
  record_committed(e, Term(std::numeric_limits<std::uint64_t>::max()), member);
  on_digest(member, e.index, digest);
}

void Checker::on_digest(NodeId member, LogIndex applied, const std::string& digest) {
  if (digest.empty() || applied.value == 0 || applied.value > committed_.size()) return;
  Committed& c = committed_[applied.value - 1];
  if (c.digest.empty()) {
    c.digest = digest;
    return;
  }
  ++digests_compared_;
  if (c.digest != digest) {
    fail("state machines diverge: member " + n(member.value) + " digest differs at index " +
         n(applied.value));
  }
}

void Checker::on_broken(NodeId member, std::string_view what) {
  fail("core invariant on member " + n(member.value) + ": " + std::string(what));
}

}  // namespace movn::sim
