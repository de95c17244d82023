// Named membership scenarios (docs/adr/0006) run in the deterministic simulator: changes while
// the leader crashes, a transfer to a lagging member, removing the leader, a configuration rolled
// back by truncation, 3 to 5 to 2 voters and back under partitions; ReadIndex across a change of
// leader; and the proof that the membership and ReadIndex checkers catch what they are for.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <vector>

#include "tests/sim/scenario.h"
#include "tests/sim/simulator.h"

namespace movn::sim {
namespace {

using raft::MemberRole;
using raft::MessageType;
using raft::Role;
using scenario::commit;
using scenario::elect;
using scenario::scripted;
using scenario::violation_of;

constexpr MemberRole kVoter = MemberRole::kVoter;
constexpr MemberRole kStandby = MemberRole::kStandby;
constexpr MemberRole kSpare = MemberRole::kSpare;

// `members` initial voters among `machines` machines (the others start outside).
SimOptions with_machines(int members, int machines) {
  SimOptions o = scripted(members);
  o.machines = machines;
  return o;
}

raft::Configuration config_of(std::initializer_list<std::pair<std::uint64_t, MemberRole>> roles) {
  raft::Configuration c;
  for (const auto& [id, role] : roles) c.members[NodeId(id)] = role;
  return c;
}

// The operator asks the current leader for "member gets role" (nullopt: removed) until the
// leader's committed configuration has it, retrying at each new leader (a change is refused
// while another is uncommitted or before a new leader commits, and is lost with a leader that
// crashes before it spreads).
bool change(Simulator& sim, std::uint64_t member, std::optional<MemberRole> role,
            int max_ticks = 600) {
  return sim.run_until(
      [&] {
        auto l = sim.leader();
        if (!l) return false;
        const raft::Core& core = sim.core(*l);
        if (core.committed_configuration().configuration.role(NodeId(member)) == role) {
          return true;
        }
        (void)sim.propose_change(*l, member, role);
        return false;
      },
      max_ticks);
}

// Every live member that holds the whole log agrees on `want`, in effect and committed.
void expect_configuration_everywhere(Simulator& sim, const raft::Configuration& want) {
  for (const auto& [id, role] : want.members) {
    ASSERT_TRUE(sim.up(id.value));
    EXPECT_EQ(sim.core(id.value).configuration(), want) << "member " << id.value;
    EXPECT_EQ(sim.core(id.value).committed_configuration().configuration, want)
        << "member " << id.value;
  }
}

// Leader 1 adds machine 4 as a voter; the entry reaches member 2 only, then 1 crashes. The change
// is in effect on 2 (4 voters, a quorum of 3), so 2 can only win with 3's and 4's votes, and the
// change commits once 2's no-op does. When 1 comes back it follows.
TEST(SimMembership, ChangeSurvivesTheLeaderCrashingRightAfterProposingIt) {
  Simulator sim(with_machines(3, 4));
  ASSERT_TRUE(elect(sim, 1));
  ASSERT_TRUE(commit(sim, 1, "base"));
  sim.block(1, 3);
  sim.block(1, 4);
  auto index = sim.propose_change(1, 4, kVoter);
  ASSERT_TRUE(index.ok()) << index.error().message;
  sim.run(2);
  ASSERT_EQ(sim.store(2).view().last_index(), *index);
  ASSERT_EQ(sim.core(2).configuration(), config_of({{1, kVoter}, {2, kVoter}, {3, kVoter},
                                                    {4, kVoter}}));
  sim.crash(1);
  sim.heal();
  ASSERT_TRUE(sim.run_until([&] { return sim.leader().has_value(); }, 300));
  EXPECT_EQ(sim.leader(), 2u);  // the only log holding the change; 3 cannot win without 2
  ASSERT_TRUE(commit(sim, 2, "after"));
  EXPECT_EQ(sim.core(2).committed_configuration().index, *index);
  EXPECT_FALSE(sim.acked_change(*index));  // its client went down with member 1
  sim.restart(1);
  ASSERT_TRUE(sim.check_liveness(400)) << violation_of(sim);
  expect_configuration_everywhere(
      sim, config_of({{1, kVoter}, {2, kVoter}, {3, kVoter}, {4, kVoter}}));
  EXPECT_TRUE(sim.acked("base"));
  EXPECT_TRUE(sim.acked("after"));
}

// 3 lags far behind (its Apps are lost); 1 transfers leadership to it. Proposals are refused
// while the transfer runs; 1 first brings 3 up to date, then 3 campaigns at once (inside the
// lease of 1's followers) and leads the next term: one leader per term throughout.
TEST(SimMembership, TransferToALaggingMember) {
  Simulator sim(scripted(3));
  ASSERT_TRUE(elect(sim, 1));
  ASSERT_TRUE(commit(sim, 1, "base"));
  sim.network().drop_if = [](const raft::Message& m) {
    return m.to == NodeId(3) && m.type == MessageType::kApp;
  };
  for (int k = 0; k < 8; ++k) ASSERT_TRUE(commit(sim, 1, "lag" + std::to_string(k)));
  ASSERT_LT(sim.store(3).view().last_index(), sim.core(1).last_index());
  sim.network().drop_if = nullptr;
  const Term before = sim.core(1).term();
  ASSERT_TRUE(sim.transfer(1, 3).ok());
  EXPECT_EQ(sim.core(1).transferee(), NodeId(3));
  auto refused = sim.propose(1, "during");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::kUnavailable);
  ASSERT_TRUE(sim.run_until([&] { return sim.leader() == 3u; }, 40)) << violation_of(sim);
  EXPECT_EQ(sim.core(3).term(), before.next());
  EXPECT_EQ(sim.core(1).role(), Role::kFollower);
  ASSERT_TRUE(commit(sim, 3, "after"));
  ASSERT_TRUE(sim.check_liveness(400)) << violation_of(sim);
  for (int k = 0; k < 8; ++k) EXPECT_TRUE(sim.acked("lag" + std::to_string(k)));
  EXPECT_EQ(sim.checker().leaders_seen(), 2u);
}

// The leader removes itself: it leads until the removal commits, hands over to the most
// up-to-date voter and steps down. It keeps running but never campaigns again (the checker
// fails any member that campaigns outside its configurations), even while the new leader is cut
// off, and no longer receives the log.
TEST(SimMembership, RemovingTheLeader) {
  Simulator sim(scripted(3));
  ASSERT_TRUE(elect(sim, 1));
  ASSERT_TRUE(commit(sim, 1, "base"));
  auto index = sim.propose_change(1, 1, std::nullopt);
  ASSERT_TRUE(index.ok()) << index.error().message;
  EXPECT_EQ(sim.core(1).role(), Role::kLeader);
  ASSERT_TRUE(sim.run_until(
      [&] {
        auto l = sim.leader();
        return l && *l != 1;
      },
      40))
      << violation_of(sim);
  EXPECT_EQ(sim.core(1).role(), Role::kFollower);
  EXPECT_TRUE(sim.acked_change(*index));
  const raft::Configuration rest = config_of({{2, kVoter}, {3, kVoter}});
  EXPECT_EQ(sim.core(1).committed_configuration().configuration, rest);
  std::uint64_t lead = *sim.leader();
  const Term term = sim.core(1).term();
  sim.isolate(lead);
  sim.run(200);
  EXPECT_NE(sim.core(1).role(), Role::kLeader);
  EXPECT_EQ(sim.core(1).term(), term);
  sim.heal();
  ASSERT_TRUE(sim.run_until([&] { return sim.leader().has_value(); }, 300));
  ASSERT_TRUE(commit(sim, *sim.leader(), "without 1"));
  ASSERT_TRUE(sim.check_liveness(400)) << violation_of(sim);
  expect_configuration_everywhere(sim, rest);
  EXPECT_FALSE(sim.violation().has_value()) << violation_of(sim);
  for (const raft::Entry& e : sim.store(1).view().all()) EXPECT_NE(scenario::request_of(e), "without 1");
}

// The leader removes itself, is cut off before the entry leaves it and crashes. It alone holds
// the new configuration, in which it does not vote, and 2 and 3 (whose logs are now behind its,
// and which cannot reach each other) cannot win its vote: until the removal commits it must
// still campaign, or nobody could ever lead again (a bug the random search found;
// raft::Core::may_campaign()).
TEST(SimMembership, LeaderCrashingRightAfterRemovingItselfIsReplaced) {
  Simulator sim(scripted(3));
  ASSERT_TRUE(elect(sim, 1));
  ASSERT_TRUE(commit(sim, 1, "base"));
  sim.isolate(1);
  auto index = sim.propose_change(1, 1, std::nullopt);
  ASSERT_TRUE(index.ok()) << index.error().message;
  sim.run(2);
  sim.crash(1);
  sim.restart(1);
  sim.heal();
  // 2 and 3 cannot reach each other: neither can win without 1's vote, which 1's longer log
  // keeps from them. Only 1 can lead, and it commits its own removal.
  sim.block(2, 3);
  sim.block(3, 2);
  const raft::Configuration rest = config_of({{2, kVoter}, {3, kVoter}});
  ASSERT_TRUE(sim.run_until([&] { return sim.up(1) && sim.core(1).committed_configuration().configuration == rest; },
                            400))
      << violation_of(sim);
  sim.heal();
  ASSERT_TRUE(sim.run_until(
      [&] {
        auto l = sim.leader();
        return l && *l != 1 && sim.core(*l).committed_configuration().configuration == rest;
      },
      400))
      << violation_of(sim);
  ASSERT_TRUE(sim.check_liveness(400)) << violation_of(sim);
  expect_configuration_everywhere(sim, rest);
  EXPECT_EQ(sim.core(1).configuration(), rest);
}

// Leader 1, cut off from 2 and 3 but not from machine 4, makes 4 a voter: the entry reaches 4,
// whose configuration now counts it as a voter. 2 and 3 elect a leader and move on; when the
// network heals, 1's entry is overwritten and the configuration rolled back. 4, outside the
// committed configuration, receives nothing until it is added again (as a spare); then its
// stale entry is truncated too. The rolled-back configuration is in effect nowhere.
TEST(SimMembership, AConfigurationRolledBackByTruncation) {
  Simulator sim(with_machines(3, 4));
  ASSERT_TRUE(elect(sim, 1));
  ASSERT_TRUE(commit(sim, 1, "base"));
  for (std::uint64_t other : {2, 3}) {
    sim.block(1, other);
    sim.block(other, 1);
  }
  auto index = sim.propose_change(1, 4, kVoter);
  ASSERT_TRUE(index.ok()) << index.error().message;
  const std::string rolled_back = sim.store(1).view().at(*index).data;
  sim.run(3);
  ASSERT_EQ(sim.store(4).view().last_index(), *index);
  ASSERT_TRUE(sim.core(4).configuration().is_voter(NodeId(4)));
  ASSERT_TRUE(sim.run_until(
      [&] {
        auto l = sim.leader();
        return l && *l != 1;
      },
      300));
  std::uint64_t lead = *sim.leader();
  ASSERT_TRUE(commit(sim, lead, "other side"));
  sim.heal();
  const raft::Configuration initial = config_of({{1, kVoter}, {2, kVoter}, {3, kVoter}});
  ASSERT_TRUE(sim.run_until([&] { return sim.core(1).configuration() == initial; }, 100));
  EXPECT_NE(sim.store(1).view().at(*index).data, rolled_back);
  // 4 is no member: nobody sends it anything, and it wins no election with its stale view.
  sim.run(100);
  EXPECT_TRUE(sim.core(4).configuration().is_voter(NodeId(4)));
  EXPECT_NE(sim.leader(), 4u);
  ASSERT_TRUE(change(sim, 4, kSpare));
  ASSERT_TRUE(sim.check_liveness(400)) << violation_of(sim);
  const raft::Configuration with_spare =
      config_of({{1, kVoter}, {2, kVoter}, {3, kVoter}, {4, kSpare}});
  expect_configuration_everywhere(sim, with_spare);
  EXPECT_FALSE(sim.acked_change(*index));
  for (std::uint64_t id : {1, 2, 3, 4}) {
    EXPECT_NE(sim.store(id).view().at(*index).data, rolled_back) << "member " << id;
  }
  EXPECT_TRUE(sim.acked("other side"));
}

// From 3 voters to 5, down to 2 and back to 5, one change at a time, each made while one machine
// (sometimes the leader) is cut off for a while, with proposals in between. Every change
// completes, every acknowledged proposal survives, and all members end with one configuration.
TEST(SimMembership, ThreeToFiveToTwoAndBackUnderPartitions) {
  Simulator sim(with_machines(3, 5));
  ASSERT_TRUE(elect(sim, 1));
  ASSERT_TRUE(commit(sim, 1, "base"));
  struct Step {
    std::uint64_t member;
    std::optional<MemberRole> role;
  };
  const std::vector<Step> steps = {
      {4, kSpare},   {5, kStandby}, {4, kVoter}, {5, kVoter},          // 5 voters
      {3, kStandby}, {4, std::nullopt}, {5, kSpare}, {3, std::nullopt},  // 2 voters
      {3, kSpare},   {4, kStandby}, {3, kVoter}, {4, kVoter}, {5, kVoter},  // 5 again
  };
  const std::map<int, std::size_t> voters_after = {{3, 5}, {7, 2}, {12, 5}};
  int k = 0;
  for (const Step& step : steps) {
    // Cut one machine off (in turn, the leader every third step) for a while.
    std::uint64_t cut = k % 3 == 2 && sim.leader() ? *sim.leader() : 1 + (k % 5);
    sim.isolate(cut);
    bool done = change(sim, step.member, step.role, 120);
    sim.heal();
    if (!done) done = change(sim, step.member, step.role);
    ASSERT_TRUE(done) << "step " << k << ": " << violation_of(sim);
    auto l = sim.leader();
    ASSERT_TRUE(l);
    if (voters_after.contains(k)) {
      EXPECT_EQ(sim.core(*l).committed_configuration().configuration.voter_count(),
                voters_after.at(k));
    }
    ASSERT_TRUE(commit(sim, *l, "step" + std::to_string(k))) << violation_of(sim);
    ++k;
  }
  ASSERT_TRUE(sim.check_liveness(400)) << violation_of(sim);
  expect_configuration_everywhere(
      sim, config_of({{1, kVoter}, {2, kVoter}, {3, kVoter}, {4, kVoter}, {5, kVoter}}));
  for (int i = 0; i < k; ++i) EXPECT_TRUE(sim.acked("step" + std::to_string(i))) << i;
  EXPECT_TRUE(sim.acked("base"));
}

// A read at a leader that has been cut off is never confirmed; one at its successor, issued after
// a write there was acknowledged, is served from a state that holds it (the checker compares the
// read's index with every write acknowledged before it was issued). Once back as a follower, the
// old leader serves reads too, at the index the current leader gives it (docs/adr/0009).
TEST(SimReadIndex, ReadsAreServedOnlyAtTheCurrentLeadersIndex) {
  Simulator sim(scripted(3));
  ASSERT_TRUE(elect(sim, 1));
  ASSERT_TRUE(commit(sim, 1, "a"));
  auto first = sim.read(1);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(sim.run_until([&] { return sim.read_served(*first); }, 20));
  sim.isolate(1);
  auto stale = sim.read(1);
  ASSERT_TRUE(stale.ok());
  ASSERT_TRUE(sim.run_until(
      [&] {
        auto l = sim.leader();
        return l && *l != 1;
      },
      300));
  std::uint64_t lead = *sim.leader();
  ASSERT_TRUE(commit(sim, lead, "b"));
  auto fresh = sim.read(lead);
  ASSERT_TRUE(fresh.ok());
  ASSERT_TRUE(sim.run_until([&] { return sim.read_served(*fresh); }, 20)) << violation_of(sim);
  sim.heal();
  sim.run(50);
  EXPECT_FALSE(sim.read_served(*stale));
  EXPECT_NE(sim.core(1).role(), Role::kLeader);
  auto at_follower = sim.read(1);
  ASSERT_TRUE(at_follower.ok());
  ASSERT_TRUE(sim.run_until([&] { return sim.read_served(*at_follower); }, 20)) << violation_of(sim);
  EXPECT_TRUE(sim.projections(1).requests().find("b"));
  EXPECT_FALSE(sim.violation().has_value()) << violation_of(sim);
}

// ---- a cluster formed as an operator forms one (SimOptions::joins) ----

// Machine 1 bootstraps; 2 and 3 join through tokens (the token used up in the batch that admits
// each, with a Raft id from decide()); the leader's membership loop adds each without a vote and
// the role policy promotes them. Removing member m2 at member 3 (forwarded to the leader) takes
// its Raft id out of the configuration, and m2, told so, leaves; it joins again later with a new
// Raft id.
TEST(SimJoins, MembersJoinThroughTokensAndLeaveWhenRemoved) {
  SimOptions o = scripted(1);
  o.machines = 3;
  o.joins = true;
  o.role_policy_every_ticks = 1;
  o.role_targets.voters = 3;
  Simulator sim(o);
  EXPECT_FALSE(sim.up(1) && sim.leader().has_value());  // no Raft anywhere before the bootstrap
  ASSERT_TRUE(commit(sim, 1, "base"));
  ASSERT_EQ(sim.raft_id_of(1), NodeId(1));
  ASSERT_TRUE(sim.add_machine(1, 2).ok());
  ASSERT_TRUE(sim.add_machine(1, 3).ok());
  const raft::Configuration three = config_of({{1, kVoter}, {2, kVoter}, {3, kVoter}});
  ASSERT_TRUE(sim.run_until(
      [&] {
        auto l = sim.leader();
        return l && sim.core(*l).committed_configuration().configuration == three;
      },
      400))
      << violation_of(sim);
  EXPECT_EQ(sim.raft_id_of(2), NodeId(2));
  EXPECT_EQ(sim.raft_id_of(3), NodeId(3));
  for (std::uint64_t m : {1, 2, 3}) {
    ASSERT_TRUE(sim.run_until([&] { return sim.applied(m) >= sim.applied(1); }, 100));
    const auto& ms = sim.projections(m).membership();
    EXPECT_EQ(ms.members().size(), 3u) << "member " << m;
    EXPECT_EQ(sim.projections(m).tokens().tokens().size(), 0u) << "member " << m;  // both used up
  }
  ASSERT_TRUE(sim.remove_member(3, "m2").ok());
  const raft::Configuration two = config_of({{1, kVoter}, {3, kVoter}});
  ASSERT_TRUE(sim.run_until(
      [&] {
        auto l = sim.leader();
        return l && sim.core(*l).committed_configuration().configuration == two && !sim.raft_id_of(2);
      },
      400))
      << violation_of(sim);
  EXPECT_TRUE(sim.up(2));  // a machine outside the cluster again, with an empty store
  EXPECT_EQ(sim.store(2).view().last_index(), LogIndex(0));
  EXPECT_EQ(sim.projections(1).membership().removed().at(NodeId(2)), "m2");
  ASSERT_TRUE(sim.add_machine(1, 2).ok());
  ASSERT_TRUE(sim.run_until([&] { return sim.raft_id_of(2).has_value(); }, 400)) << violation_of(sim);
  EXPECT_EQ(sim.raft_id_of(2), NodeId(4));  // ids are never given twice
  ASSERT_TRUE(sim.check_liveness(400)) << violation_of(sim);
}

// ---- the membership and ReadIndex checkers catch what they are for ----

TEST(SimChecker, AJoinerAdmittedWithoutTheClusterKeyIsAViolation) {
  for (int bug : {11, 0}) {
    SimOptions o = scripted(1);
    o.machines = 2;
    o.joins = true;
    o.plant_bug = bug;
    Simulator sim(o);
    ASSERT_TRUE(commit(sim, 1, "base"));
    ASSERT_TRUE(sim.add_machine(1, 2).ok());
    sim.run_until([&] { return sim.raft_id_of(2).has_value() || sim.violation().has_value(); }, 400);
    if (bug == 11) {
      ASSERT_TRUE(sim.violation().has_value()) << "the planted bug was not caught";
      EXPECT_NE(sim.violation()->find("shared secrets"), std::string::npos) << *sim.violation();
    } else {
      EXPECT_FALSE(sim.violation().has_value()) << *sim.violation();
      EXPECT_TRUE(sim.raft_id_of(2).has_value());
    }
  }
}

TEST(SimChecker, AReadOlderThanAnAcknowledgedWriteIsAViolation) {
  Checker checker;
  checker.on_read_issued(1, LogIndex(10));
  checker.on_read_state(NodeId(1), raft::ReadState{1, LogIndex(10)});
  checker.on_read_served(NodeId(1), 1, LogIndex(10));
  EXPECT_FALSE(checker.violation().has_value());
  checker.on_read_issued(2, LogIndex(12));
  checker.on_read_state(NodeId(1), raft::ReadState{2, LogIndex(11)});
  ASSERT_TRUE(checker.violation().has_value());
  EXPECT_NE(checker.violation()->find("stale read"), std::string::npos) << *checker.violation();
}

raft::Entry config_entry(std::uint64_t index, const raft::Configuration& c) {
  return raft::Entry{LogIndex(index), Term(1), raft::EntryType::kConfig,
                     raft::encode_configuration(c)};
}

TEST(SimChecker, AConfigurationNotInTheLogIsAViolation) {
  const raft::Configuration genesis = config_of({{1, kVoter}, {2, kVoter}, {3, kVoter}});
  raft::MemoryLog empty;
  raft::Config cfg;
  cfg.id = NodeId(1);
  cfg.voters = {NodeId(1), NodeId(2), NodeId(3)};
  raft::Core core(cfg, empty, raft::HardState{});
  // The core read an empty log; the checker is shown one holding a change.
  raft::MemoryLog log;
  log.append({config_entry(1, config_of({{1, kVoter}, {2, kVoter}, {3, kSpare}}))});
  Checker checker;
  checker.set_genesis(genesis);
  checker.on_start(NodeId(1), genesis, empty, core);
  EXPECT_FALSE(checker.violation().has_value()) << *checker.violation();
  checker.on_start(NodeId(1), genesis, log, core);
  ASSERT_TRUE(checker.violation().has_value());
  EXPECT_NE(checker.violation()->find("not in log order"), std::string::npos)
      << *checker.violation();
}

// An append must carry the sender's own log: its stored entries below its unstable tail, the
// tail above, and the term of the entry before them.
TEST(SimChecker, AnAppendCarryingEntriesTheSenderDoesNotHoldIsAViolation) {
  auto entry = [](std::uint64_t index, std::uint64_t term, std::string data) {
    return raft::Entry{LogIndex(index), Term(term), raft::EntryType::kEventBatch, std::move(data)};
  };
  raft::MemoryLog written;
  written.append({entry(1, 1, "a"), entry(2, 1, "b"), entry(3, 2, "c")});
  raft::RaftLog log(written, LogIndex(3), LogIndex(3));
  log.truncate_and_append({entry(4, 3, "d")});  // not written yet
  raft::Message app;
  app.type = raft::MessageType::kApp;
  app.from = NodeId(1);
  app.to = NodeId(2);
  app.term = Term(3);
  app.index = LogIndex(1);
  app.log_term = Term(1);
  app.entries = {entry(2, 1, "b"), entry(3, 2, "c"), entry(4, 3, "d")};
  Checker good;
  good.on_append_sent(NodeId(1), app, written, log, Term(3));
  EXPECT_FALSE(good.violation().has_value()) << *good.violation();

  raft::Message stale = app;
  stale.entries[1] = entry(3, 1, "old");  // what the store held before a write replaced it
  Checker checker;
  checker.on_append_sent(NodeId(1), stale, written, log, Term(3));
  ASSERT_TRUE(checker.violation().has_value());
  EXPECT_NE(checker.violation()->find("not the entry its log holds"), std::string::npos) << *checker.violation();

  raft::Message wrong_prev = app;
  wrong_prev.log_term = Term(2);
  Checker prev_checker;
  prev_checker.on_append_sent(NodeId(1), wrong_prev, written, log, Term(3));
  ASSERT_TRUE(prev_checker.violation().has_value());
  EXPECT_NE(prev_checker.violation()->find("with the term of index 1"), std::string::npos)
      << *prev_checker.violation();

  // An append of an earlier term may have waited while a newer leader rewrote this log.
  Checker late;
  late.on_append_sent(NodeId(1), stale, written, log, Term(4));
  EXPECT_FALSE(late.violation().has_value()) << *late.violation();
}

TEST(SimChecker, AnEntryChangingTwoMembersIsAViolation) {
  const raft::Configuration genesis = config_of({{1, kVoter}, {2, kVoter}, {3, kVoter}});
  raft::MemoryLog log;
  log.append({config_entry(1, config_of({{1, kVoter}, {2, kVoter}, {3, kSpare}, {4, kSpare}}))});
  raft::Config cfg;
  cfg.id = NodeId(1);
  cfg.voters = {NodeId(1), NodeId(2), NodeId(3)};
  cfg.on_broken_invariant = [](std::string_view) {};
  raft::Core core(cfg, log, raft::HardState{});
  Checker checker;
  checker.set_genesis(genesis);
  checker.on_start(NodeId(1), genesis, log, core);
  ASSERT_TRUE(checker.violation().has_value());
  EXPECT_NE(checker.violation()->find("changes more than one member"), std::string::npos)
      << *checker.violation();
}

TEST(SimDeterminism, ASeedWithMembershipReplaysExactly) {
  auto run = [] {
    return Simulator(options_for_seed(42, 3, 0, false, true)).run_seed();
  };
  SeedResult a = run();
  SeedResult b = run();
  EXPECT_TRUE(a.ok) << a.violation;
  EXPECT_EQ(a.ticks, b.ticks);
  EXPECT_EQ(a.committed, b.committed);
  EXPECT_EQ(a.acked, b.acked);
  EXPECT_EQ(a.leaders, b.leaders);
  EXPECT_EQ(a.changes, b.changes);
  EXPECT_EQ(a.configs_committed, b.configs_committed);
  EXPECT_EQ(a.transfers, b.transfers);
  EXPECT_EQ(a.reads_served, b.reads_served);
  EXPECT_GT(a.changes, 0u);
  EXPECT_GT(a.reads_served, 0u);
}

}  // namespace
}  // namespace movn::sim
