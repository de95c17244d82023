#include "eventlog/raft/roles.h"

#include <algorithm>

namespace movn::raft {

namespace {

// Whether the online voters still form a quorum of the voter set after `change`.
bool keeps_quorum(const std::vector<MemberStatus>& members, const RoleChange& change) {
  std::size_t voters = 0;
  std::size_t online = 0;
  for (const MemberStatus& m : members) {
    MemberRole role = m.id == change.member ? change.role : m.role;
    if (role != MemberRole::kVoter) continue;
    ++voters;
    if (m.online) ++online;
  }
  return voters > 0 && online >= voters / 2 + 1;
}

// Promotion order: the highest match, then the lowest id.
const MemberStatus* best_to_promote(const std::vector<const MemberStatus*>& candidates) {
  const MemberStatus* best = nullptr;
  for (const MemberStatus* m : candidates) {
    if (!best || m->match > best->match || (m->match == best->match && m->id < best->id)) {
      best = m;
    }
  }
  return best;
}

// Demotion order: the lowest match, then the highest id.
const MemberStatus* best_to_demote(const std::vector<const MemberStatus*>& candidates) {
  const MemberStatus* best = nullptr;
  for (const MemberStatus* m : candidates) {
    if (!best || m->match < best->match || (m->match == best->match && m->id > best->id)) {
      best = m;
    }
  }
  return best;
}

}  // namespace

std::optional<RoleChange> plan_role_change(const std::vector<MemberStatus>& members, NodeId leader,
                                           const RoleTargets& targets) {
  auto select = [&](MemberRole role, auto&& pred) {
    std::vector<const MemberStatus*> out;
    for (const MemberStatus& m : members) {
      if (m.role == role && m.id != leader && pred(m)) out.push_back(&m);
    }
    return out;
  };
  auto count = [&](MemberRole role, bool online) {
    std::size_t n = 0;
    for (const MemberStatus& m : members) {
      if (m.role == role && m.online == online) ++n;
    }
    return n;
  };
  auto safe = [&](const MemberStatus* m, MemberRole role) -> std::optional<RoleChange> {
    if (!m) return std::nullopt;
    RoleChange c{m->id, role};
    if (!keeps_quorum(members, c)) return std::nullopt;
    return c;
  };
  auto online = [](const MemberStatus& m) { return m.online; };
  auto offline = [](const MemberStatus& m) { return !m.online; };
  auto ready = [](const MemberStatus& m) { return m.online && m.caught_up; };

  const std::size_t voters_target = std::min(targets.voters, members.size());
  const std::size_t online_voters = count(MemberRole::kVoter, true);
  const std::size_t online_standbys = count(MemberRole::kStandby, true);

  // 1. Replace missing voters first, so a demotion never leaves a voter short.
  if (online_voters < voters_target) {
    for (MemberRole from : {MemberRole::kStandby, MemberRole::kSpare}) {
      if (auto c = safe(best_to_promote(select(from, ready)), MemberRole::kVoter)) return c;
    }
  }
  // 2. An offline voter.
  if (auto c = safe(best_to_demote(select(MemberRole::kVoter, offline)), MemberRole::kSpare)) {
    return c;
  }
  // 3. One online voter too many.
  if (online_voters > voters_target) {
    MemberRole to = online_standbys < targets.standbys ? MemberRole::kStandby : MemberRole::kSpare;
    if (auto c = safe(best_to_demote(select(MemberRole::kVoter, online)), to)) return c;
  }
  // 4. Stand-bys: fill up from the online spares.
  if (online_standbys < targets.standbys) {
    if (auto c = safe(best_to_promote(select(MemberRole::kSpare, online)), MemberRole::kStandby)) {
      return c;
    }
  }
  // 5. An offline stand-by, or one too many.
  if (auto c = safe(best_to_demote(select(MemberRole::kStandby, offline)), MemberRole::kSpare)) {
    return c;
  }
  if (online_standbys > targets.standbys) {
    if (auto c = safe(best_to_demote(select(MemberRole::kStandby, online)), MemberRole::kSpare)) {
      return c;
    }
  }
  return std::nullopt;
}

}  // namespace movn::raft
