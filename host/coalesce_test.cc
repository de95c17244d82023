#include "host/coalesce.h"

#include <gtest/gtest.h>

namespace movn::host {
namespace {
using raft::Message;
using raft::MessageType;

raft::Entry entry(std::uint64_t index, std::uint64_t term, std::size_t bytes = 10) {
  return raft::Entry{LogIndex(index), Term(term), raft::EntryType::kEventBatch, std::string(bytes, 'x')};
}

Message app(std::uint64_t to, std::uint64_t prev, std::uint64_t prev_term, std::vector<raft::Entry> es,
            std::uint64_t commit, std::uint64_t term = 3) {
  Message m;
  m.type = MessageType::kApp;
  m.from = NodeId(1);
  m.to = NodeId(to);
  m.term = Term(term);
  m.index = LogIndex(prev);
  m.log_term = Term(prev_term);
  m.entries = std::move(es);
  m.commit = LogIndex(commit);
  return m;
}

Message ack(std::uint64_t to, std::uint64_t index, bool reject = false, std::uint64_t term = 3) {
  Message m;
  m.type = MessageType::kAppResp;
  m.from = NodeId(2);
  m.to = NodeId(to);
  m.term = Term(term);
  m.index = LogIndex(index);
  m.reject = reject;
  return m;
}

TEST(Coalesce, AppsThatContinueEachOtherBecomeOnePerFollower) {
  std::vector<Message> ms{app(2, 10, 3, {entry(11, 3)}, 9), app(3, 10, 3, {entry(11, 3)}, 9),
                          app(2, 11, 3, {entry(12, 3)}, 10), app(3, 11, 3, {entry(12, 3)}, 10),
                          app(2, 12, 3, {}, 11)};
  coalesce(ms, 1 << 20);
  ASSERT_EQ(ms.size(), 2u);
  EXPECT_EQ(ms[0].to, NodeId(2));
  ASSERT_EQ(ms[0].entries.size(), 2u);
  EXPECT_EQ(ms[0].entries.back().index, LogIndex(12));
  EXPECT_EQ(ms[0].index, LogIndex(10));
  EXPECT_EQ(ms[0].commit, LogIndex(11));  // the commit-only App folded in
  EXPECT_EQ(ms[1].to, NodeId(3));
  EXPECT_EQ(ms[1].entries.size(), 2u);
  EXPECT_EQ(ms[1].commit, LogIndex(10));
}

TEST(Coalesce, AppsThatDoNotContinueOrExceedTheLimitStaySeparate) {
  // A gap (a probe from elsewhere), another term, and a byte limit.
  std::vector<Message> ms{app(2, 10, 3, {entry(11, 3)}, 9), app(2, 5, 2, {entry(6, 3)}, 9)};
  coalesce(ms, 1 << 20);
  EXPECT_EQ(ms.size(), 2u);
  ms = {app(2, 10, 3, {entry(11, 3)}, 9), app(2, 11, 3, {entry(12, 4)}, 9, 4)};
  coalesce(ms, 1 << 20);
  EXPECT_EQ(ms.size(), 2u);
  ms = {app(2, 10, 3, {entry(11, 3, 100)}, 9), app(2, 11, 3, {entry(12, 3, 100)}, 9)};
  coalesce(ms, 150);
  EXPECT_EQ(ms.size(), 2u);
  // A message of another kind in between to the same member keeps the order.
  Message hb = app(2, 11, 3, {}, 9);
  hb.type = MessageType::kHeartbeat;
  ms = {app(2, 10, 3, {entry(11, 3)}, 9), hb, app(2, 11, 3, {entry(12, 3)}, 9)};
  coalesce(ms, 1 << 20);
  ASSERT_EQ(ms.size(), 3u);
  EXPECT_EQ(ms[1].type, MessageType::kHeartbeat);
}

TEST(Coalesce, AcceptingAcksKeepTheHighestAndRejectionsStay) {
  std::vector<Message> ms{ack(1, 11), ack(1, 13), ack(1, 12)};
  coalesce(ms, 1 << 20);
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].index, LogIndex(13));
  ms = {ack(1, 11), ack(1, 14, /*reject=*/true), ack(1, 12)};
  coalesce(ms, 1 << 20);
  ASSERT_EQ(ms.size(), 3u);
  EXPECT_TRUE(ms[1].reject);
  ms = {ack(1, 11), ack(1, 12, false, 4)};  // another term
  coalesce(ms, 1 << 20);
  EXPECT_EQ(ms.size(), 2u);
}

}  // namespace
}  // namespace movn::host
