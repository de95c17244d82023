// Unit tests of the role policy (raft::plan_role_change): targets, preference order, offline
// voters, and the rule that no change by itself leaves the online voters short of a quorum.
#include "eventlog/raft/roles.h"

#include <gtest/gtest.h>

namespace movn::raft {
namespace {

constexpr MemberRole V = MemberRole::kVoter;
constexpr MemberRole B = MemberRole::kStandby;
constexpr MemberRole S = MemberRole::kSpare;

// id, role, online, match (caught up: online and match >= 100).
MemberStatus m(std::uint64_t id, MemberRole role, bool online = true, std::uint64_t match = 100) {
  return MemberStatus{NodeId(id), role, online, LogIndex(match), online && match >= 100};
}

std::optional<RoleChange> plan(const std::vector<MemberStatus>& members) {
  return plan_role_change(members, NodeId(1), RoleTargets{});
}

RoleChange change(std::uint64_t id, MemberRole role) { return RoleChange{NodeId(id), role}; }

TEST(Roles, NothingToDoWhenTheRolesFit) {
  EXPECT_EQ(plan({m(1, V)}), std::nullopt);
  EXPECT_EQ(plan({m(1, V), m(2, V)}), std::nullopt);
  EXPECT_EQ(plan({m(1, V), m(2, V), m(3, V), m(4, B), m(5, B), m(6, B), m(7, S), m(8, S)}),
            std::nullopt);
}

TEST(Roles, FewerMembersThanTheTargetAreAllVoters) {
  EXPECT_EQ(plan({m(1, V), m(2, S)}), change(2, V));
  EXPECT_EQ(plan({m(1, V), m(2, V), m(3, B)}), change(3, V));
}

TEST(Roles, StandbyIsPromotedBeforeASpare) {
  // The spare is further ahead, but a stand-by is the first choice.
  EXPECT_EQ(plan({m(1, V), m(2, V), m(3, S, true, 150), m(4, B, true, 120)}), change(4, V));
  // Among stand-bys: the highest match, then the lowest id.
  EXPECT_EQ(plan({m(1, V), m(2, V), m(5, B, true, 120), m(4, B, true, 110), m(3, S)}),
            change(5, V));
  EXPECT_EQ(plan({m(1, V), m(2, V), m(5, B), m(4, B)}), change(4, V));
}

TEST(Roles, ACaughtUpSpareIsPromotedWhenNoStandbyIsCaughtUp) {
  EXPECT_EQ(plan({m(1, V), m(2, V), m(3, B, true, 50), m(4, S)}), change(4, V));
  EXPECT_EQ(plan({m(1, V), m(2, V), m(3, B, false), m(4, S)}), change(4, V));
}

TEST(Roles, NoPromotionToVoterBeforeCatchUp) {
  // Nobody is caught up: the lagging spare may become a stand-by, never a voter yet.
  EXPECT_EQ(plan({m(1, V), m(2, V), m(3, S, true, 50)}), change(3, B));
  EXPECT_EQ(plan({m(1, V), m(2, V), m(3, B, true, 50)}), std::nullopt);
}

TEST(Roles, OfflineVoterIsReplacedThenDemoted) {
  std::vector<MemberStatus> members{m(1, V), m(2, V), m(3, V, false), m(4, B), m(5, S)};
  // First the replacement (the online voters stay a quorum of 4)...
  ASSERT_EQ(plan(members), change(4, V));
  members[3].role = V;
  // ...then the offline voter goes to spare.
  ASSERT_EQ(plan(members), change(3, S));
  members[2].role = S;
  // The spare fills the empty stand-by place; the offline spare stays a spare.
  EXPECT_EQ(plan(members), change(5, B));
}

TEST(Roles, OfflineVoterIsDemotedEvenWithoutAReplacement) {
  EXPECT_EQ(plan({m(1, V), m(2, V), m(3, V, false)}), change(3, S));
}

TEST(Roles, NoChangeThatLosesQuorum) {
  // Only the leader is online of 3 voters: promoting the stand-by (2 of 4) or demoting an
  // offline voter (1 of 2) would each leave the online voters short of a quorum.
  EXPECT_EQ(plan({m(1, V), m(2, V, false), m(3, V, false), m(4, B)}), std::nullopt);
  // 5 voters, 2 online, a target of 1: demoting an offline voter leaves 2 of 4 online, demoting
  // the online one leaves 1 of 4: neither.
  std::vector<MemberStatus> five{m(1, V), m(2, V), m(3, V, false), m(4, V, false), m(5, V, false)};
  EXPECT_EQ(plan_role_change(five, NodeId(1), RoleTargets{1, 3}), std::nullopt);
  // With 3 of 5 online the same targets start with the offline voters.
  five[2].online = true;
  EXPECT_EQ(plan_role_change(five, NodeId(1), RoleTargets{1, 3}), change(5, S));
}

TEST(Roles, ExtraOnlineVoterIsDemotedButNeverTheLeader) {
  // The leader (1) has the lowest match but is never chosen.
  std::vector<MemberStatus> members{m(1, V, true, 90), m(2, V), m(3, V, true, 120), m(4, V)};
  EXPECT_EQ(plan(members), change(4, B));
  // No room among the stand-bys: to spare.
  members.push_back(m(5, B));
  members.push_back(m(6, B));
  members.push_back(m(7, B));
  EXPECT_EQ(plan(members), change(4, S));
}

TEST(Roles, StandbysAreFilledFromOnlineSparesAndEmptiedWhenOffline) {
  EXPECT_EQ(plan({m(1, V), m(2, V), m(3, V), m(4, S, false), m(5, S, true, 10)}), change(5, B));
  EXPECT_EQ(plan({m(1, V), m(2, V), m(3, V), m(4, B, false)}), change(4, S));
  EXPECT_EQ(plan_role_change({m(1, V), m(2, B), m(3, B, true, 90)}, NodeId(1), RoleTargets{1, 1}),
            change(3, S));
}

TEST(Roles, TheLeaderIsNeverTouched) {
  // Even offline in its own view (it never is; the core reports it online), it stays.
  EXPECT_EQ(plan({m(1, V, false), m(2, V), m(3, V)}), std::nullopt);
}

}  // namespace
}  // namespace movn::raft
