// Role policy: which single configuration change brings the members' roles toward the targets
// (3 voters, up to 3 stand-bys, the rest spares; docs/design.md §4). A pure function over the
// leader's view of the members; raft::Core::next_role_change() feeds it. Thread-safe (no state).
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "eventlog/raft/configuration.h"

namespace movn::raft {

struct RoleTargets {
  std::size_t voters = 3;    // fewer when the configuration has fewer members
  std::size_t standbys = 3;  // among the members that are not voters
};

// The leader's view of one member of its configuration.
struct MemberStatus {
  NodeId id;
  MemberRole role = MemberRole::kSpare;
  bool online = false;  // heard from within the last election timeout (the leader: always)
  LogIndex match;       // the leader's Progress::match
  // Non-voters: finished a catch-up round within an election timeout (Progress::CatchUp), so a
  // promotion to voter will not stall commits. Voters: true.
  bool caught_up = false;
  bool operator==(const MemberStatus&) const = default;
};

struct RoleChange {
  NodeId member;
  MemberRole role = MemberRole::kSpare;
  bool operator==(const RoleChange&) const = default;
};

// The next change, or nullopt when the roles already fit (or no safe change exists). In order:
//  1. fewer online voters than the target: promote a caught-up online stand-by, else spare;
//  2. a voter that is offline: demote it to spare (its replacement came first, by rule 1);
//  3. more online voters than the target: demote one (never the leader) to stand-by or spare;
//  4. fewer online stand-bys than the target: make an online spare a stand-by;
//  5. a stand-by that is offline, or one too many: make it a spare.
// Never returns a change after which the online voters would be short of a quorum of the new
// voter set, nor one that touches the leader. Among equals: the highest match, then the lowest id
// is promoted; the lowest match, then the highest id is demoted.
std::optional<RoleChange> plan_role_change(const std::vector<MemberStatus>& members, NodeId leader,
                                           const RoleTargets& targets);

}  // namespace movn::raft
