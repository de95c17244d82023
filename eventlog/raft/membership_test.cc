// Unit tests of raft::Core membership: single-server changes, configurations taking effect on
// append and rolling back on truncation, roles in elections and commits, the committed
// configuration kept outside the log, the leader's own removal, and the role policy's inputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>

#include "eventlog/raft/raft_test_cluster.h"

namespace movn::raft {
namespace {
using testing::make_entry;
using testing::TestCluster;

constexpr MemberRole kVoter = MemberRole::kVoter;
constexpr MemberRole kStandby = MemberRole::kStandby;
constexpr MemberRole kSpare = MemberRole::kSpare;

// Members 1..n exist; only 1..3 are in the initial configuration (the others join later).
TestCluster with_joiners(int n, std::function<void(Config&)> more = {}) {
  return TestCluster(n, [more](Config& c) {
    c.voters = {NodeId(1), NodeId(2), NodeId(3)};
    if (more) more(c);
  });
}

Entry config_entry(std::uint64_t index, std::uint64_t term, const Configuration& c) {
  return Entry{LogIndex(index), Term(term), EntryType::kConfig, encode_configuration(c)};
}

Configuration voters(std::initializer_list<std::uint64_t> ids) {
  Configuration c;
  for (std::uint64_t id : ids) c.members[NodeId(id)] = kVoter;
  return c;
}

bool sent_campaign_from(const TestCluster& c, std::size_t since, std::uint64_t id) {
  for (std::size_t i = since; i < c.sent.size(); ++i) {
    const Message& m = c.sent[i];
    if (m.from == NodeId(id) && (m.type == MessageType::kVote || m.type == MessageType::kPreVote))
      return true;
  }
  return false;
}

TEST(Membership, AddedSpareGetsTheWholeLogButNeitherVotesNorCounts) {
  TestCluster c = with_joiners(4);
  c.elect(1);
  ASSERT_TRUE(c.node(1).propose("a").ok());
  c.stabilize();
  auto idx = c.node(1).propose_change(NodeId(4), kSpare);
  ASSERT_TRUE(idx.ok()) << idx.error().message;
  c.stabilize();
  EXPECT_EQ(c.node(1).committed(), *idx);
  EXPECT_EQ(c.storage(4).all(), c.storage(1).all());  // from index 1: the whole history
  EXPECT_EQ(c.node(4).configuration().role(NodeId(4)), kSpare);
  ASSERT_EQ(c.applied(4).size(), 3u);
  // With 2 and 3 cut off, the spare's acknowledgement does not make a quorum.
  c.isolate(2);
  c.isolate(3);
  ASSERT_TRUE(c.node(1).propose("b").ok());
  c.stabilize();
  EXPECT_EQ(c.storage(4).all().size(), 4u);
  EXPECT_EQ(c.node(1).committed(), *idx);
  // A spare never campaigns, however long it hears nothing.
  c.isolate(1);
  std::size_t before = c.sent.size();
  c.tick(4, 200);
  c.stabilize();
  EXPECT_FALSE(sent_campaign_from(c, before, 4));
  EXPECT_EQ(c.node(4).role(), Role::kFollower);
}

TEST(Membership, ANewVoterCountsTowardTheQuorumAtOnce) {
  TestCluster c = with_joiners(4);
  c.elect(1);
  c.isolate(4);
  ASSERT_TRUE(c.node(1).propose_change(NodeId(4), kVoter).ok());
  // In effect on the leader before it commits: 4 voters, a quorum of 3.
  EXPECT_EQ(c.node(1).configuration().voter_count(), 4u);
  EXPECT_EQ(c.node(1).committed_configuration().configuration.voter_count(), 3u);
  c.stabilize();
  EXPECT_EQ(c.node(1).committed_configuration().configuration.voter_count(), 4u);
  c.isolate(3);  // 1 and 2 of 4 voters: no quorum
  ASSERT_TRUE(c.node(1).propose("x").ok());
  c.stabilize();
  EXPECT_EQ(c.node(1).committed(), LogIndex(2));
  c.heal();
  c.tick(1);
  c.stabilize();
  EXPECT_EQ(c.node(1).committed(), LogIndex(3));
  EXPECT_EQ(c.node(4).committed(), LogIndex(3));
}

TEST(Membership, AConfigurationTakesEffectOnAppendOnFollowers) {
  TestCluster c = with_joiners(4);
  c.elect(1);
  // Followers receive the entry, but their acknowledgements are lost.
  c.filter = [](Message& m) { return m.type != MessageType::kAppResp; };
  ASSERT_TRUE(c.node(1).propose_change(NodeId(4), kStandby).ok());
  c.stabilize();
  for (int id : {1, 2, 3}) {
    EXPECT_EQ(c.node(id).configuration().role(NodeId(4)), kStandby) << id;
    EXPECT_FALSE(c.node(id).committed_configuration().configuration.contains(NodeId(4))) << id;
  }
}

TEST(Membership, ChangeRefusedWhileAnotherIsUncommitted) {
  TestCluster c = with_joiners(5);
  c.elect(1);
  c.isolate(2);
  c.isolate(3);
  auto first = c.node(1).propose_change(NodeId(4), kSpare);
  ASSERT_TRUE(first.ok());
  auto second = c.node(1).propose_change(NodeId(5), kSpare);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, Errc::kConflict);
  EXPECT_NE(second.error().message.find("index " + std::to_string(first->value)),
            std::string::npos);
  c.heal();
  c.tick(1);
  c.stabilize();
  ASSERT_EQ(c.node(1).committed(), *first);
  EXPECT_TRUE(c.node(1).propose_change(NodeId(5), kSpare).ok());
}

TEST(Membership, ChangeRefusedUntilTheLeadersNoopCommits) {
  TestCluster c = with_joiners(4);
  c.filter = [](Message& m) {
    return m.type != MessageType::kAppResp && m.type != MessageType::kHeartbeatResp;
  };
  c.elect(1);
  ASSERT_EQ(c.node(1).role(), Role::kLeader);
  ASSERT_EQ(c.node(1).committed(), LogIndex(0));
  auto r = c.node(1).propose_change(NodeId(4), kSpare);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kUnavailable);
  c.filter = nullptr;
  c.tick(1);
  c.stabilize();
  ASSERT_EQ(c.node(1).committed(), LogIndex(1));
  EXPECT_TRUE(c.node(1).propose_change(NodeId(4), kSpare).ok());
}

