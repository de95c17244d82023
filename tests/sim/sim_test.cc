// Named regression scenarios for the Raft core and the host loop, run in the deterministic
// simulator, and the proof that the simulator's checkers catch the planted bugs (the two of
// docs/raft-notes.md in the core; in the host: reads without ReadIndex, no dedup check, a leader
// proposing before its no-op commits).
#include <gtest/gtest.h>

#include <algorithm>

#include "host/test_hooks.h"
#include "tests/sim/scenario.h"
#include "tests/sim/simulator.h"

namespace movn::sim {
namespace {

using raft::MessageType;
using raft::Role;

using scenario::commit;
using scenario::elect;
using scenario::request_of;
using scenario::scripted;
using scenario::violation_of;

// ---- bug 1: a follower with a stale tail answers with its whole last index ----

// 5 members. Old leader 1 gets X (index i) to member 3 only and crashes. A new leader L (not 3)
// appends its no-op Y at i and sends it to one more member; its Apps to 3 are lost, but 3 answers
// heartbeats. With bug 1, 3's reply claims index i, so Y "commits" with two real copies; after
// L and that member crash, 1 or 3 leads and keeps X at i: committed data lost.
void stale_tail_scenario(bool planted) {
  Simulator sim(scripted(5, planted ? 1 : 0));
  ASSERT_TRUE(elect(sim, 1));
  ASSERT_TRUE(commit(sim, 1, "base"));
  sim.run(5);
  for (std::uint64_t to : {2, 4, 5}) sim.block(1, to);
  sim.block(3, 1);
  auto x = sim.propose(1, "X");
  ASSERT_TRUE(x.ok());
  LogIndex i = *x;
  sim.run(3);
  ASSERT_EQ(sim.store(3).view().last_index(), i);
  ASSERT_EQ(request_of(sim.store(3).view().at(i)), "X");
  sim.crash(1);
  sim.heal();
  sim.isolate(3);
  ASSERT_TRUE(sim.run_until(
      [&] {
        auto l = sim.leader();
        return l && *l != 1 && *l != 3;
      },
      300));
  std::uint64_t lead = *sim.leader();
  std::vector<std::uint64_t> rest;
  for (std::uint64_t id : {2, 4, 5}) {
    if (id != lead) rest.push_back(id);
  }
  std::uint64_t a = rest[0], b = rest[1];
  sim.heal();
  sim.block(lead, b);
  sim.network().drop_if = [lead](const raft::Message& m) {
    return m.from == NodeId(lead) && m.to == NodeId(3) && m.type == MessageType::kApp;
  };
  sim.run(30);
  ASSERT_EQ(sim.store(a).view().at(i).type, raft::EntryType::kNoop);
  sim.crash(lead);
  sim.crash(a);
  sim.network().drop_if = nullptr;
  sim.heal();
  sim.restart(1);
  sim.run_until(
      [&] {
        auto l = sim.leader();
        return l && sim.core(*l).committed() >= i && sim.core(*l).term() > Term(2);
      },
      500);
  if (planted) {
    ASSERT_TRUE(sim.violation().has_value());
    // The commit itself is caught (fewer than a quorum hold the entry durably), or later the
    // loss it leads to.
    EXPECT_TRUE(sim.violation()->find("held durably by only") != std::string::npos ||
                sim.violation()->find("leader completeness") != std::string::npos ||
                sim.violation()->find("committed entry changed") != std::string::npos)
        << *sim.violation();
    return;
  }
  EXPECT_FALSE(sim.violation().has_value()) << violation_of(sim);
  EXPECT_TRUE(sim.check_liveness(400)) << violation_of(sim);
}

TEST(SimScenario, StaleTailFollowerReplyIsSafe) { stale_tail_scenario(false); }
#ifdef MOVN_RAFT_TEST_HOOKS
TEST(SimScenario, PlantedBug1StaleTailIsCaught) { stale_tail_scenario(true); }
#endif

// ---- bug 2: Figure 8 ----

// 3 members. 1 leads, appends e (index i) alone, is cut off. B (2 or 3) leads, appends f at i
// alone, is cut off. 1 leads again with C's vote and replicates e to C. With bug 2 (count replicas
// of any term, no no-op) e commits; then B, whose last term is newer, wins C's vote and leads
// without e: a committed entry is gone.
void figure8_scenario(bool planted) {
  Simulator sim(scripted(3, planted ? 2 : 0));
  ASSERT_TRUE(elect(sim, 1));
  ASSERT_TRUE(commit(sim, 1, "base"));
  sim.run(5);
  sim.isolate(1);
  auto e = sim.propose(1, "e");
  ASSERT_TRUE(e.ok());
  LogIndex i = *e;
  ASSERT_TRUE(sim.run_until(
      [&] {
        auto l = sim.leader();
        return l && *l != 1;
      },
      300));
  std::uint64_t b = *sim.leader();
  std::uint64_t c = b == 2 ? 3 : 2;
  sim.isolate(b);  // before its first messages arrive (one-tick network delay)
  ASSERT_TRUE(sim.propose(b, "f").ok());
  sim.run(2);
  sim.heal();
  sim.isolate(b);
  ASSERT_TRUE(sim.run_until([&] { return sim.leader() == 1u && sim.core(1).committed() >= i; },
                            500))
      << violation_of(sim);
  sim.run(2);
  sim.heal();
  sim.isolate(1);
  sim.run_until([&] { return sim.leader() && *sim.leader() != 1; }, 500);
  if (planted) {
    ASSERT_TRUE(sim.violation().has_value());
    EXPECT_NE(sim.violation()->find("leader completeness"), std::string::npos)
        << *sim.violation();
    return;
  }
  EXPECT_FALSE(sim.violation().has_value()) << violation_of(sim);
  EXPECT_EQ(sim.leader(), c);  // C holds 1's term no-op, so B cannot win
  EXPECT_TRUE(sim.check_liveness(400)) << violation_of(sim);
}

TEST(SimScenario, Figure8CommitsOnlyCurrentTerm) { figure8_scenario(false); }
#ifdef MOVN_RAFT_TEST_HOOKS
TEST(SimScenario, PlantedBug2Figure8IsCaught) { figure8_scenario(true); }
#endif

// ---- more regressions ----

TEST(SimScenario, OldLeaderRestartsHoldingAnEntryItNeverReplicated) {
  Simulator sim(scripted(3));
  ASSERT_TRUE(elect(sim, 1));
  ASSERT_TRUE(commit(sim, 1, "base"));
  sim.isolate(1);
  auto x = sim.propose(1, "X");
  ASSERT_TRUE(x.ok());
  sim.run(1);
  sim.crash(1);
  sim.heal();
  ASSERT_TRUE(sim.run_until([&] { return sim.leader().has_value(); }, 300));
  std::uint64_t lead = *sim.leader();
  ASSERT_TRUE(commit(sim, lead, "Y"));
  sim.restart(1);
  ASSERT_EQ(request_of(sim.store(1).view().at(*x)), "X");  // still holds its unreplicated entry
  ASSERT_TRUE(sim.check_liveness(400)) << violation_of(sim);
  EXPECT_FALSE(sim.acked("X"));
  EXPECT_NE(request_of(sim.store(1).view().at(*x)), "X");  // overwritten by the new leader's log
  for (std::uint64_t id : {1, 2, 3}) {
    for (const raft::Entry& en : sim.store(id).view().all()) EXPECT_NE(request_of(en), "X");
  }
}

TEST(SimScenario, PartitionedLeaderNeverCommitsItsProposals) {
  Simulator sim(scripted(3));
  ASSERT_TRUE(elect(sim, 1));
  ASSERT_TRUE(commit(sim, 1, "base"));
  sim.isolate(1);
  for (int k = 0; k < 5; ++k) {
    ASSERT_TRUE(sim.propose(1, "lost" + std::to_string(k)).ok());
    sim.run(2);
  }
  // Check-quorum makes it step down within two election timeouts; it never committed.
  ASSERT_TRUE(sim.run_until([&] { return sim.core(1).role() != Role::kLeader; }, 40));
  EXPECT_FALSE(sim.propose(1, "refused").ok());
  ASSERT_TRUE(sim.run_until(
      [&] {
        auto l = sim.leader();
        return l && *l != 1;
      },
      300));
  ASSERT_TRUE(commit(sim, *sim.leader(), "after"));
  ASSERT_TRUE(sim.check_liveness(400)) << violation_of(sim);
  for (int k = 0; k < 5; ++k) EXPECT_FALSE(sim.acked("lost" + std::to_string(k)));
  for (std::uint64_t id : {1, 2, 3}) {
    for (const raft::Entry& en : sim.store(id).view().all()) {
      EXPECT_EQ(request_of(en).rfind("lost", 0), std::string::npos) << "member " << id;
    }
  }
}

// The leader sends entries while it writes them (host-loop-notes.md §2): with a slow disk on the
// leader, an entry commits once both followers hold it durably. The leader crashes before its own
// write completes and loses that tail; the entry survives in the followers' logs and is applied
// everywhere, at the same index.
TEST(SimScenario, ALeaderWithASlowDiskCommitsThroughItsFollowers) {
  Simulator sim(scripted(3));
  ASSERT_TRUE(elect(sim, 1));
  ASSERT_TRUE(commit(sim, 1, "base"));
  sim.run(3);
  sim.set_disk_delay(1, 50);
  auto fast = sim.propose(1, "fast");
  ASSERT_TRUE(fast.ok());
  const LogIndex i = *fast;
  ASSERT_TRUE(sim.run_until([&] { return sim.core(1).committed() >= i; }, 20)) << violation_of(sim);
  ASSERT_TRUE(sim.store(1).has_unsynced());  // committed while the leader's own copy is not durable
  EXPECT_LT(sim.store(1).durable().last_index(), i);
  EXPECT_LT(sim.applied(1), i);  // nothing is applied before it is durable here
  EXPECT_FALSE(sim.acked("fast"));
  sim.crash(1);
  EXPECT_LT(sim.store(1).view().last_index(), i);  // the tail is gone
  sim.set_disk_delay(1, 0);
  sim.restart(1);
  ASSERT_TRUE(sim.check_liveness(400)) << violation_of(sim);
  for (std::uint64_t id : {1, 2, 3}) {
    EXPECT_EQ(request_of(sim.store(id).view().at(i)), "fast") << "member " << id;
    EXPECT_TRUE(sim.projections(id).requests().find("fast")) << "member " << id;
  }
}

// A leader whose store keeps only its newest entries in memory reads the tail a follower misses
// off the core thread, and late; the follower catches up, and the cluster commits meanwhile.
TEST(SimScenario, AFollowerCatchesUpThroughLogReadsOffTheCoreThread) {
  Simulator sim(scripted(3));
  ASSERT_TRUE(elect(sim, 1));
  sim.isolate(3);
  sim.run(1);
  sim.heal();
  sim.block(1, 3);
  sim.block(3, 1);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(commit(sim, 1, "p" + std::to_string(i))) << violation_of(sim);
  const LogIndex last = sim.store(1).view().last_index();
  ASSERT_LT(sim.store(3).view().last_index(), last);
  sim.set_log_cache(1, 2, 5);
  sim.heal();
  ASSERT_TRUE(commit(sim, 1, "during")) << violation_of(sim);
  ASSERT_TRUE(sim.run_until([&] { return sim.store(3).view().last_index() >= last; }, 300)) << violation_of(sim);
  EXPECT_GT(sim.catch_up_reads(), 0u);
  for (LogIndex i(1); i <= last; i = i.next()) EXPECT_EQ(sim.store(3).view().at(i), sim.store(1).view().at(i));
  ASSERT_TRUE(sim.check_liveness(400)) << violation_of(sim);
}

raft::Message vote_request(std::uint64_t from, std::uint64_t to, Term term, LogIndex last,
                           Term last_term) {
  raft::Message m;
  m.type = MessageType::kVote;
  m.from = NodeId(from);
  m.to = NodeId(to);
  m.term = term;
  m.index = last;
  m.log_term = last_term;
  return m;
}

TEST(SimScenario, VoteSurvivesCrashNoDoubleVote) {
  Simulator sim(scripted(3));
  sim.isolate(2);
  ASSERT_TRUE(elect(sim, 1));  // 3's vote made 1 leader
  Term t = sim.core(1).term();
  sim.crash(3);
  sim.restart(3);
  EXPECT_EQ(sim.store(3).hard_state().term, t);
  EXPECT_EQ(sim.store(3).hard_state().vote, NodeId(1));
  // A rival asks 3 for its vote in the same term: refused, even with a longer log.
  sim.isolate(3);
  sim.deliver(vote_request(2, 3, t, LogIndex(100), t));
  EXPECT_EQ(sim.core(3).vote(), NodeId(1));
  EXPECT_EQ(sim.store(3).hard_state().vote, NodeId(1));
  EXPECT_FALSE(sim.violation().has_value()) << violation_of(sim);
}

TEST(SimScenario, UnsyncedVoteIsLostWithTheCrashAndWasNeverSent) {
  Simulator sim(scripted(3));
  sim.isolate(2);
  sim.campaign(1);
  sim.run(1);                 // the pre-vote round trip completes
  sim.set_disk_delay(3, 50);  // then 3's syncs take long: its vote is written, not yet durable
  sim.run(4);
  EXPECT_NE(sim.core(1).role(), Role::kLeader);  // the grant cannot leave before the sync
  ASSERT_EQ(sim.store(3).hard_state().vote, NodeId(1));
  ASSERT_TRUE(sim.store(3).has_unsynced());
  sim.crash(3);
  sim.restart(3);
  EXPECT_EQ(sim.store(3).hard_state().vote, raft::kNoNode);
  sim.set_disk_delay(3, 0);
  sim.heal();
  ASSERT_TRUE(sim.check_liveness(400)) << violation_of(sim);
}

TEST(SimScenario, FollowerLosesItsUnsyncedTail) {
  Simulator sim(scripted(3));
  ASSERT_TRUE(elect(sim, 1));
  ASSERT_TRUE(commit(sim, 1, "base"));
  sim.run(3);
  LogIndex before = sim.store(3).durable().last_index();
  sim.set_disk_delay(3, 100);
  for (int k = 0; k < 5; ++k) {
    ASSERT_TRUE(commit(sim, 1, "t" + std::to_string(k)));  // 1 and 2 are a majority
  }
  ASSERT_GT(sim.core(3).last_index(), before);  // received, not yet durable
  ASSERT_EQ(sim.store(3).durable().last_index(), before);
  sim.crash(3);
  EXPECT_EQ(sim.store(3).view().last_index(), before);  // the tail is gone
  sim.set_disk_delay(3, 0);
  sim.restart(3);
  ASSERT_TRUE(sim.check_liveness(400)) << violation_of(sim);
  for (int k = 0; k < 5; ++k) EXPECT_TRUE(sim.acked("t" + std::to_string(k)));
}

// ---- members running the host loop with the real projections and commands ----

SimOptions with_commands(int members) { return scripted(members); }

// Proposes `request` at `leader` and waits until the client sees it applied.
bool commit_command(Simulator& sim, std::uint64_t leader, const commands::Request& request) {
  std::string id = sim.next_request_id();
  auto r = sim.propose_command(leader, request, id);
  if (!r.ok()) return false;
  return sim.run_until([&] { return sim.acked_request(id); }, 100);
}

bool all_applied(Simulator& sim, int members, LogIndex index) {
  return sim.run_until(
      [&] {
        for (int id = 1; id <= members; ++id) {
          if (sim.applied(static_cast<std::uint64_t>(id)) < index) return false;
        }
        return true;
      },
      100);
}

commands::BootstrapRequest bootstrap(const std::string& name) {
  return {"cluster-1", name, "10.0.0.1", std::string(64, 'a'), "certificate"};
}

TEST(SimCommands, EveryMemberFoldsTheDecidedBatches) {
  Simulator sim(with_commands(3));
  ASSERT_TRUE(elect(sim, 1));
  // Nothing but a bootstrap is accepted before the cluster exists.
  auto early = sim.propose_command(1, commands::SetConfigRequest{"ovn.central-ips", "10.0.0.1"},
                                   sim.next_request_id());
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, Errc::kFailedPrecondition);
  ASSERT_TRUE(commit_command(sim, 1, bootstrap("m1")));
  ASSERT_TRUE(commit_command(sim, 1, commands::SetConfigRequest{"ovn.central-ips", "10.1.0.1"}));
  ASSERT_TRUE(commit_command(
      sim, 1, commands::IssueTokenRequest{"n1", std::string(32, 's'), /*lifetime_ms=*/1000}));
  auto unknown = sim.propose_command(1, commands::RevokeTokenRequest{"n2"}, sim.next_request_id());
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, Errc::kNotFound);
  ASSERT_TRUE(all_applied(sim, 3, sim.applied(1)));
  for (std::uint64_t id : {1, 2, 3}) {
    const projections::State& s = sim.projections(id);
    EXPECT_EQ(s.membership().cluster_id(), "cluster-1") << "member " << id;
    EXPECT_EQ(s.config().get("ovn.central-ips"), "10.1.0.1") << "member " << id;
    EXPECT_NE(s.tokens().find("n1"), nullptr) << "member " << id;
  }
  ASSERT_TRUE(commit_command(sim, 1, commands::RevokeTokenRequest{"n1"}));
  // A restarted member folds the log again from the start; its digests meet the first ones.
  sim.crash(2);
  sim.restart(2);
  ASSERT_TRUE(sim.run_until([&] { return sim.applied(2) >= sim.applied(1); }, 100));
  EXPECT_EQ(sim.projections(2).tokens().find("n1"), nullptr);
  EXPECT_TRUE(sim.check_liveness(400)) << violation_of(sim);
  EXPECT_GT(sim.checker().digests_compared(), 10u);
}

