#include "tests/sim/checker.h"

#include <algorithm>
#include <limits>

namespace movn::sim {
namespace {
std::string n(std::uint64_t v) { return std::to_string(v); }

bool campaigning(raft::Role role) {
  return role == raft::Role::kPreCandidate || role == raft::Role::kCandidate;
}

// A member may campaign (and so lead) while it is a voter of its configuration in effect, or of
// its committed one until the change that removes or demotes it commits (raft::Core).
bool may_lead(NodeId member, const raft::Core& core) {
  return core.configuration().is_voter(member) ||
         core.committed_configuration().configuration.is_voter(member);
}

// Members whose role differs between a and b (added and removed ones included).
std::size_t members_changed(const raft::Configuration& a, const raft::Configuration& b) {
  std::size_t changed = 0;
  for (const auto& [id, role] : a.members) changed += b.role(id) != role ? 1 : 0;
  for (const auto& [id, role] : b.members) changed += a.contains(id) ? 0 : 1;
  return changed;
}

std::string text(const raft::IndexedConfiguration& c) {
  return "{" + raft::to_string(c.configuration) + "} (index " + n(c.index.value) + ")";
}
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
  if (!may_lead(member, core)) {
    fail("non-voter leads: member " + n(member.value) + " leads term " + n(term.value) +
         " but its configuration is {" + raft::to_string(core.configuration()) +
         "}, committed " + text(core.committed_configuration()));
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
  LogIndex& high = committed_in_term_[leader.term()];
  high = std::max(high, to);
  for (const raft::Entry& e : leader.log().slice(from.next(), to.next(),
                                                 std::numeric_limits<std::uint64_t>::max())) {
    record_committed(e, leader.term(), leader.id());
  }
}

void Checker::on_send(NodeId member, const raft::Message& m, const raft::MemoryLog& durable,
                      LogIndex synced_through) {
  using raft::MessageType;
  if (m.type == MessageType::kPreVote || m.type == MessageType::kPreVoteResp) return;
  if (durable.hard_state().term < m.term) {
    fail("member " + n(member.value) + " sent " + raft::to_string(m) + " before its term " + n(m.term.value) +
         " was durable (durable term " + n(durable.hard_state().term.value) + ")");
    return;
  }
  if (m.reject) return;
  if ((m.type == MessageType::kAppResp || m.type == MessageType::kHeartbeatResp) && m.index > synced_through) {
    fail("member " + n(member.value) + " acknowledged index " + n(m.index.value) + " (" + raft::to_string(m) +
         ") while only " + n(synced_through.value) + " was durable");
    return;
  }
  // A durable later term also holds the vote: the member can never vote in that term again.
  if (m.type == MessageType::kVoteResp && durable.hard_state().term == m.term && durable.hard_state().vote != m.to) {
    fail("member " + n(member.value) + " granted its vote to " + n(m.to.value) + " in term " + n(m.term.value) +
         " before that vote was durable (durable term " + n(durable.hard_state().term.value) + ", vote " +
         n(durable.hard_state().vote.value) + ")");
  }
}

void Checker::on_append_sent(NodeId member, const raft::Message& m, const raft::MemoryLog& written,
                             const raft::RaftLog& log, Term term) {
  // Within one term a leader's log only grows, so an append of the current term must match it.
  if (m.term != term) return;
  // What the member holds at `index`: the unstable tail above its stable part, else the store.
  auto own = [&](LogIndex index) -> const raft::Entry* {
    if (index > log.stable_last()) {
      const std::uint64_t i = index.value - log.stable_last().value - 1;
      return i < log.unstable().size() ? &log.unstable()[i] : nullptr;
    }
    return index.value >= 1 && index <= written.last_index() ? &written.at(index) : nullptr;
  };
  if (m.index.value > 0) {
    const raft::Entry* prev = own(m.index);
    if (prev == nullptr || prev->term != m.log_term) {
      fail("member " + n(member.value) + " sent " + raft::to_string(m) + " with the term of index " +
           n(m.index.value) + " as " + n(m.log_term.value) + ", but holds " +
           (prev ? "term " + n(prev->term.value) : std::string("no entry")) + " there");
      return;
    }
  }
  for (const raft::Entry& e : m.entries) {
    const raft::Entry* mine = own(e.index);
    if (mine == nullptr || mine->term != e.term || mine->data != e.data || mine->type != e.type) {
      fail("member " + n(member.value) + " sent index " + n(e.index.value) + " of term " + n(e.term.value) +
           " in " + raft::to_string(m) + ", which is not the entry its log holds there (" +
           (mine ? "term " + n(mine->term.value) : std::string("none")) + ")");
      return;
    }
  }
}

void Checker::on_commit_quorum(NodeId leader, LogIndex commit, std::size_t durable_holders, std::size_t quorum) {
  if (durable_holders >= quorum) return;
  fail("leader " + n(leader.value) + " committed index " + n(commit.value) + " held durably by only " +
       n(durable_holders) + " voters (quorum " + n(quorum) + ")");
}

void Checker::on_proposed(NodeId member, LogIndex index, Term term, LogIndex applied) {
  for (const auto& [t, high] : committed_in_term_) {
    if (t >= term) break;
    if (high > applied) {
      fail("member " + n(member.value) + " proposed at index " + n(index.value) + " in term " + n(term.value) +
           " having applied only up to " + n(applied.value) + ", while a leader of term " + n(t.value) +
           " had committed up to " + n(high.value) + ": it decided on a state without them");
      return;
    }
  }
}

void Checker::on_write(NodeId member, const std::vector<raft::Entry>& entries,
                       LogIndex member_commit, const raft::MemoryLog& before) {
  for (const raft::Entry& e : entries) {
    if (e.index > member_commit || e.index > before.last_index()) break;
    const raft::Entry& old = before.at(e.index);
    if (old.term != e.term || old.type != e.type || old.data != e.data) {
      fail("committed entry lost: member " + n(member.value) + " overwrites entry " +
           n(e.index.value) + " (term " + n(old.term.value) + ") with one of term " +
           n(e.term.value) + ", at or below its commit index " + n(member_commit.value));
      return;
    }
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

void Checker::on_role(NodeId member, const raft::Core& core) {
  if (campaigning(core.role()) && !may_lead(member, core)) {
    fail("non-voter campaigns: member " + n(member.value) + " is a " +
         std::string(raft::role_name(core.role())) + " in term " + n(core.term().value) +
         " but its configuration is {" + raft::to_string(core.configuration()) +
         "}, committed " + text(core.committed_configuration()));
  }
}

void Checker::on_broken(NodeId member, std::string_view what) {
  fail("core invariant on member " + n(member.value) + ": " + std::string(what));
}

void Checker::on_request_folded(NodeId member, const std::string& id, LogIndex index,
                                projections::ApplyOutcome outcome) {
  using projections::ApplyOutcome;
  // Expiry refuses an id older than the dedup window whether or not it was ever applied.
  if (id.empty() || outcome == ApplyOutcome::kExpired) return;
  const bool changes_state = outcome == ApplyOutcome::kApplied || outcome == ApplyOutcome::kSuperseded;
  auto it = first_folded_.find(id);
  if (changes_state) {
    if (it == first_folded_.end()) {
      first_folded_.emplace(id, index);
    } else if (it->second != index) {
      fail("request " + id + " applied twice: member " + n(member.value) + " folded it at index " + n(index.value) +
           ", but it was first folded at index " + n(it->second.value));
    }
    return;
  }
  // A refusal must point at an earlier index where the id did change state.
  if (it == first_folded_.end() || it->second >= index)
    fail("member " + n(member.value) + " refused request " + id + " at index " + n(index.value) +
         " as already applied, but it was not applied before");
}

// ---- configurations ----

bool Checker::add_configs(NodeId member, MemberConfigs& mc,
                          const std::vector<raft::Entry>& entries) {
  if (entries.empty()) return true;
  // A write truncates from its first index: configurations there and above are rolled back.
  const LogIndex first = entries.front().index;
  while (!mc.in_log.empty() && mc.in_log.back().index >= first) mc.in_log.pop_back();
  for (const raft::Entry& e : entries) {
    if (e.type != raft::EntryType::kConfig) continue;
    auto c = raft::decode_configuration(e.data);
    if (!c.ok()) {
      fail("configuration entry " + n(e.index.value) + " on member " + n(member.value) +
           " does not decode: " + c.error().message);
      return false;
    }
    const raft::Configuration& prev =
        mc.in_log.empty() ? genesis_ : mc.in_log.back().configuration;
    if (members_changed(prev, *c) > 1) {
      fail("configuration entry " + n(e.index.value) + " on member " + n(member.value) +
           " changes more than one member: {" + raft::to_string(prev) + "} -> {" +
           raft::to_string(*c) + "}");
      return false;
    }
    mc.in_log.push_back(raft::IndexedConfiguration{e.index, std::move(c).value()});
  }
  return true;
}

void Checker::check_configs(NodeId member, const MemberConfigs& mc, const raft::Core& core) {
  raft::IndexedConfiguration want{LogIndex(0), mc.initial};
  if (!mc.in_log.empty()) want = mc.in_log.back();
  if (core.configuration() != want.configuration) {
    fail("configuration not in log order: member " + n(member.value) + " has {" +
         raft::to_string(core.configuration()) + "} in effect, its log says " + text(want));
    return;
  }
  want = raft::IndexedConfiguration{LogIndex(0), mc.initial};
  for (auto it = mc.in_log.rbegin(); it != mc.in_log.rend(); ++it) {
    if (it->index <= core.committed()) {
      want = *it;
      break;
    }
  }
  if (core.committed_configuration() != want) {
    fail("committed configuration not in log order: member " + n(member.value) + " reports " +
         text(core.committed_configuration()) + " at commit index " +
         n(core.committed().value) + ", its log says " + text(want));
  }
}

void Checker::record_committed_config(NodeId member, const raft::IndexedConfiguration& c) {
  if (c.index.value == 0) return;
  auto [it, inserted] = committed_configs_.emplace(c.index, c.configuration);
  if (!inserted && it->second != c.configuration) {
    fail("committed configuration changed: index " + n(c.index.value) + " was {" +
         raft::to_string(it->second) + "}, member " + n(member.value) + " reports " + text(c));
    return;
  }
  const raft::Entry* e = committed(c.index);
  if (e && (e->type != raft::EntryType::kConfig ||
            e->data != raft::encode_configuration(c.configuration))) {
    fail("committed configuration " + text(c) + " reported by member " + n(member.value) +
         " is not the entry committed at that index");
  }
}

void Checker::on_start(NodeId member, const raft::Configuration& initial,
                       const raft::MemoryLog& log, const raft::Core& core) {
  MemberConfigs& mc = configs_[member];
  mc.initial = initial;
  mc.in_log.clear();
  if (!add_configs(member, mc, log.all())) return;
  check_configs(member, mc, core);
  mc.committed_index = core.committed_configuration().index;
}

void Checker::on_ready(NodeId member, const raft::Core& core, const raft::Ready& rd) {
  MemberConfigs& mc = configs_[member];
  if (!add_configs(member, mc, rd.entries_to_persist)) return;
  check_configs(member, mc, core);
  if (violation_) return;
  const raft::IndexedConfiguration& committed = core.committed_configuration();
  if (committed.index < mc.committed_index) {
    fail("committed configuration went back: member " + n(member.value) + " had index " +
         n(mc.committed_index.value) + ", now " + text(committed));
    return;
  }
  mc.committed_index = committed.index;
  if (rd.committed_config && *rd.committed_config != committed) {
    fail("member " + n(member.value) + " reports committed configuration " +
         text(*rd.committed_config) + " in a Ready, but its core holds " + text(committed));
    return;
  }
  if (core.role() == raft::Role::kLeader) {
    // The cluster's commit index: the highest index any leader committed (durably) or any member
    // applied; or this leader's own, which a lone voter moves on append, before its write is
    // synced (entries are durable in log order, so a crash loses a later change with it).
    const LogIndex cluster_commit = std::max(LogIndex(committed_.size()), core.committed());
    std::vector<std::uint64_t> above;
    for (const raft::IndexedConfiguration& c : mc.in_log) {
      if (c.index > cluster_commit) above.push_back(c.index.value);
    }
    if (above.size() > 1) {
      fail("configuration changes uncommitted at once: leader " + n(member.value) + " of term " +
           n(core.term().value) + " holds kConfig entries " + n(above[0]) + " and " +
           n(above[1]) + " above the commit index " + n(cluster_commit.value));
    }
  }
}

void Checker::on_synced(NodeId member, const raft::Ready& rd, Term prev_term) {
  Term prev = prev_term;
  for (const raft::Entry& e : rd.entries_to_persist) {
    auto [it, inserted] =
        written_.try_emplace({e.index.value, e.term.value}, Written{e.data, e.type, prev});
    if (!inserted && (it->second.data != e.data || it->second.type != e.type ||
                      it->second.prev_term != prev)) {
      fail("log matching: entry " + n(e.index.value) + " of term " + n(e.term.value) +
           " differs on member " + n(member.value));
      return;
    }
    prev = e.term;
  }
  // Every durable report of the committed configuration at an index agrees.
  if (rd.committed_config) record_committed_config(member, *rd.committed_config);
}

// ---- ReadIndex ----

void Checker::on_read_issued(std::uint64_t ctx, LogIndex acked) {
  reads_[ctx] = Read{acked, false, LogIndex(0)};
}

void Checker::on_read_state(NodeId member, const raft::ReadState& rs) {
  auto it = reads_.find(rs.request_ctx);
  if (it == reads_.end() || it->second.confirmed) {
    fail("read " + n(rs.request_ctx) + " confirmed by member " + n(member.value) +
         " was never issued or is confirmed twice");
    return;
  }
  if (rs.index < it->second.acked) {
    fail("stale read: member " + n(member.value) + " confirmed read " + n(rs.request_ctx) +
         " at index " + n(rs.index.value) + ", but a write at index " +
         n(it->second.acked.value) + " was acknowledged before the read was issued");
    return;
  }
  it->second.confirmed = true;
  it->second.index = rs.index;
}

void Checker::on_read_served(NodeId member, std::uint64_t ctx, LogIndex applied) {
  auto it = reads_.find(ctx);
  if (it == reads_.end() || !it->second.confirmed) {
    fail("read " + n(ctx) + " served by member " + n(member.value) + " was never confirmed");
    return;
  }
  if (applied < it->second.index || applied < it->second.acked) {
    fail("stale read: member " + n(member.value) + " served read " + n(ctx) +
         " from its state at index " + n(applied.value) + " (confirmed at " +
         n(it->second.index.value) + ", acknowledged before issue: " +
         n(it->second.acked.value) + ")");
    return;
  }
  ++reads_served_;
  reads_.erase(it);
}

}  // namespace movn::sim