TEST(Membership, ChangeErrors) {
  TestCluster c = with_joiners(4);
  c.elect(1);
  auto code = [&](std::uint64_t node, std::uint64_t member, std::optional<MemberRole> role) {
    auto r = c.node(node).propose_change(NodeId(member), role);
    return r.ok() ? std::optional<Errc>() : r.error().code;
  };
  EXPECT_EQ(code(2, 4, kSpare), Errc::kUnavailable);  // a follower
  EXPECT_EQ(code(1, 0, kSpare), Errc::kInvalidArgument);
  EXPECT_EQ(code(1, 4, std::nullopt), Errc::kNotFound);
  EXPECT_EQ(code(1, 2, kVoter), Errc::kAlreadyExists);
  TestCluster single(1);
  single.elect(1);
  auto r = single.node(1).propose_change(NodeId(1), kSpare);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kFailedPrecondition);
}

TEST(Membership, TruncationRollsBackToThePreviousConfigurationInTheLog) {
  TestCluster c(3);
  // Member 2 holds C1 (4 joins as a voter) and C2 (3 leaves), neither known committed.
  Configuration c1 = voters({1, 2, 3, 4});
  Configuration c2 = voters({1, 2, 4});
  c.storage(2).append({config_entry(1, 1, c1), config_entry(2, 1, c2)});
  c.storage(2).set_hard_state({Term(1), kNoNode, LogIndex(0)});
  c.restart(2);
  EXPECT_EQ(c.node(2).configuration(), c2);
  EXPECT_EQ(c.node(2).committed_configuration().index, LogIndex(0));
  // A leader of term 2 holds C1 at index 1 but something else at index 2.
  Message app;
  app.type = MessageType::kApp;
  app.from = NodeId(1);
  app.to = NodeId(2);
  app.term = Term(2);
  app.index = LogIndex(1);
  app.log_term = Term(1);
  app.entries = {make_entry(2, 2, "other")};
  c.node(2).step(app);
  EXPECT_EQ(c.node(2).configuration(), c1);
  EXPECT_EQ(c.node(2).committed_configuration().configuration, voters({1, 2, 3}));
  // Truncating C1 as well falls back to the committed (initial) configuration.
  app.index = LogIndex(0);
  app.log_term = Term(0);
  app.entries = {make_entry(1, 2, "first")};
  c.node(2).step(app);
  EXPECT_EQ(c.node(2).configuration(), voters({1, 2, 3}));
}