// decide() sees the applied state plus the batches proposed and not yet applied: of two
// conflicting requests decided before either is applied, the second is refused at once and never
// reaches the log.
TEST(SimCommands, ASecondConflictingRequestIsRefusedOnTheSpeculativeView) {
  Simulator sim(with_commands(3));
  ASSERT_TRUE(elect(sim, 1));
  ASSERT_TRUE(commit_command(sim, 1, bootstrap("m1")));
  sim.set_disk_delay(1, 5);  // the first is still being written when the second arrives
  commands::IssueTokenRequest issue{"n1", std::string(32, 's'), /*lifetime_ms=*/1000};
  std::string first = sim.next_request_id();
  std::string second = sim.next_request_id();
  auto a = sim.propose_command(1, issue, first);
  ASSERT_TRUE(a.ok());
  ASSERT_NE(a->value, 0u);
  ASSERT_EQ(sim.applied(1) < *a, true);
  auto b = sim.propose_command(1, issue, second);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, Errc::kAlreadyExists);
  ASSERT_TRUE(sim.run_until([&] { return sim.acked_request(first); }, 100));
  ASSERT_TRUE(all_applied(sim, 3, sim.applied(1)));
  for (std::uint64_t id : {1, 2, 3}) {
    EXPECT_TRUE(sim.projections(id).requests().find(first)) << "member " << id;
    EXPECT_FALSE(sim.projections(id).requests().find(second)) << "member " << id;
  }
  EXPECT_TRUE(sim.check_liveness(400)) << violation_of(sim);
}

