// Unit tests of raft::Core replication: log matching, truncation, the commit rule, reply indexes,
// flow control (inflights) and byte-limited batches.
#include <gtest/gtest.h>

#include "eventlog/raft/raft_test_cluster.h"

namespace movn::raft {
namespace {
using testing::make_entry;
using testing::TestCluster;

void seed_log(TestCluster& c, std::uint64_t id, std::vector<Entry> entries, HardState hs) {
  c.storage(id).append(entries);
  c.storage(id).set_hard_state(hs);
  c.restart(id);
}

TEST(Replication, ProposalsCommitAndApplyEverywhere) {
  TestCluster c(3);
  c.elect(1);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(c.node(1).propose("p" + std::to_string(i)).ok());
  c.stabilize();
  for (int id : {1, 2, 3}) {
    EXPECT_EQ(c.node(id).committed(), LogIndex(11));
    ASSERT_EQ(c.applied(id).size(), 11u);
    EXPECT_EQ(c.applied(id)[10].data, "p9");
    EXPECT_EQ(c.storage(id).all(), c.storage(1).all());
  }
}

TEST(Replication, ConflictingTailIsTruncatedToTheLeadersLog) {
  TestCluster c(3);
  // 1 will lead in term 3 with [1:1, 2:1, 3:2]; 2 holds a stale tail of term 1; 3 is short.
  seed_log(c, 1, {make_entry(1, 1, "a"), make_entry(2, 1, "b"), make_entry(3, 2, "c")},
           {Term(2), kNoNode, LogIndex(1)});
  seed_log(c, 2,
           {make_entry(1, 1, "a"), make_entry(2, 1, "b"), make_entry(3, 1, "X"),
            make_entry(4, 1, "Y"), make_entry(5, 1, "Z")},
           {Term(2), kNoNode, LogIndex(1)});
  seed_log(c, 3, {make_entry(1, 1, "a")}, {Term(2), kNoNode, LogIndex(1)});
  c.elect(1);
  ASSERT_EQ(c.node(1).role(), Role::kLeader);
  ASSERT_TRUE(c.node(1).propose("d").ok());
  c.stabilize();
  ASSERT_EQ(c.storage(1).all().size(), 5u);
  for (int id : {2, 3}) EXPECT_EQ(c.storage(id).all(), c.storage(1).all()) << id;
  EXPECT_EQ(c.storage(2).at(LogIndex(3)).data, "c");
  EXPECT_EQ(c.node(2).committed(), LogIndex(5));
}

TEST(Replication, FollowerReplyCarriesPrevPlusEntriesNotItsLastIndex) {
  TestCluster c(3);
  seed_log(c, 2,
           {make_entry(1, 1), make_entry(2, 1), make_entry(3, 1, "stale"),
            make_entry(4, 1, "stale")},
           {Term(2), kNoNode, LogIndex(0)});
  Message app;
  app.type = MessageType::kApp;
  app.from = NodeId(1);
  app.to = NodeId(2);
  app.term = Term(2);
  app.index = LogIndex(1);
  app.log_term = Term(1);
  app.entries = {make_entry(2, 1)};
  c.node(2).step(app);
  Message hb;
  hb.type = MessageType::kHeartbeat;
  hb.from = NodeId(1);
  hb.to = NodeId(2);
  hb.term = Term(2);
  hb.index = LogIndex(2);
  hb.log_term = Term(1);
  c.node(2).step(hb);
  Ready rd = c.node(2).ready();
  ASSERT_EQ(rd.messages.size(), 2u);
  EXPECT_EQ(rd.messages[0].type, MessageType::kAppResp);
  EXPECT_FALSE(rd.messages[0].reject);
  EXPECT_EQ(rd.messages[0].index, LogIndex(2));  // prev 1 + 1 entry, not 4
  EXPECT_EQ(rd.messages[1].type, MessageType::kHeartbeatResp);
  EXPECT_EQ(rd.messages[1].index, LogIndex(2));  // the heartbeat's prev, not 4
  c.node(2).advance(rd);
}

#ifdef MOVN_RAFT_TEST_HOOKS
TEST(Replication, PlantedBug1RepliesWithTheWholeLastIndex) {
  TestCluster c(3, [](Config& cfg) { cfg.hooks.reply_with_last_index = true; });
  seed_log(c, 2, {make_entry(1, 1), make_entry(2, 1), make_entry(3, 1, "stale")},
           {Term(2), kNoNode, LogIndex(0)});
  Message app;
  app.type = MessageType::kApp;
  app.from = NodeId(1);
  app.to = NodeId(2);
  app.term = Term(2);
  app.index = LogIndex(1);
  app.log_term = Term(1);
  app.entries = {make_entry(2, 1)};
  c.node(2).step(app);
  Ready rd = c.node(2).ready();
  ASSERT_EQ(rd.messages.size(), 1u);
  EXPECT_EQ(rd.messages[0].index, LogIndex(3));
  c.node(2).advance(rd);
}
#endif

// Figure 8: a leader of term 3 holding an uncommitted entry of term 2 must not commit it by
// counting replicas; it commits it only together with an entry of its own term (the no-op).
void figure8(bool planted_bug) {
  TestCluster c(3, [planted_bug](Config& cfg) {
#ifdef MOVN_RAFT_TEST_HOOKS
    cfg.hooks.commit_old_terms_without_noop = planted_bug;
#else
    (void)cfg;
    (void)planted_bug;
#endif
  });
  seed_log(c, 1, {make_entry(1, 1), make_entry(2, 2, "old")}, {Term(2), kNoNode, LogIndex(1)});
  seed_log(c, 2, {make_entry(1, 1)}, {Term(2), kNoNode, LogIndex(1)});
  seed_log(c, 3, {make_entry(1, 1)}, {Term(2), kNoNode, LogIndex(1)});
  // Deliver only entries of older terms: the no-op never arrives.
  c.filter = [](Message& m) {
    if (m.type == MessageType::kApp) {
      std::erase_if(m.entries, [&](const Entry& e) { return e.term == m.term; });
    }
    return true;
  };
  c.elect(1);
  ASSERT_EQ(c.node(1).role(), Role::kLeader);
  ASSERT_EQ(c.node(1).term(), Term(3));
  // Both followers now hold index 2 (term 2): a majority of copies.
  EXPECT_EQ(c.storage(2).all().size(), 2u);
  if (planted_bug) {
    EXPECT_EQ(c.node(1).committed(), LogIndex(2));
    EXPECT_EQ(c.storage(1).all().back().type, EntryType::kEventBatch);  // and no no-op
    return;
  }
  EXPECT_EQ(c.node(1).committed(), LogIndex(1));
  EXPECT_EQ(c.storage(1).all().back().type, EntryType::kNoop);
  EXPECT_EQ(c.storage(1).all().back().term, Term(3));
  c.filter = nullptr;
  // A few heartbeats: the leader notices the follower lacks what it sent and probes again.
  for (int i = 0; i < 3; ++i) {
    c.tick(1);
    c.stabilize();
  }
  EXPECT_EQ(c.node(1).committed(), LogIndex(3));
  EXPECT_EQ(c.node(2).committed(), LogIndex(3));
}

TEST(Replication, CommitsOnlyEntriesOfTheCurrentTerm) { figure8(false); }

#ifdef MOVN_RAFT_TEST_HOOKS
TEST(Replication, PlantedBug2CommitsAnOldTermEntryByCounting) { figure8(true); }
#endif

TEST(Replication, InflightAppsAreBounded) {
  TestCluster c(3, [](Config& cfg) { cfg.max_inflight_msgs = 4; });
  c.elect(1);
  ASSERT_EQ(c.node(1).progress(NodeId(2))->state, ProgressState::kReplicate);
  // Follower 2 receives but its replies never come back.
  c.filter = [](Message& m) { return !(m.from == NodeId(2) && m.to == NodeId(1)); };
  std::size_t before = c.sent.size();
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(c.node(1).propose("p").ok());
    c.stabilize();
  }
  int apps_to_2 = 0;
  for (std::size_t i = before; i < c.sent.size(); ++i) {
    const Message& m = c.sent[i];
    if (m.type == MessageType::kApp && m.to == NodeId(2) && !m.entries.empty()) ++apps_to_2;
  }
  EXPECT_EQ(apps_to_2, 4);
  EXPECT_TRUE(c.node(1).progress(NodeId(2))->inflights.full());
  // Member 3 kept up, so everything committed.
  EXPECT_EQ(c.node(1).committed(), LogIndex(51));
  // Once replies flow again, 2 catches up.
  c.filter = nullptr;
  c.tick(1);
  c.stabilize();
  EXPECT_EQ(c.storage(2).all().size(), 51u);
}

TEST(Replication, AppendBatchesAreByteLimited) {
  const std::uint64_t limit = 3 * (100 + 24);
  TestCluster c(3, [&](Config& cfg) { cfg.max_append_bytes = limit; });
  c.elect(1);
  c.isolate(3);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(c.node(1).propose(std::string(100, 'x')).ok());
  c.stabilize();
  c.heal();
  std::size_t before = c.sent.size();
  for (int i = 0; i < 3; ++i) {  // the leader probes again after a few rejected heartbeats
    c.tick(1);
    c.stabilize();
  }
  int batches = 0;
  for (std::size_t i = before; i < c.sent.size(); ++i) {
    const Message& m = c.sent[i];
    if (m.type != MessageType::kApp || m.to != NodeId(3) || m.entries.empty()) continue;
    ++batches;
    std::uint64_t bytes = 0;
    for (const Entry& e : m.entries) bytes += entry_bytes(e);
    EXPECT_LE(bytes, limit);
  }
  EXPECT_GE(batches, 7);  // 20 entries, at most 3 per message
  EXPECT_EQ(c.storage(3).all(), c.storage(1).all());
}

TEST(Replication, AnOversizedEntryStillGoesOut) {
  TestCluster c(3, [](Config& cfg) { cfg.max_append_bytes = 10; });
  c.elect(1);
  ASSERT_TRUE(c.node(1).propose(std::string(1000, 'y')).ok());
  c.stabilize();
  EXPECT_EQ(c.node(2).committed(), LogIndex(2));
}

TEST(Replication, UncommittedProposalsAreBounded) {
  const std::uint64_t per_entry = 10 + 24;
  TestCluster c(3, [&](Config& cfg) { cfg.max_uncommitted_bytes = 5 * per_entry; });
  c.elect(1);
  c.isolate(2);
  c.isolate(3);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(c.node(1).propose(std::string(10, 'p')).ok());
  auto refused = c.node(1).propose(std::string(10, 'p'));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::kUnavailable);
  c.heal();
  c.tick(1);
  c.stabilize();
  EXPECT_EQ(c.node(1).committed(), LogIndex(6));
  EXPECT_TRUE(c.node(1).propose(std::string(10, 'p')).ok());  // applied: room again
}

