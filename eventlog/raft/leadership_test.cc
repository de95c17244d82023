// Unit tests of raft::Core leadership transfer (TimeoutNow, catch-up first, timeout, lease
// bypass) and ReadIndex (quorum confirmation, held until the no-op commits, never answered by a
// partitioned leader).
#include <gtest/gtest.h>

#include <cstdint>

#include "eventlog/raft/raft_test_cluster.h"

namespace movn::raft {
namespace {
using testing::TestCluster;

std::size_t first_sent(const TestCluster& c, std::size_t since, MessageType type,
                       std::uint64_t to) {
  for (std::size_t i = since; i < c.sent.size(); ++i) {
    if (c.sent[i].type == type && c.sent[i].to == NodeId(to)) return i;
  }
  return c.sent.size();
}

// ---- leadership transfer ----

TEST(Transfer, ToAnUpToDateVoterIsImmediate) {
  TestCluster c(3);
  c.elect(1);
  std::size_t before = c.sent.size();
  ASSERT_TRUE(c.node(1).transfer(NodeId(2)).ok());
  EXPECT_EQ(c.node(1).transferee(), NodeId(2));
  c.stabilize();  // no ticks: 2 campaigns at once, and 3 grants inside its lease
  EXPECT_EQ(c.node(2).role(), Role::kLeader);
  EXPECT_EQ(c.node(2).term(), Term(2));
  EXPECT_EQ(c.node(1).role(), Role::kFollower);
  EXPECT_EQ(c.node(1).leader(), NodeId(2));
  EXPECT_EQ(c.node(1).transferee(), kNoNode);
  // No pre-vote, and the votes said why.
  bool votes = false;
  for (std::size_t i = before; i < c.sent.size(); ++i) {
    EXPECT_NE(c.sent[i].type, MessageType::kPreVote);
    if (c.sent[i].type == MessageType::kVote) {
      EXPECT_TRUE(c.sent[i].transfer);
      votes = true;
    }
  }
  EXPECT_TRUE(votes);
  ASSERT_TRUE(c.node(2).propose("after").ok());
  c.stabilize();
  EXPECT_EQ(c.applied(1).back().data, "after");
}

TEST(Transfer, WithoutTheFlagAVoteInsideTheLeaseIsIgnored) {
  // The control for the test above: the same vote request, unflagged, changes nothing.
  TestCluster c(3);
  c.elect(1);
  Message v;
  v.type = MessageType::kVote;
  v.from = NodeId(2);
  v.to = NodeId(3);
  v.term = Term(2);
  v.index = c.node(2).last_index();
  v.log_term = c.node(2).log().last_term();
  c.node(3).step(v);
  EXPECT_EQ(c.node(3).term(), Term(1));
  v.transfer = true;
  c.node(3).step(v);
  EXPECT_EQ(c.node(3).term(), Term(2));
  EXPECT_EQ(c.node(3).vote(), NodeId(2));
}

TEST(Transfer, ToALaggingMemberCompletesAfterCatchUp) {
  TestCluster c(3);
  c.elect(1);
  c.isolate(3);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(c.node(1).propose("p" + std::to_string(i)).ok());
  c.stabilize();
  ASSERT_EQ(c.node(1).committed(), LogIndex(6));
  ASSERT_EQ(c.storage(3).all().size(), 1u);
  c.heal();
  std::size_t before = c.sent.size();
  ASSERT_TRUE(c.node(1).transfer(NodeId(3)).ok());
  // Proposals wait while the transfer runs.
  auto refused = c.node(1).propose("during");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::kUnavailable);
  c.stabilize();
  EXPECT_EQ(c.node(3).role(), Role::kLeader);
  EXPECT_EQ(c.node(1).role(), Role::kFollower);
  EXPECT_EQ(c.storage(3).all().size(), 7u);  // the old log and its own no-op
  // TimeoutNow left only once 3 held the whole log.
  std::size_t timeout_now = first_sent(c, before, MessageType::kTimeoutNow, 3);
  ASSERT_LT(timeout_now, c.sent.size());
  for (std::size_t i = timeout_now; i < c.sent.size(); ++i) {
    const Message& m = c.sent[i];
    if (m.from == NodeId(1) && m.to == NodeId(3) && m.type == MessageType::kApp) {
      EXPECT_TRUE(m.entries.empty()) << to_string(m);
    }
  }
  bool caught_up_before = false;
  for (std::size_t i = before; i < timeout_now; ++i) {
    const Message& m = c.sent[i];
    if (m.from == NodeId(3) && m.type == MessageType::kAppResp && !m.reject &&
        m.index == LogIndex(6)) {
      caught_up_before = true;
    }
  }
  EXPECT_TRUE(caught_up_before);
}

TEST(Transfer, TimesOutWhenTheTargetIsUnreachableAndCanBeRetried) {
  TestCluster c(3);
  c.elect(1);
  c.isolate(3);
  ASSERT_TRUE(c.node(1).transfer(NodeId(3)).ok());
  c.stabilize();
  EXPECT_EQ(c.node(1).transferee(), NodeId(3));
  EXPECT_FALSE(c.node(1).propose("x").ok());
  for (int i = 0; i < 9; ++i) {
    c.tick(1);
    c.tick(2);
    c.stabilize();
  }
  EXPECT_EQ(c.node(1).transferee(), NodeId(3));
  c.tick(1);  // an election timeout after it started
  c.stabilize();
  EXPECT_EQ(c.node(1).transferee(), kNoNode);
  EXPECT_EQ(c.node(1).role(), Role::kLeader);
  EXPECT_EQ(c.node(1).term(), Term(1));
  EXPECT_TRUE(c.node(1).propose("x").ok());
  c.stabilize();
  // Retried once the target is back.
  c.heal();
  ASSERT_TRUE(c.node(1).transfer(NodeId(3)).ok());
  c.stabilize();
  EXPECT_EQ(c.node(3).role(), Role::kLeader);
}

TEST(Transfer, Errors) {
  TestCluster c(4, [](Config& cfg) { cfg.voters = {NodeId(1), NodeId(2), NodeId(3)}; });
  c.elect(1);
  ASSERT_TRUE(c.node(1).propose_change(NodeId(4), MemberRole::kStandby).ok());
  c.stabilize();
  auto code = [&](std::uint64_t node, std::uint64_t to) {
    auto r = c.node(node).transfer(NodeId(to));
    return r.ok() ? std::optional<Errc>() : r.error().code;
  };
  EXPECT_EQ(code(2, 3), Errc::kUnavailable);  // not the leader
  EXPECT_EQ(code(1, 1), Errc::kInvalidArgument);
  EXPECT_EQ(code(1, 9), Errc::kNotFound);
  EXPECT_EQ(code(1, 4), Errc::kFailedPrecondition);  // a stand-by cannot lead
  EXPECT_EQ(c.node(1).transferee(), kNoNode);
  // A stand-by told to campaign does not.
  Message t;
  t.type = MessageType::kTimeoutNow;
  t.from = NodeId(1);
  t.to = NodeId(4);
  t.term = Term(1);
  c.node(4).step(t);
  EXPECT_EQ(c.node(4).role(), Role::kFollower);
  EXPECT_EQ(c.node(4).term(), Term(1));
}

TEST(Transfer, ProposeChangeWaitsForTheTransfer) {
  TestCluster c(4, [](Config& cfg) { cfg.voters = {NodeId(1), NodeId(2), NodeId(3)}; });
  c.elect(1);
  c.isolate(2);
  ASSERT_TRUE(c.node(1).transfer(NodeId(2)).ok());
  auto r = c.node(1).propose_change(NodeId(4), MemberRole::kSpare);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kUnavailable);
  EXPECT_EQ(c.node(1).next_role_change(), std::nullopt);
}