// A retry with the same id, at the leader or after a change of leader, gets the first outcome
// and changes nothing again.
TEST(SimCommands, ARetryAfterAChangeOfLeaderGetsTheFirstOutcome) {
  Simulator sim(with_commands(3));
  ASSERT_TRUE(elect(sim, 1));
  ASSERT_TRUE(commit_command(sim, 1, bootstrap("m1")));
  const commands::Request set = commands::SetConfigRequest{"ovn.central-ips", "10.9.0.1"};
  const std::string id = sim.next_request_id();
  ASSERT_TRUE(sim.propose_command(1, set, id).ok());
  ASSERT_TRUE(sim.run_until([&] { return sim.acked_request(id); }, 100));
  const LogIndex first = sim.projections(1).requests().find(id)->index;
  // The same id at the leader: answered from its requests projection, nothing proposed.
  auto again = sim.propose_command(1, set, id);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->value, 0u);
  // A new leader holds the retry until it has applied its predecessor's entries, then answers it
  // from them.
  sim.isolate(1);
  ASSERT_TRUE(sim.run_until(
      [&] {
        auto l = sim.leader();
        return l && *l != 1;
      },
      300));
  const std::uint64_t lead = *sim.leader();
  ASSERT_TRUE(sim.propose_command(lead, set, id).ok());
  sim.heal();
  ASSERT_TRUE(sim.check_liveness(400)) << violation_of(sim);
  for (std::uint64_t m : {1, 2, 3}) {
    const auto& requests = sim.projections(m).requests();
    ASSERT_TRUE(requests.find(id)) << "member " << m;
    EXPECT_EQ(requests.find(id)->index, first) << "member " << m;
  }
}