TEST(Membership, AnUncommittedChangeIsRolledBackWhenANewLeaderOverwritesIt) {
  TestCluster c = with_joiners(6, [](Config& cfg) {
    cfg.voters = {NodeId(1), NodeId(2), NodeId(3), NodeId(4), NodeId(5)};
  });
  c.elect(1);
  // Only member 2 (and the joiner) receive the change.
  for (int id : {3, 4, 5}) c.isolate(id);
  ASSERT_TRUE(c.node(1).propose_change(NodeId(6), kStandby).ok());
  c.stabilize();
  ASSERT_TRUE(c.node(2).configuration().contains(NodeId(6)));
  // 3, 4 and 5 elect one of them, which commits an entry of its own term.
  c.heal();
  c.isolate(1);
  c.isolate(2);
  std::uint64_t lead = 0;
  for (int i = 0; i < 100 && lead == 0; ++i) {
    c.tick_all();
    for (std::uint64_t id : {3, 4, 5}) {
      if (c.node(id).role() == Role::kLeader) lead = id;
    }
  }
  ASSERT_NE(lead, 0u);
  ASSERT_TRUE(c.node(lead).propose("new").ok());
  c.stabilize();
  c.heal();
  c.tick_all(3);
  ASSERT_EQ(c.node(lead).role(), Role::kLeader);
  for (int id : {1, 2}) {
    EXPECT_EQ(c.storage(id).all(), c.storage(lead).all()) << id;
    EXPECT_FALSE(c.node(id).configuration().contains(NodeId(6))) << id;
    EXPECT_EQ(c.node(id).configuration().voter_count(), 5u) << id;
  }
}

TEST(Membership, CommittedConfigurationIsReportedOnceAndSurvivesRestart) {
  TestCluster c = with_joiners(4);
  c.elect(1);
  auto idx = c.node(1).propose_change(NodeId(4), kStandby);
  ASSERT_TRUE(idx.ok());
  c.stabilize();
  for (int id : {1, 2, 3, 4}) {
    int reports = 0;
    for (const Ready& rd : c.readies[id]) {
      if (!rd.committed_config) continue;
      ++reports;
      EXPECT_EQ(rd.committed_config->index, *idx);
      ASSERT_TRUE(rd.hard_state);  // with the commit index that covers it
      EXPECT_GE(rd.hard_state->commit, *idx);
    }
    EXPECT_EQ(reports, 1) << id;
    ASSERT_TRUE(c.storage(id).committed_config()) << id;
    EXPECT_EQ(c.storage(id).committed_config()->configuration.role(NodeId(4)), kStandby);
  }
  // An uncommitted change on top, then restarts with and without the host's record.
  c.isolate(2);
  c.isolate(3);
  ASSERT_TRUE(c.node(1).propose_change(NodeId(4), kVoter).ok());
  c.stabilize();
  const Configuration want = c.node(1).configuration();
  for (bool forget : {false, true}) {
    c.forget_committed_config = forget;
    c.restart(1);
    EXPECT_EQ(c.node(1).configuration(), want) << forget;
    EXPECT_EQ(c.node(1).committed_configuration().index, *idx) << forget;
    // Without the record, the first Ready reports what the core found in the log.
    c.process(1);
    EXPECT_EQ(c.readies[1].back().committed_config.has_value(), forget);
  }
}

// A LogReader that records which ranges are searched for configuration entries.
class CountingReader final : public LogReader {
 public:
  explicit CountingReader(const MemoryLog& log) : log_(log) {}
  LogIndex last_index() const override { return log_.last_index(); }
  Term term(LogIndex index) const override { return log_.term(index); }
  void entries(LogIndex lo, LogIndex hi, std::uint64_t max_bytes,
               std::vector<Entry>& out) const override {
    log_.entries(lo, hi, max_bytes, out);
  }
  void config_entries(LogIndex lo, LogIndex hi, std::vector<Entry>& out) const override {
    searched.emplace_back(lo, hi);
    LogReader::config_entries(lo, hi, out);
  }
  mutable std::vector<std::pair<LogIndex, LogIndex>> searched;