// ---- ReadIndex ----

TEST(ReadIndex, ASingleVoterAnswersAtOnce) {
  TestCluster c(1);
  c.elect(1);
  std::size_t before = c.sent.size();
  ASSERT_TRUE(c.node(1).read_index(7).ok());
  ASSERT_TRUE(c.process(1));
  ASSERT_EQ(c.read_states(1).size(), 1u);
  EXPECT_EQ(c.read_states(1)[0], (ReadState{7, LogIndex(1)}));
  EXPECT_EQ(c.sent.size(), before);
}

TEST(ReadIndex, ConfirmedByAQuorumOfHeartbeats) {
  TestCluster c(3);
  c.elect(1);
  ASSERT_TRUE(c.node(1).propose("a").ok());
  c.stabilize();
  std::size_t before = c.sent.size();
  ASSERT_TRUE(c.node(1).read_index(42).ok());
  ASSERT_TRUE(c.node(1).read_index(43).ok());
  EXPECT_TRUE(c.read_states(1).empty());
  c.stabilize();
  ASSERT_EQ(c.read_states(1).size(), 2u);
  EXPECT_EQ(c.read_states(1)[0], (ReadState{42, LogIndex(2)}));
  EXPECT_EQ(c.read_states(1)[1], (ReadState{43, LogIndex(2)}));
  // Confirmed by heartbeats carrying the round, not by a log write.
  EXPECT_EQ(c.node(1).last_index(), LogIndex(2));
  std::size_t hb = first_sent(c, before, MessageType::kHeartbeat, 2);
  ASSERT_LT(hb, c.sent.size());
  EXPECT_NE(c.sent[hb].context, 0u);
}

TEST(ReadIndex, AFollowerRefuses) {
  TestCluster c(3);
  c.elect(1);
  auto r = c.node(2).read_index(1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kUnavailable);
}