// A request at a follower goes to the leader; the follower answers once it has applied the
// entry itself, so a read there right after sees the write. A follower's read asks the leader for
// the index to wait for.
TEST(SimCommands, AFollowerForwardsWritesAndServesReadsOfThem) {
  Simulator sim(with_commands(3));
  ASSERT_TRUE(elect(sim, 1));
  ASSERT_TRUE(commit_command(sim, 1, bootstrap("m1")));
  sim.set_disk_delay(2, 3);  // the follower lags the leader a little
  const std::string id = sim.next_request_id();
  auto r = sim.propose_command(2, commands::SetConfigRequest{"ovn.central-ips", "10.7.0.1"}, id);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->value, 0u);  // proposed by the leader, not here
  ASSERT_TRUE(sim.run_until([&] { return sim.acked_request(id); }, 100)) << violation_of(sim);
  EXPECT_EQ(sim.projections(2).config().get("ovn.central-ips"), "10.7.0.1");
  auto read = sim.read(2);
  ASSERT_TRUE(read.ok());
  ASSERT_TRUE(sim.run_until([&] { return sim.read_served(*read); }, 50)) << violation_of(sim);
  // A retry of the same id at the other follower gets the first outcome.
  ASSERT_TRUE(sim.propose_command(3, commands::SetConfigRequest{"ovn.central-ips", "10.7.0.1"}, id).ok());
  EXPECT_TRUE(sim.check_liveness(400)) << violation_of(sim);
  for (std::uint64_t m : {1, 2, 3}) EXPECT_EQ(sim.projections(m).requests().find(id)->index, sim.projections(1).requests().find(id)->index);
}