 private:
  const MemoryLog& log_;
};

TEST(Membership, TheHostsRecordLimitsTheStartUpSearchToTheUncommittedTail) {
  MemoryLog log;
  Configuration c1 = voters({1, 2});
  Configuration c2 = voters({1, 2, 3});
  log.append({make_entry(1, 1), config_entry(2, 1, c1), make_entry(3, 1), make_entry(4, 1),
              config_entry(5, 1, c2)});
  Config cfg;
  cfg.id = NodeId(1);
  cfg.voters = {NodeId(1)};
  HardState hs{Term(1), kNoNode, LogIndex(4)};
  CountingReader reader(log);
  Core with_record(cfg, reader, hs, IndexedConfiguration{LogIndex(2), c1});
  ASSERT_EQ(reader.searched.size(), 1u);
  EXPECT_EQ(reader.searched[0], std::make_pair(LogIndex(5), LogIndex(6)));
  EXPECT_EQ(with_record.configuration(), c2);
  EXPECT_EQ(with_record.committed_configuration(), (IndexedConfiguration{LogIndex(2), c1}));
  reader.searched.clear();
  Core without(cfg, reader, hs);
  ASSERT_EQ(reader.searched.size(), 1u);
  EXPECT_EQ(reader.searched[0], std::make_pair(LogIndex(1), LogIndex(6)));
  EXPECT_EQ(without.configuration(), c2);
  EXPECT_EQ(without.committed_configuration(), (IndexedConfiguration{LogIndex(2), c1}));
}

TEST(Membership, AnUndecodableConfigurationIsABrokenInvariantNotACrash) {
  std::vector<std::string> broken;
  TestCluster c(3, [&broken](Config& cfg) {
    cfg.on_broken_invariant = [&broken](std::string_view what) { broken.emplace_back(what); };
  });
  c.elect(1);
  Message app;
  app.type = MessageType::kApp;
  app.from = NodeId(1);
  app.to = NodeId(2);
  app.term = Term(1);
  app.index = LogIndex(1);
  app.log_term = Term(1);
  app.entries = {Entry{LogIndex(2), Term(1), EntryType::kConfig, "\x07garbage"}};
  c.node(2).step(app);
  ASSERT_EQ(broken.size(), 1u);
  EXPECT_NE(broken[0].find("configuration entry 2 (term 1) from member 1: configuration: "
                           "unsupported version 7"),
            std::string::npos)
      << broken[0];
  EXPECT_EQ(c.node(2).last_index(), LogIndex(1));  // nothing appended
  EXPECT_EQ(c.node(2).configuration(), voters({1, 2, 3}));
}

TEST(Membership, RemovedFollowerStopsReceivingAndNeverCampaigns) {
  TestCluster c(3);
  c.elect(1);
  auto idx = c.node(1).propose_change(NodeId(3), std::nullopt);
  ASSERT_TRUE(idx.ok());
  c.stabilize();
  EXPECT_EQ(c.node(1).committed(), *idx);
  EXPECT_FALSE(c.node(3).configuration().contains(NodeId(3)));  // it learned its removal
  EXPECT_EQ(c.node(1).progress(NodeId(3)), nullptr);
  std::size_t before = c.sent.size();
  ASSERT_TRUE(c.node(1).propose("after").ok());
  c.tick(1, 3);
  c.tick(3, 100);
  c.stabilize();
  for (std::size_t i = before; i < c.sent.size(); ++i) EXPECT_NE(c.sent[i].to, NodeId(3));
  EXPECT_FALSE(sent_campaign_from(c, before, 3));
  // Two voters remain: both are needed.
  c.isolate(2);
  ASSERT_TRUE(c.node(1).propose("needs 2").ok());
  c.stabilize();
  EXPECT_EQ(c.node(1).committed(), LogIndex(idx->value + 1));
}

