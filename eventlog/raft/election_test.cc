// Unit tests of raft::Core elections: timeouts, pre-vote, check-quorum, vote rules.
#include <gtest/gtest.h>

#include "eventlog/raft/raft_test_cluster.h"

namespace movn::raft {
namespace {
using testing::make_entry;
using testing::TestCluster;

TEST(Election, TimeoutElectsALeaderWithANoop) {
  TestCluster c(3);
  // No election before the minimum timeout.
  c.tick(1, 9);
  c.stabilize();
  EXPECT_EQ(c.node(1).role(), Role::kFollower);
  c.tick(1, 11);  // randomized timeout is < 20 ticks
  c.stabilize();
  ASSERT_EQ(c.node(1).role(), Role::kLeader);
  EXPECT_EQ(c.node(1).term(), Term(1));
  for (int i : {2, 3}) {
    EXPECT_EQ(c.node(i).role(), Role::kFollower);
    EXPECT_EQ(c.node(i).leader(), NodeId(1));
    EXPECT_EQ(c.node(i).term(), Term(1));
  }
  // The new leader appended a no-op of its term, and it committed everywhere.
  const Entry& last = c.storage(1).all().back();
  EXPECT_EQ(last.type, EntryType::kNoop);
  EXPECT_EQ(last.term, Term(1));
  for (int i : {1, 2, 3}) EXPECT_EQ(c.node(i).committed(), LogIndex(1));
}

TEST(Election, SingleMemberElectsItselfAndCommits) {
  TestCluster c(1);
  c.elect(1);
  ASSERT_EQ(c.node(1).role(), Role::kLeader);
  ASSERT_TRUE(c.node(1).propose("a").ok());
  c.stabilize();
  EXPECT_EQ(c.node(1).committed(), LogIndex(2));
  ASSERT_EQ(c.applied(1).size(), 2u);
  EXPECT_EQ(c.applied(1)[1].data, "a");
}

TEST(Election, ProposeOnFollowerFails) {
  TestCluster c(3);
  c.elect(1);
  auto r = c.node(2).propose("x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kUnavailable);
}

TEST(Election, PreVoteKeepsAPartitionedMemberFromInflatingTerms) {
  TestCluster c(3);
  c.elect(1);
  c.isolate(3);
  for (int i = 0; i < 50; ++i) {
    c.tick(3, 20);
    c.stabilize();
  }
  EXPECT_EQ(c.node(3).term(), Term(1));
  EXPECT_EQ(c.node(3).role(), Role::kPreCandidate);
  c.heal();
  c.tick(1, 1);  // a heartbeat brings it back
  c.stabilize();
  EXPECT_EQ(c.node(1).role(), Role::kLeader);
  EXPECT_EQ(c.node(1).term(), Term(1));
  EXPECT_EQ(c.node(3).leader(), NodeId(1));
}

TEST(Election, WithoutPreVoteAPartitionedMemberInflatesItsTerm) {
  // The control for the test above: the same partition without pre-vote does bump terms.
  TestCluster c(3, [](Config& cfg) { cfg.pre_vote = false; });
  c.elect(1);
  c.isolate(3);
  for (int i = 0; i < 5; ++i) {
    c.tick(3, 20);
    c.stabilize();
  }
  EXPECT_GT(c.node(3).term(), Term(3));
}

TEST(Election, CheckQuorumStepsDownAnIsolatedLeader) {
  TestCluster c(3);
  c.elect(1);
  ASSERT_EQ(c.node(1).role(), Role::kLeader);
  c.isolate(1);
  c.tick(1, 10);  // first round: peers were active
  c.stabilize();
  EXPECT_EQ(c.node(1).role(), Role::kLeader);
  c.tick(1, 10);  // second round: nobody answered
  c.stabilize();
  EXPECT_EQ(c.node(1).role(), Role::kFollower);
  EXPECT_FALSE(c.node(1).propose("x").ok());
}

TEST(Election, ConnectedLeaderKeepsLeadership) {
  TestCluster c(3);
  c.elect(1);
  for (int i = 0; i < 100; ++i) {
    c.tick(1);
    c.tick(2);
    c.tick(3);
    c.stabilize();
  }
  EXPECT_EQ(c.node(1).role(), Role::kLeader);
  EXPECT_EQ(c.node(1).term(), Term(1));
}

TEST(Election, VotesOnlyForALogAtLeastAsUpToDate) {
  TestCluster c(3);
  // Member 2 has a longer log of the same term; member 1 campaigns with a shorter one.
  c.storage(1).append({make_entry(1, 1)});
  c.storage(2).append({make_entry(1, 1), make_entry(2, 1)});
  c.storage(3).append({make_entry(1, 1), make_entry(2, 1)});
  for (int i : {1, 2, 3}) {
    c.storage(i).set_hard_state({Term(1), kNoNode, LogIndex(0)});
    c.restart(i);
  }
  c.elect(1);
  EXPECT_NE(c.node(1).role(), Role::kLeader);
  c.elect(2);
  EXPECT_EQ(c.node(2).role(), Role::kLeader);
}

TEST(Election, OneVotePerTerm) {
  TestCluster c(3, [](Config& cfg) { cfg.pre_vote = false; });
  Message v;
  v.type = MessageType::kVote;
  v.from = NodeId(2);
  v.to = NodeId(1);
  v.term = Term(5);
  c.node(1).step(v);
  v.from = NodeId(3);
  c.node(1).step(v);
  Ready rd = c.node(1).ready();
  ASSERT_EQ(rd.messages.size(), 2u);
  EXPECT_FALSE(rd.messages[0].reject);
  EXPECT_TRUE(rd.messages[1].reject);
  ASSERT_TRUE(rd.hard_state);
  EXPECT_EQ(rd.hard_state->vote, NodeId(2));
  EXPECT_EQ(rd.hard_state->term, Term(5));
  c.node(1).advance(rd);
}

TEST(Election, VoteIsInTheReadyThatCarriesTheGrant) {
  // Term and vote must be persisted before the VoteResp leaves: they are in the same Ready
  // (or were in an earlier one), never only in a later one.
  TestCluster c(5);
  c.elect(3);
  ASSERT_EQ(c.node(3).role(), Role::kLeader);
  int grants = 0;
  for (int id = 1; id <= 5; ++id) {
    HardState persisted;
    for (const Ready& rd : c.readies[id]) {
      if (rd.hard_state) persisted = *rd.hard_state;
      for (const Message& m : rd.messages) {
        if (m.type != MessageType::kVoteResp || m.reject) continue;
        ++grants;
        EXPECT_EQ(persisted.term, m.term);
        EXPECT_EQ(persisted.vote, m.to);
      }
    }
  }
  EXPECT_GE(grants, 2);
}

TEST(Election, VoteSurvivesRestart) {
  TestCluster c(3, [](Config& cfg) { cfg.pre_vote = false; });
  Message v;
  v.type = MessageType::kVote;
  v.from = NodeId(2);
  v.to = NodeId(1);
  v.term = Term(5);
  c.node(1).step(v);
  ASSERT_TRUE(c.process(1));
  c.restart(1);
  EXPECT_EQ(c.node(1).term(), Term(5));
  EXPECT_EQ(c.node(1).vote(), NodeId(2));
  v.from = NodeId(3);
  c.node(1).step(v);
  Ready rd = c.node(1).ready();
  ASSERT_EQ(rd.messages.size(), 1u);
  EXPECT_TRUE(rd.messages[0].reject);
}

TEST(Election, LeaseIgnoresDisruptiveVotes) {
  TestCluster c(3, [](Config& cfg) { cfg.pre_vote = false; });
  c.elect(1);
  Message v;
  v.type = MessageType::kVote;
  v.from = NodeId(3);
  v.to = NodeId(2);
  v.term = Term(9);
  v.index = LogIndex(100);
  v.log_term = Term(100);
  c.node(2).step(v);
  EXPECT_EQ(c.node(2).term(), Term(1));
  EXPECT_FALSE(c.node(2).has_ready());
}

}  // namespace
}  // namespace movn::raft