// The checkers are trusted once they catch something: a committed entry that is not an event
// batch stops the member that applies it (fail-stop), which the simulator reports.
TEST(SimCommands, ACommittedEntryThatDoesNotDecodeIsAViolation) {
  Simulator sim(with_commands(3));
  ASSERT_TRUE(elect(sim, 1));
  ASSERT_TRUE(commit(sim, 1, "base"));
  sim.run(5);
  sim.isolate(1);
  const LogIndex last = sim.core(1).last_index();
  ASSERT_EQ(sim.core(2).last_index(), last);
  raft::Message m;
  m.type = MessageType::kApp;
  m.from = NodeId(1);
  m.to = NodeId(2);
  m.term = sim.core(1).term();
  m.index = last;
  m.log_term = sim.store(1).view().at(last).term;
  m.entries = {raft::Entry{last.next(), m.term, raft::EntryType::kEventBatch, "not an event batch"}};
  m.commit = last.next();
  sim.deliver(m);
  sim.run(2);
  ASSERT_TRUE(sim.violation().has_value());
  EXPECT_NE(sim.violation()->find("does not decode"), std::string::npos) << *sim.violation();
}

// ---- the random simulator finds the planted bugs ----

// Returns the first seed in [1, max_seeds] with a safety (not liveness) violation, or 0.
std::uint64_t first_safety_failure(int members, int bug, std::uint64_t max_seeds) {
  for (std::uint64_t s = 1; s <= max_seeds; ++s) {
    Simulator sim(options_for_seed(s, members, bug, false));
    SeedResult r = sim.run_seed();
    if (!r.ok && r.violation.rfind("liveness", 0) != 0) return s;
  }
  return 0;
}