TEST(Membership, RemovedLeaderHandsOverThenStepsDown) {
  TestCluster c(3);
  c.elect(1);
  ASSERT_TRUE(c.node(1).propose("a").ok());
  c.stabilize();
  auto idx = c.node(1).propose_change(NodeId(1), std::nullopt);
  ASSERT_TRUE(idx.ok());
  // Until the removal commits, 1 leads a group it is not part of.
  EXPECT_EQ(c.node(1).role(), Role::kLeader);
  c.stabilize();  // no ticks: the hand-over does not wait for an election timeout
  EXPECT_EQ(c.node(1).role(), Role::kFollower);
  std::optional<std::uint64_t> lead;
  for (int id : {2, 3}) {
    if (c.node(id).role() == Role::kLeader) lead = id;
  }
  ASSERT_TRUE(lead);
  EXPECT_EQ(c.node(*lead).term(), Term(2));
  EXPECT_EQ(c.node(*lead).committed_configuration().configuration, voters({2, 3}));
  // The new leader carries on without 1; 1 never campaigns again.
  std::size_t before = c.sent.size();
  ASSERT_TRUE(c.node(*lead).propose("b").ok());
  c.tick(1, 100);
  c.tick_all(5);
  EXPECT_FALSE(sent_campaign_from(c, before, 1));
  for (int id : {2, 3}) EXPECT_EQ(c.applied(id).back().data, "b");
}

TEST(Membership, DemotedLeaderHandsOverAndStaysAsAStandby) {
  TestCluster c(3);
  c.elect(1);
  ASSERT_TRUE(c.node(1).propose_change(NodeId(1), kStandby).ok());
  c.stabilize();
  EXPECT_EQ(c.node(1).role(), Role::kFollower);
  std::uint64_t lead = c.node(2).role() == Role::kLeader ? 2 : 3;
  ASSERT_EQ(c.node(lead).role(), Role::kLeader);
  ASSERT_TRUE(c.node(lead).propose("still replicated to 1").ok());
  c.stabilize();
  EXPECT_EQ(c.applied(1).back().data, "still replicated to 1");
  EXPECT_EQ(c.node(1).configuration().role(NodeId(1)), kStandby);
}

TEST(Membership, RemovedLeaderStepsDownWhenTheHandOverTimesOut) {
  TestCluster c(3);
  c.elect(1);
  ASSERT_TRUE(c.node(1).propose_change(NodeId(1), std::nullopt).ok());
  // Accepted before the removal commits, but never delivered: no voter can be caught up.
  c.filter = [](Message& m) {
    return std::none_of(m.entries.begin(), m.entries.end(),
                        [](const Entry& e) { return e.data == "x"; });
  };
  ASSERT_TRUE(c.node(1).propose("x").ok());
  c.stabilize();
  ASSERT_EQ(c.node(1).role(), Role::kLeader);
  EXPECT_EQ(c.node(1).committed_configuration().configuration, voters({2, 3}));
  EXPECT_NE(c.node(1).transferee(), kNoNode);
  EXPECT_FALSE(c.node(1).propose("y").ok());
  EXPECT_FALSE(c.node(1).transfer(NodeId(2)).ok());
  c.tick(1, 10);  // an election timeout
  EXPECT_EQ(c.node(1).role(), Role::kFollower);
  // The remaining voters elect a leader the ordinary way.
  c.filter = nullptr;
  for (int i = 0; i < 40 && c.node(2).role() != Role::kLeader && c.node(3).role() != Role::kLeader;
       ++i) {
    c.tick_all();
  }
  EXPECT_TRUE(c.node(2).role() == Role::kLeader || c.node(3).role() == Role::kLeader);
  EXPECT_EQ(c.node(1).role(), Role::kFollower);
}