TEST(Replication, RestartKeepsLogAndCommitAndReappliesFromTheStart) {
  TestCluster c(3);
  c.elect(1);
  ASSERT_TRUE(c.node(1).propose("a").ok());
  c.stabilize();
  c.restart(2);
  EXPECT_EQ(c.node(2).committed(), LogIndex(2));
  EXPECT_EQ(c.node(2).last_index(), LogIndex(2));
  c.stabilize();
  ASSERT_EQ(c.applied(2).size(), 2u);
  EXPECT_EQ(c.applied(2)[1].data, "a");
}

TEST(Replication, LeaderStepsDownOnAHigherTermReply) {
  TestCluster c(3);
  c.elect(1);
  Message r;
  r.type = MessageType::kAppResp;
  r.from = NodeId(2);
  r.to = NodeId(1);
  r.term = Term(7);
  c.node(1).step(r);
  EXPECT_EQ(c.node(1).role(), Role::kFollower);
  EXPECT_EQ(c.node(1).term(), Term(7));
}

// A leader whose LogReader reads old entries off the core thread (LogReader::fetch) pauses that
// peer, keeps sending heartbeats, and sends the entries once the host reports them fetched.
TEST(Replication, CatchUpWaitsForEntriesReadOffTheCoreThread) {
  TestCluster c(3);
  c.elect(1);
  c.isolate(3);
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(c.node(1).propose("p" + std::to_string(i)).ok());
  c.stabilize();
  ASSERT_EQ(c.storage(3).last_index(), LogIndex(1));  // the no-op only
  c.fetch_below[1] = LogIndex(1000);
  c.heal();
  c.sent.clear();
  for (int i = 0; i < 50 && c.fetches_waiting(1) == 0; ++i) c.tick_all();
  ASSERT_GT(c.fetches_waiting(1), 0u);
  c.tick_all(5);  // nothing moves for 3 while the read runs, but heartbeats go on
  EXPECT_EQ(c.storage(3).last_index(), LogIndex(1));
  EXPECT_EQ(c.node(1).role(), Role::kLeader);
  bool heartbeat_to_3 = false;
  for (const Message& m : c.sent) {
    if (m.from != NodeId(1) || m.to != NodeId(3)) continue;
    if (m.type == MessageType::kApp) {
      EXPECT_TRUE(m.entries.empty());
    }
    heartbeat_to_3 |= m.type == MessageType::kHeartbeat;
  }
  EXPECT_TRUE(heartbeat_to_3);
  // Proposals still commit with the other follower meanwhile.
  ASSERT_TRUE(c.node(1).propose("during").ok());
  c.stabilize();
  EXPECT_EQ(c.node(2).committed(), c.storage(1).last_index());
  for (int round = 0; round < 100 && c.fetches_waiting(1) > 0; ++round) {
    c.complete_fetches(1);
    c.stabilize();
  }
  EXPECT_EQ(c.fetches_waiting(1), 0u);
  EXPECT_EQ(c.storage(3).all(), c.storage(1).all());
  EXPECT_EQ(c.node(3).committed(), c.node(1).committed());
}

}  // namespace
}  // namespace movn::raft