// Planted bug `bug` is caught within 500 seeds with a violation naming one of `expected`, and the
// seed that catches it passes without the bug. Returns that seed's clean result.
SeedResult expect_caught(int bug, std::initializer_list<std::string_view> expected) {
  const std::uint64_t s = first_safety_failure(3, bug, 500);
  EXPECT_NE(s, 0u) << "bug " << bug << " was not caught";
  if (s == 0) return {};
  const SeedResult planted = Simulator(options_for_seed(s, 3, bug, false)).run_seed();
  EXPECT_TRUE(std::ranges::any_of(expected, [&](std::string_view e) { return planted.violation.find(e) != std::string::npos; }))
      << planted.violation;
  SeedResult clean = Simulator(options_for_seed(s, 3, 0, false)).run_seed();
  EXPECT_TRUE(clean.ok) << clean.violation;
  return clean;
}

#ifdef MOVN_RAFT_TEST_HOOKS
TEST(SimPlantedBug, Bug1IsCaughtWithin500Seeds) {
  std::uint64_t s = first_safety_failure(3, 1, 500);
  ASSERT_NE(s, 0u);
  // The same seed passes with the bug switched off: the failure is the bug, not the seed.
  Simulator clean(options_for_seed(s, 3, 0, false));
  EXPECT_TRUE(clean.run_seed().ok) << violation_of(clean);
}