// A leader demotes (or removes) itself and is cut off before the entry leaves it: it alone holds
// the new configuration, in which it does not vote, and the other voter, whose log is now behind,
// cannot get its vote. Until the change commits the leader may still campaign (its committed
// configuration counts it), else nobody could ever lead again.
void leader_cut_off_while_leaving(std::optional<MemberRole> role) {
  TestCluster c(2);
  c.elect(1);
  c.isolate(1);
  auto idx = c.node(1).propose_change(NodeId(1), role);
  ASSERT_TRUE(idx.ok()) << idx.error().message;
  c.stabilize();
  c.tick(1, 20);  // check-quorum: no voter of the new configuration answers
  ASSERT_EQ(c.node(1).role(), Role::kFollower);
  ASSERT_EQ(c.node(2).last_index(), LogIndex(idx->value - 1));
  c.heal();
  for (int i = 0; i < 200 && !(c.node(2).role() == Role::kLeader &&
                               c.node(2).committed_configuration().index == *idx);
       ++i) {
    c.tick_all();
  }
  EXPECT_EQ(c.node(2).role(), Role::kLeader);
  EXPECT_EQ(c.node(2).committed_configuration().index, *idx);
  EXPECT_EQ(c.node(2).committed_configuration().configuration,
            voters({1, 2}).with(NodeId(1), role));
  // Once the change is committed in its log, the former leader no longer campaigns.
  std::size_t before = c.sent.size();
  c.tick(1, 100);
  c.stabilize();
  EXPECT_FALSE(sent_campaign_from(c, before, 1));
}

TEST(Membership, LeaderCutOffWhileDemotingItselfCanBeReplaced) {
  leader_cut_off_while_leaving(kStandby);
}

TEST(Membership, LeaderCutOffWhileRemovingItselfCanBeReplaced) {
  leader_cut_off_while_leaving(std::nullopt);
}

TEST(Membership, JoinerWithNoConfigurationLearnsItFromTheLog) {
  TestCluster c(2, [](Config& cfg) {
    cfg.voters = cfg.id == NodeId(1) ? std::vector<NodeId>{NodeId(1)} : std::vector<NodeId>{};
  });
  c.elect(1);
  ASSERT_EQ(c.node(1).role(), Role::kLeader);
  c.tick(2, 100);  // knows of no configuration: never campaigns
  c.stabilize();
  EXPECT_EQ(c.node(2).role(), Role::kFollower);
  EXPECT_EQ(c.node(2).term(), Term(0));
  ASSERT_TRUE(c.node(1).propose_change(NodeId(2), kSpare).ok());
  c.stabilize();
  ASSERT_TRUE(c.node(1).propose_change(NodeId(2), kVoter).ok());
  c.stabilize();
  EXPECT_EQ(c.node(2).configuration(), voters({1, 2}));
  EXPECT_EQ(c.node(2).committed(), c.node(1).committed());
}

// ---- the role policy's inputs ----

TEST(Membership, MemberStatusesSeeOfflineMembersAndCatchUp) {
  TestCluster c = with_joiners(4);
  c.elect(1);
  ASSERT_TRUE(c.node(1).propose_change(NodeId(4), kSpare).ok());
  c.tick_all(3);
  auto statuses = c.node(1).member_statuses();
  ASSERT_EQ(statuses.size(), 4u);
  for (const MemberStatus& s : statuses) {
    EXPECT_TRUE(s.online) << s.id.value;
    EXPECT_TRUE(s.caught_up) << s.id.value;
  }
  c.isolate(3);
  c.tick_all(10);
  statuses = c.node(1).member_statuses();
  EXPECT_FALSE(statuses[2].online);
  EXPECT_TRUE(statuses[3].online);
  EXPECT_TRUE(c.node(2).member_statuses().empty());  // not the leader
}

TEST(Membership, ALaggingSpareIsNotPromotedUntilItCatchesUp) {
  TestCluster c(3, [](Config& cfg) { cfg.voters = {NodeId(1), NodeId(2)}; });
  c.elect(1);
  // Member 3 answers heartbeats but every App with entries to it is lost.
  c.filter = [](Message& m) {
    return !(m.to == NodeId(3) && m.type == MessageType::kApp && !m.entries.empty());
  };
  ASSERT_TRUE(c.node(1).propose_change(NodeId(3), kSpare).ok());
  c.stabilize();
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(c.node(1).propose("p").ok());
    c.tick_all();
  }
  const MemberStatus s3 = c.node(1).member_statuses()[2];
  EXPECT_TRUE(s3.online);
  EXPECT_FALSE(s3.caught_up);
  // The policy wants a third voter but will only make 3 a stand-by for now.
  EXPECT_EQ(c.node(1).next_role_change(), (RoleChange{NodeId(3), kStandby}));
  c.filter = nullptr;
  c.tick_all(3);
  EXPECT_TRUE(c.node(1).member_statuses()[2].caught_up);
  EXPECT_EQ(c.node(1).next_role_change(), (RoleChange{NodeId(3), kVoter}));
}

