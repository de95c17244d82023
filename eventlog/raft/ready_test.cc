// Unit tests of the Ready/advance contract and the RaftLog unstable tail.
#include <gtest/gtest.h>

#include "eventlog/raft/raft_test_cluster.h"

namespace movn::raft {
namespace {
using testing::make_entry;
using testing::TestCluster;

TEST(Ready, NoSecondReadyBeforeAdvance) {
  TestCluster c(3);
  c.node(1).campaign();
  ASSERT_TRUE(c.node(1).has_ready());
  Ready rd = c.node(1).ready();
  EXPECT_FALSE(rd.messages.empty());
  c.node(1).tick();
  EXPECT_FALSE(c.node(1).has_ready());
  c.node(1).advance(rd);
}

TEST(Ready, TruncationIsImpliedByTheFirstEntryToPersist) {
  TestCluster c(3);
  c.storage(2).append({make_entry(1, 1), make_entry(2, 1, "stale"), make_entry(3, 1, "stale")});
  c.storage(2).set_hard_state({Term(2), kNoNode, LogIndex(0)});
  c.restart(2);
  Message app;
  app.type = MessageType::kApp;
  app.from = NodeId(1);
  app.to = NodeId(2);
  app.term = Term(2);
  app.index = LogIndex(1);
  app.log_term = Term(1);
  app.entries = {make_entry(2, 2, "new")};
  c.node(2).step(app);
  Ready rd = c.node(2).ready();
  ASSERT_EQ(rd.entries_to_persist.size(), 1u);
  EXPECT_EQ(rd.entries_to_persist[0].index, LogIndex(2));  // <= last persisted (3): truncate
  EXPECT_EQ(c.node(2).last_index(), LogIndex(2));           // the stale 3 is hidden already
  c.storage(2).persist(rd);
  c.node(2).advance(rd);
  EXPECT_EQ(c.storage(2).all().size(), 2u);
  EXPECT_EQ(c.node(2).log().term(LogIndex(2)), Term(2));
  EXPECT_TRUE(c.node(2).log().unstable().empty());
}

// An acknowledgement not yet handed out when a leader of a newer term truncates what it covers
// is dropped: sent with the new term's write, it would tell the old leader of a match that is
// gone (a stale ack, like bug 1 of raft-notes.md).
TEST(Ready, AnAckOfAnEarlierTermIsDroppedWhenTheTermChanges) {
  TestCluster c(3);
  c.storage(2).append({make_entry(1, 1)});
  c.storage(2).set_hard_state({Term(1), kNoNode, LogIndex(1)});
  c.restart(2);
  Message app;
  app.type = MessageType::kApp;
  app.from = NodeId(1);
  app.to = NodeId(2);
  app.term = Term(1);
  app.index = LogIndex(1);
  app.log_term = Term(1);
  app.entries = {make_entry(2, 1, "old")};
  c.node(2).step(app);  // acknowledged in term 1, not yet written (no Ready taken)
  Message newer = app;
  newer.from = NodeId(3);
  newer.term = Term(2);
  newer.entries = {make_entry(2, 2, "new")};
  c.node(2).step(newer);  // term 2 truncates index 2 before it was ever written
  Ready rd = c.node(2).ready();
  ASSERT_EQ(rd.entries_to_persist.size(), 1u);
  EXPECT_EQ(rd.entries_to_persist[0].term, Term(2));
  for (const Message& m : rd.messages) {
    EXPECT_FALSE(m.type == MessageType::kAppResp && m.term == Term(1)) << to_string(m);
  }
  bool acked_new = false;
  for (const Message& m : rd.messages)
    acked_new = acked_new || (m.type == MessageType::kAppResp && m.term == Term(2) && m.index == LogIndex(2));
  EXPECT_TRUE(acked_new);
  c.storage(2).persist(rd);
  c.node(2).advance(rd);
}

TEST(Ready, CommittedEntriesAreHandedOutOnce) {
  TestCluster c(3);
  c.elect(1);
  ASSERT_TRUE(c.node(1).propose("a").ok());
  c.stabilize();
  std::size_t n = 0;
  for (const Ready& rd : c.readies[1]) {
    for (const Entry& e : rd.committed) {
      ++n;
      EXPECT_EQ(e.index, LogIndex(n));
    }
  }
  EXPECT_EQ(n, 2u);
  EXPECT_EQ(c.node(1).applied(), LogIndex(2));
}

TEST(Ready, HardStateOnlyWhenChanged) {
  TestCluster c(3);
  c.elect(1);
  c.tick(1);
  ASSERT_TRUE(c.node(1).has_ready());
  Ready rd = c.node(1).ready();
  EXPECT_FALSE(rd.hard_state.has_value());
  EXPECT_FALSE(rd.messages.empty());  // heartbeats
  c.node(1).advance(rd);
}

TEST(RaftLog, StableToIgnoresARewrittenTail) {
  MemoryLog storage;
  RaftLog log(storage, LogIndex(0), LogIndex(0));
  log.truncate_and_append({make_entry(1, 1), make_entry(2, 1)});
  std::vector<Entry> handed_out = log.unstable();
  log.truncate_and_append({make_entry(2, 2)});  // rewritten before the host's advance
  storage.append(handed_out);
  log.stable_to(LogIndex(2), Term(1));
  ASSERT_EQ(log.unstable().size(), 2u);
  EXPECT_EQ(log.term(LogIndex(2)), Term(2));
  storage.append(log.unstable());
  log.stable_to(LogIndex(2), Term(2));
  EXPECT_TRUE(log.unstable().empty());
  EXPECT_EQ(log.term(LogIndex(2)), Term(2));
}

TEST(RaftLog, SliceSpansStorageAndUnstable) {
  MemoryLog storage;
  storage.append({make_entry(1, 1, "a"), make_entry(2, 1, "b")});
  RaftLog log(storage, LogIndex(0), LogIndex(0));
  log.truncate_and_append({make_entry(3, 2, "c")});
  auto all = log.slice(LogIndex(1), LogIndex(4), 1 << 20);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[2].data, "c");
  auto one = log.slice(LogIndex(1), LogIndex(4), 1);
  EXPECT_EQ(one.size(), 1u);
  auto [idx, term] = log.find_conflict_by_term(LogIndex(3), Term(1));
  EXPECT_EQ(idx, LogIndex(2));
  EXPECT_EQ(term, Term(1));
}

}  // namespace
}  // namespace movn::raft