TEST(SimPlantedBug, Bug2IsCaughtWithin500Seeds) {
  std::uint64_t s = first_safety_failure(3, 2, 500);
  ASSERT_NE(s, 0u);
  Simulator clean(options_for_seed(s, 3, 0, false));
  EXPECT_TRUE(clean.run_seed().ok) << violation_of(clean);
}
#endif

// Bug 3 is the host's, not the core's: a leader serving reads from its own state. Only a leader
// that does not know it was replaced can serve a stale one (check-quorum is off in some seeds).
TEST(SimPlantedBug, Bug3StaleReadIsCaughtWithin500Seeds) {
  expect_caught(3, {"stale read"});
}

// Bug 4: no dedup check, neither the host's at propose nor apply's. Clients retry with the same
// id; a retry then reaches the log twice and is applied twice, which the exactly-once checker
// must catch.
TEST(SimPlantedBug, Bug4NoDedupIsCaughtWithin500Seeds) {
  EXPECT_GT(expect_caught(4, {"applied twice"}).retried, 0u);
}

// Apply's own check, alone: with the host's check at propose skipped, retries reach the log
// twice, and apply refuses every second copy (nothing changes, the client gets the first
// outcome), so every seed still passes.
TEST(SimDedup, ApplyRefusesARetryThatReachedTheLogTwice) {
  std::uint64_t refused = 0;
  for (std::uint64_t s = 1; s <= 20; ++s) {
#ifdef MOVN_HOST_TEST_HOOKS
    host::test_hooks().propose_without_dedup = true;
#endif
    Simulator sim(options_for_seed(s, 3, 0, false));
    SeedResult r = sim.run_seed();
    ASSERT_TRUE(r.ok) << "seed " << s << ": " << r.violation;
    refused += r.duplicates_refused;
  }
  EXPECT_GT(refused, 0u);
}