TEST(Membership, CatchUpGivesUpAfterTooManySlowRounds) {
  TestCluster c(3, [](Config& cfg) { cfg.voters = {NodeId(1), NodeId(2)}; });
  c.elect(1);
  ASSERT_TRUE(c.node(1).propose_change(NodeId(3), kSpare).ok());
  c.stabilize();
  // Member 3 receives entries only up to `limit`.
  std::uint64_t limit = UINT64_MAX;
  c.filter = [&limit](Message& m) {
    if (m.to == NodeId(3) && m.type == MessageType::kApp) {
      std::erase_if(m.entries, [&](const Entry& e) { return e.index.value > limit; });
    }
    return true;
  };
  // Each slow round: the member stays short of the round's target for 12 ticks (more than an
  // election timeout) while the log grows, then reaches exactly the target: the round ends, slowly,
  // and the next one starts with a target it has not reached.
  int slow_rounds = 0;
  for (int i = 0; i < 40 && !c.node(1).progress(NodeId(3))->catch_up.given_up; ++i) {
    const Progress* pr = c.node(1).progress(NodeId(3));
    LogIndex target = pr->catch_up.target;
    if (pr->match >= target) {  // a round that ends at once; the next one starts further on
      limit = pr->match.value;
      ASSERT_TRUE(c.node(1).propose("p").ok());
      c.tick_all();
      continue;
    }
    limit = target.value - 1;
    for (int t = 0; t < 12; ++t) {
      ASSERT_TRUE(c.node(1).propose("p").ok());
      c.tick_all();
    }
    EXPECT_FALSE(c.node(1).member_statuses()[2].caught_up) << i;
    limit = target.value;
    c.tick_all();
    ++slow_rounds;
  }
  ASSERT_TRUE(c.node(1).progress(NodeId(3))->catch_up.given_up);
  EXPECT_EQ(slow_rounds, CatchUp::kMaxCatchUpRounds);
  // Quick rounds now, but the leader has given up on it...
  limit = UINT64_MAX;
  c.tick_all(5);
  EXPECT_EQ(c.storage(3).all(), c.storage(1).all());
  EXPECT_FALSE(c.node(1).member_statuses()[2].caught_up);
  // ...until it has been offline.
  c.isolate(3);
  c.tick_all(10);
  c.heal();
  c.tick_all(3);
  EXPECT_TRUE(c.node(1).member_statuses()[2].caught_up);
}

TEST(Membership, OfflineVoterIsReplacedByTheRolePolicy) {
  TestCluster c = with_joiners(5);
  c.elect(1);
  ASSERT_TRUE(c.node(1).propose_change(NodeId(4), kSpare).ok());
  c.stabilize();
  ASSERT_TRUE(c.node(1).propose_change(NodeId(5), kSpare).ok());
  c.stabilize();
  // The host's loop: ask the policy, propose what it says.
  auto drive = [&](int rounds) {
    std::vector<RoleChange> made;
    for (int i = 0; i < rounds; ++i) {
      c.tick_all();
      if (auto change = c.node(1).next_role_change()) {
        EXPECT_TRUE(c.node(1).propose_change(change->member, change->role).ok());
        made.push_back(*change);
        c.stabilize();
      }
    }
    return made;
  };
  EXPECT_EQ(drive(5), (std::vector<RoleChange>{{NodeId(4), kStandby}, {NodeId(5), kStandby}}));
  c.isolate(3);
  // Once 3 has been silent for an election timeout: the replacement first, then the demotion.
  EXPECT_EQ(drive(30), (std::vector<RoleChange>{{NodeId(4), kVoter}, {NodeId(3), kSpare}}));
  EXPECT_EQ(c.node(1).committed_configuration().configuration.voters(),
            (std::vector<NodeId>{NodeId(1), NodeId(2), NodeId(4)}));
}

}  // namespace
}  // namespace movn::raft