TEST(ReadIndex, HeldUntilTheLeaderCommitsAnEntryOfItsTerm) {
  TestCluster c(3);
  c.elect(1);
  ASSERT_TRUE(c.node(1).propose("a").ok());
  c.stabilize();
  // A new leader whose no-op is not acknowledged yet: its commit index is of an older term.
  c.filter = [](Message& m) { return m.type != MessageType::kAppResp; };
  ASSERT_TRUE(c.node(1).transfer(NodeId(2)).ok());
  c.stabilize();
  ASSERT_EQ(c.node(2).role(), Role::kLeader);
  ASSERT_EQ(c.node(2).committed(), LogIndex(2));
  ASSERT_TRUE(c.node(2).read_index(5).ok());
  c.tick(2);
  c.stabilize();
  EXPECT_TRUE(c.read_states(2).empty());
  c.filter = nullptr;
  c.tick(2);
  c.stabilize();
  ASSERT_EQ(c.read_states(2).size(), 1u);
  EXPECT_EQ(c.read_states(2)[0].request_ctx, 5u);
  EXPECT_EQ(c.read_states(2)[0].index, LogIndex(3));  // the no-op
}

TEST(ReadIndex, RetriedByTheNextHeartbeatWhenAcksAreLost) {
  TestCluster c(3);
  c.elect(1);
  c.filter = [](Message& m) { return m.type != MessageType::kHeartbeatResp; };
  ASSERT_TRUE(c.node(1).read_index(9).ok());
  c.stabilize();
  EXPECT_TRUE(c.read_states(1).empty());
  c.filter = nullptr;
  c.tick(1);
  c.stabilize();
  ASSERT_EQ(c.read_states(1).size(), 1u);
  EXPECT_EQ(c.read_states(1)[0].request_ctx, 9u);
}

TEST(ReadIndex, NonVotersDoNotCount) {
  TestCluster c(4, [](Config& cfg) { cfg.voters = {NodeId(1), NodeId(2), NodeId(3)}; });
  c.elect(1);
  ASSERT_TRUE(c.node(1).propose_change(NodeId(4), MemberRole::kStandby).ok());
  c.stabilize();
  c.isolate(2);
  c.isolate(3);
  ASSERT_TRUE(c.node(1).read_index(1).ok());
  c.tick(1);
  c.stabilize();
  EXPECT_TRUE(c.read_states(1).empty());
}

TEST(ReadIndex, AReadPendingWhenTheLeaderBecomesTheOnlyVoterIsAnswered) {
  TestCluster c(2);
  c.elect(1);
  c.isolate(2);
  ASSERT_TRUE(c.node(1).read_index(4).ok());
  c.stabilize();
  ASSERT_TRUE(c.read_states(1).empty());
  // Now the leader's own acknowledgement is a quorum, and no other voter is left to answer.
  ASSERT_TRUE(c.node(1).propose_change(NodeId(2), MemberRole::kSpare).ok());
  c.heal();
  c.tick_all(5);
  ASSERT_EQ(c.read_states(1).size(), 1u);
  EXPECT_EQ(c.read_states(1)[0], (ReadState{4, LogIndex(1)}));
}

void partitioned_leader_never_answers(bool check_quorum) {
  TestCluster c(3, [check_quorum](Config& cfg) { cfg.check_quorum = check_quorum; });
  c.elect(1);
  c.isolate(1);
  ASSERT_TRUE(c.node(1).read_index(11).ok());
  // The majority side elects a new leader and moves on; the old one keeps asking.
  for (int i = 0; i < 60; ++i) c.tick_all();
  std::uint64_t lead = c.node(2).role() == Role::kLeader ? 2 : 3;
  ASSERT_EQ(c.node(lead).role(), Role::kLeader);
  ASSERT_TRUE(c.node(lead).propose("moved on").ok());
  c.stabilize();
  EXPECT_TRUE(c.read_states(1).empty());
  // Reunited, it learns of the new term and steps down: the read is dropped, never answered.
  c.heal();
  c.tick_all(3);
  EXPECT_EQ(c.node(1).role(), Role::kFollower);
  EXPECT_TRUE(c.read_states(1).empty());
}

TEST(ReadIndex, APartitionedOldLeaderNeverAnswers) { partitioned_leader_never_answers(true); }

TEST(ReadIndex, APartitionedOldLeaderNeverAnswersWithoutCheckQuorum) {
  partitioned_leader_never_answers(false);
}

TEST(ReadIndex, PendingReadsAreBounded) {
  TestCluster c(3, [](Config& cfg) { cfg.max_pending_reads = 2; });
  c.elect(1);
  c.isolate(2);
  c.isolate(3);
  ASSERT_TRUE(c.node(1).read_index(1).ok());
  ASSERT_TRUE(c.node(1).read_index(2).ok());
  auto r = c.node(1).read_index(3);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kUnavailable);
  c.heal();
  c.tick(1);
  c.stabilize();
  EXPECT_EQ(c.read_states(1).size(), 2u);
  EXPECT_TRUE(c.node(1).read_index(3).ok());
}

}  // namespace
}  // namespace movn::raft