// Bug 5: a new leader proposes before its no-op has committed, so it decides (and checks request
// ids) on a state without entries its predecessors committed.
TEST(SimPlantedBug, Bug5ProposingBeforeTheNoopCommitsIsCaughtWithin500Seeds) {
  expect_caught(5, {"decided on a state without them"});
}

// Bug 6: a follower answers a forwarded write as soon as the leader does, before its own apply;
// a read of your own write on that member could then miss it.
TEST(SimPlantedBug, Bug6AnsweringAForwardBeforeApplyIsCaughtWithin500Seeds) {
  EXPECT_GT(expect_caught(6, {"before applying that index itself"}).forwarded, 0u);
}

#ifdef MOVN_RAFT_TEST_HOOKS
// Bug 7: the leader counts its own copy toward a quorum on append, while it sends entries before
// they are durable on it: an entry "commits" held durably by fewer than a quorum.
TEST(SimPlantedBug, Bug7SelfMatchOnAppendIsCaughtWithin500Seeds) {
  expect_caught(7, {"held durably by only"});
}
#endif

// Bug 8: acknowledgements (appends, heartbeats, votes) leave before what they acknowledge is
// durable.
TEST(SimPlantedBug, Bug8RepliesBeforePersistAreCaughtWithin500Seeds) {
  expect_caught(8, {"was durable", "acknowledged index"});
}

#ifdef MOVN_RAFT_TEST_HOOKS
// Bug 12: the early Ready taken while a write runs (raft::Core::early_ready()) lets replies out
// too, before what they acknowledge is durable.
TEST(SimPlantedBug, Bug12EarlyRepliesAreCaughtWithin500Seeds) {
  expect_caught(12, {"was durable", "acknowledged index"});
}
#endif

// Bug 9: the catch-up reader keeps entries it read after a write replaced them (and their terms):
// a member that leads again sends, and answers with, a log it no longer holds.
TEST(SimPlantedBug, Bug9StaleCatchUpReadsAreCaughtWithin500Seeds) {
  EXPECT_GT(expect_caught(9, {"leader completeness", "not the entry its log holds", "with the term of index",
                              "log matching", "state machine safety"})
                .catch_up_reads,
            0u);
}

// Bug 10: the core never hears that a catch-up read completed, so the peer that waits for it
// stays paused: a liveness violation (the cluster never settles), in the first seeds already.
TEST(SimPlantedBug, Bug10AForgottenCatchUpReadIsCaughtAsALivenessViolation) {
  std::uint64_t s = 1;
  SeedResult planted;
  for (; s <= 100; ++s) {
    planted = Simulator(options_for_seed(s, 3, 10, false)).run_seed();
    if (!planted.ok) break;
  }
  ASSERT_LE(s, 100u) << "bug 10 was not caught";
  EXPECT_EQ(planted.violation.rfind("liveness", 0), 0u) << planted.violation;
  SeedResult clean = Simulator(options_for_seed(s, 3, 0, false)).run_seed();
  EXPECT_TRUE(clean.ok) << clean.violation;
  EXPECT_GT(clean.catch_up_reads, 0u);
}

TEST(SimDeterminism, ASeedReplaysExactly) {
  SeedResult a = Simulator(options_for_seed(42, 5, 0, false)).run_seed();
  SeedResult b = Simulator(options_for_seed(42, 5, 0, false)).run_seed();
  EXPECT_TRUE(a.ok) << a.violation;
  EXPECT_EQ(a.ticks, b.ticks);
  EXPECT_EQ(a.committed, b.committed);
  EXPECT_EQ(a.acked, b.acked);
  EXPECT_EQ(a.leaders, b.leaders);
  EXPECT_EQ(a.crashes, b.crashes);
  EXPECT_EQ(a.refused, b.refused);
  EXPECT_EQ(a.digests_compared, b.digests_compared);
  EXPECT_GT(a.acked, 10u);
  EXPECT_GT(a.digests_compared, 0u);
}

}  // namespace
}  // namespace movn::sim
