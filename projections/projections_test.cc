#include <gtest/gtest.h>

#include <deque>
#include <fstream>
#include <iterator>
#include <unordered_map>
#include <nlohmann/json.hpp>

#include "projections/state.h"

namespace movn::projections {
namespace {
using namespace movn::events;

struct Fold {
  State state;
  std::uint64_t next = 1;
  void batch(std::vector<Event> es, std::uint64_t time_ms = 1000, std::string req = "") {
    if (req.empty()) req = "req-" + std::to_string(next);
    state.apply_batch(EventBatch{req, Actor{"movn1", "root"}, ClusterTimeMs(time_ms), std::move(es)},
                      LogIndex(next), Term(1));
    ++next;
  }
};

std::vector<std::vector<Event>> sample_log() {
  return {
      {ClusterBootstrapped{"cid", "movn1"}, MemberJoined{"movn1", "10.0.0.1:6686", "fp1", "pem1"}},
      {JoinTokenIssued{"movn2", std::string(32, 'a'), 5000}},
      {JoinTokenIssued{"movn3", std::string(32, 'b'), 6000}},
      {JoinTokenRevoked{"movn3", RevokeReason::kRevoked}},
      {ConfigSet{"ovn.central-ips", "10.0.0.1"}},
      {ConfigSet{"other", "x"}},
      {ConfigDeleted{"other"}},
      {CaGenerated{{"ca-pem", "sealed", "cafp", 9000}}},
      {CertificateIssued{"movn1", "client", "pem", "01", "certfp", 1, 2, "cafp"}},
      {ServiceEnabled{"movn1", "central"}},
      {ServiceEnabled{"movn1", "chassis"}, ServiceDisabled{"movn1", "central"}},
  };
}

State fold(const std::vector<std::vector<Event>>& log) {
  Fold f;
  for (const auto& b : log) f.batch(b);
  return f.state;
}

TEST(Membership, InJoinOrderIsNotNameOrder) {
  Fold f;
  f.batch({ClusterBootstrapped{"cid", "zeta"}, MemberJoined{"zeta", "10.0.0.1:6686", "fp1", "pem1", 1}});
  f.batch({MemberJoined{"alpha", "10.0.0.2:6686", "fp2", "pem2", 2}});
  f.batch({MemberJoined{"mid", "10.0.0.3:6686", "fp3", "pem3", 3}});
  std::vector<std::string> names;
  for (const auto* m : f.state.membership().in_join_order()) names.push_back(m->name);
  EXPECT_EQ(names, (std::vector<std::string>{"zeta", "alpha", "mid"}));
}

TEST(Membership, BootstrapAndJoin) {
  Fold f;
  EXPECT_FALSE(f.state.membership().bootstrapped());
  f.batch({ClusterBootstrapped{"cid", "movn1"}, MemberJoined{"movn1", "10.0.0.1:6686", "fp1", "pem1"}}, 42);
  const auto& m = f.state.membership();
  EXPECT_TRUE(m.bootstrapped());
  EXPECT_EQ(m.cluster_id(), "cid");
  ASSERT_NE(m.find("movn1"), nullptr);
  EXPECT_EQ(m.find("movn1")->address, "10.0.0.1:6686");
  // A member_joined without a Raft id (a log written before the field existed) is the founder's.
  EXPECT_EQ(m.find("movn1")->raft_id, NodeId(1));
  EXPECT_EQ(m.find(NodeId(1)), m.find("movn1"));
  EXPECT_EQ(m.next_raft_id(), NodeId(2));
  EXPECT_EQ(m.find("movn1")->joined_at_ms, 42u);
  EXPECT_EQ(m.find("movn1")->joined_index, 1u);
  EXPECT_EQ(m.find("movn2"), nullptr);
  // A stray second bootstrap does not change the cluster id.
  f.batch({ClusterBootstrapped{"other", "movn9"}});
  EXPECT_EQ(f.state.membership().cluster_id(), "cid");
  // Joiners carry the id decide() gave them; an id already given is refused at apply.
  f.batch({MemberJoined{"movn2", "10.0.0.2:6686", "fp2", "pem2", 2}});
  EXPECT_EQ(f.state.membership().find("movn2")->raft_id, NodeId(2));
  EXPECT_EQ(f.state.membership().next_raft_id(), NodeId(3));
  EXPECT_FALSE(f.state.preconditions_hold(
      EventBatch{"r", Actor{}, ClusterTimeMs(50), {MemberJoined{"movn3", "10.0.0.3:6686", "fp3", "pem3", 2}}}));
}

void bootstrap(Fold& f) { f.batch({ClusterBootstrapped{"cid", "m0"}, MemberJoined{"m0", "10.0.0.9:6686", "fp", "pem"}}); }

TEST(Tokens, IssueRevokeExpireAndUse) {
  Fold f;
  bootstrap(f);
  f.batch({JoinTokenIssued{"a", std::string(32, 'x'), 100}}, 10, "r-a");
  f.batch({JoinTokenIssued{"b", std::string(32, 'y'), 200}}, 11, "r-b");
  f.batch({JoinTokenIssued{"c", std::string(32, 'z'), 300}}, 12, "r-c");
  const auto& t = f.state.tokens();
  ASSERT_EQ(t.tokens().size(), 3u);
  EXPECT_EQ(t.find("a")->issued_at_ms, 10u);
  EXPECT_EQ(t.find("a")->expires_at_ms, 100u);
  EXPECT_TRUE(t.find("a")->expired_at(100));
  EXPECT_FALSE(t.find("a")->expired_at(99));
  EXPECT_EQ(t.find_by_request("r-b")->name, "b");
  f.batch({JoinTokenRevoked{"a", RevokeReason::kRevoked}});
  f.batch({JoinTokenRevoked{"b", RevokeReason::kExpired}});
  f.batch({MemberJoined{"c", "1.2.3.4:6686", "fp", "pem", 2}});
  EXPECT_TRUE(f.state.tokens().tokens().empty());
}

TEST(Config, SetOverwriteDelete) {
  Fold f;
  bootstrap(f);
  f.batch({ConfigSet{"k", "1"}});
  EXPECT_EQ(f.state.config().get("k"), "1");
  f.batch({ConfigSet{"k", "2"}});
  EXPECT_EQ(f.state.config().get("k"), "2");
  f.batch({ConfigDeleted{"k"}});
  EXPECT_FALSE(f.state.config().get("k").has_value());
}

// A retry that comes after its record left the window used to be applied again, silently. An id
// that says when it was first sent is refused once that is older than the newest forgotten record.
TEST(Requests, ARetryOlderThanTheWindowIsRefusedNotAppliedAgain) {
  Fold f;
  bootstrap(f);
  const EventBatch first{"t1000-first", Actor{"movn1", "root"}, ClusterTimeMs(1005),
                         {ConfigSet{"ovn.central-ips", "10.0.0.1"}}, std::string(32, 'd')};
  ASSERT_EQ(f.state.apply_batch(first, LogIndex(f.next++), Term(1)), ApplyOutcome::kApplied);
  for (std::size_t i = 0; i < Requests::kWindowRequests; ++i) f.batch({}, 2000 + i, "fill-" + std::to_string(i));
  f.batch({ConfigSet{"ovn.central-ips", "10.0.0.2"}}, 20000, "later");
  ASSERT_EQ(f.state.requests().find("t1000-first"), nullptr);
  EXPECT_EQ(f.state.requests().horizon_ms(), 2000u);  // fill-0 left last
  EXPECT_TRUE(f.state.requests().expired("t1000-first"));
  EXPECT_FALSE(f.state.requests().expired("t2001-new"));
  EXPECT_FALSE(f.state.requests().expired("first"));  // an id without a time cannot be told
  // The retry changes nothing, on every member alike.
  auto before = f.state.describe();
  EXPECT_EQ(f.state.apply_batch(first, LogIndex(f.next++), Term(2)), ApplyOutcome::kExpired);
  EXPECT_EQ(f.state.config().get("ovn.central-ips"), "10.0.0.2");
  auto after = f.state.describe();
  for (std::size_t i = 0; i < before.size(); ++i) EXPECT_EQ(after[i].digest_hex, before[i].digest_hex) << after[i].name;
  // The horizon survives a checkpoint.
  Requests restored;
  ASSERT_TRUE(restored.restore(f.state.requests().snapshot()).ok());
  EXPECT_EQ(restored.horizon_ms(), 2000u);
  EXPECT_EQ(request_issue_time_ms("t1795000000123-ab"), 1795000000123u);
  for (const char* id : {"t-1", "tx-1", "t12", "1795000000123-ab", "t12345678901234567-a"})
    EXPECT_FALSE(request_issue_time_ms(id).has_value()) << id;
}

TEST(Requests, RemembersIdsWithinTheWindow) {
  Fold f;
  f.batch({ConfigSet{"k", "1"}}, 1, "first");
  EXPECT_EQ(f.state.requests().find("first")->index, LogIndex(1));
  for (std::size_t i = 0; i < Requests::kWindowRequests; ++i) f.batch({}, 1, "fill-" + std::to_string(i));
  EXPECT_EQ(f.state.requests().find("first"), nullptr);
  EXPECT_EQ(f.state.requests().size(), Requests::kWindowRequests);
}

// The table against a plain model (a map and an arrival queue) through several windows' worth of
// records: ids that repeat, ids that left the window and come back, and lookups of every id ever
// seen. Deletion from the flat index (backward shift) is exercised on every record once full.
TEST(Requests, AgreesWithAPlainModelThroughManyWindows) {
  Requests r;
  std::unordered_map<std::string, Requests::Applied> model;
  std::deque<std::string> order;
  std::uint64_t model_horizon = 0;
  std::vector<std::string> seen;
  std::uint64_t rng = 12345;
  auto next = [&] {
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return rng >> 33;
  };
  for (std::uint64_t i = 0; i < 4 * Requests::kWindowRequests; ++i) {
    // A third of the records reuse an id seen before (inside the window or already forgotten).
    std::string id = !seen.empty() && next() % 3 == 0 ? seen[next() % seen.size()] : "id-" + std::to_string(next());
    const std::string digest = std::to_string(i);
    r.record(id, LogIndex(i + 1), i % 7 == 0, digest, 1000 + i);
    if (!model.contains(id)) {
      model.emplace(id, Requests::Applied{LogIndex(i + 1), i % 7 == 0, digest, 1000 + i});
      order.push_back(id);
      seen.push_back(id);
      if (order.size() > Requests::kWindowRequests) {
        model_horizon = std::max(model_horizon, model.at(order.front()).time_ms);
        model.erase(order.front());
        order.pop_front();
      }
    }
    if (i % 997 != 0 && i + 1 != 4 * Requests::kWindowRequests) continue;
    ASSERT_EQ(r.size(), model.size()) << "after " << i;
    ASSERT_EQ(r.horizon_ms(), model_horizon) << "after " << i;
    for (const auto& s : seen) {
      const auto* got = r.find(s);
      auto want = model.find(s);
      ASSERT_EQ(got != nullptr, want != model.end()) << s << " after " << i;
      if (got == nullptr) continue;
      EXPECT_EQ(got->index, want->second.index) << s;
      EXPECT_EQ(got->superseded, want->second.superseded) << s;
      EXPECT_EQ(got->digest, want->second.digest) << s;
      EXPECT_EQ(got->time_ms, want->second.time_ms) << s;
    }
  }
  // A checkpoint keeps the records in their order: the restored table forgets the same ones next.
  Requests restored;
  ASSERT_TRUE(restored.restore(r.snapshot()).ok());
  EXPECT_EQ(restored.snapshot(), r.snapshot());
  const std::string oldest = order.front();
  restored.record("one-more", LogIndex(1), false, "", 0);
  EXPECT_EQ(restored.find(oldest), nullptr);
  EXPECT_NE(restored.find(order[1]), nullptr);
  EXPECT_NE(restored.find("one-more"), nullptr);
  // A copy is independent of its source.
  Requests copy = r;
  copy.record("only-in-the-copy", LogIndex(1), false, "", 0);
  EXPECT_EQ(r.find("only-in-the-copy"), nullptr);
  EXPECT_NE(copy.find("only-in-the-copy"), nullptr);
  EXPECT_NE(r.find(oldest), nullptr);
}

// The checkpoint of the table is written without a JSON tree; its bytes are the ones
// nlohmann::json::to_cbor() gives for the tree (what earlier checkpoints hold), at every length
// boundary of CBOR's counts: ids and digests of 0 to 300 bytes, numbers up to 2^64-1, a full window.
TEST(Requests, TheCheckpointIsTheCborOfItsJsonTree) {
  auto tree_cbor = [](const Requests& r, const std::vector<std::string>& ids) {
    auto arr = nlohmann::json::array();
    for (const auto& id : ids) {
      const auto* a = r.find(id);
      if (a == nullptr) continue;
      arr.push_back({id, a->index.value, a->superseded,
                     nlohmann::json::binary(std::vector<std::uint8_t>(a->digest.begin(), a->digest.end())), a->time_ms});
    }
    auto bytes = nlohmann::json::to_cbor(nlohmann::json{{"horizon_ms", r.horizon_ms()}, {"records", arr}});
    return std::string(bytes.begin(), bytes.end());
  };
  Requests r;
  std::vector<std::string> ids;
  EXPECT_EQ(r.snapshot(), tree_cbor(r, ids));
  const std::uint64_t numbers[] = {0, 23, 24, 255, 256, 65535, 65536, 4294967295ULL, 4294967296ULL, ~0ULL};
  std::size_t i = 0;
  for (std::size_t len : {1, 23, 24, 25, 255, 256, 300}) {
    for (std::size_t dlen : {0, 23, 24, 32, 256, 300}) {
      std::string id = std::to_string(i) + "-" + std::string(len, 'x');
      r.record(id, LogIndex(numbers[i % 10]), i % 2 == 0, std::string(dlen, static_cast<char>(i)), numbers[(i + 3) % 10]);
      ids.push_back(id);
      ++i;
    }
  }
  EXPECT_EQ(r.snapshot(), tree_cbor(r, ids));
  for (std::size_t k = 0; k < Requests::kWindowRequests + 5; ++k) {
    ids.push_back("fill-" + std::to_string(k));
    r.record(ids.back(), LogIndex(k + 1), false, std::string(32, 'd'), 5000 + k);
  }
  ASSERT_EQ(r.size(), Requests::kWindowRequests);
  ASSERT_NE(r.horizon_ms(), 0u);
  EXPECT_EQ(r.snapshot(), tree_cbor(r, ids));
}

// A request that a new leader proposed again after its predecessor had committed it (the retry
// reached the log twice) changes the state once, on every member alike.
TEST(ExactlyOnce, ARequestIdAlreadyAppliedChangesNothing) {
  State s;
  auto batch = [](std::string id, std::string value, std::string digest) {
    return EventBatch{std::move(id), Actor{"movn1", "root"}, ClusterTimeMs(100), {ConfigSet{"ovn.central-ips", value}},
                      std::move(digest)};
  };
  ASSERT_EQ(s.apply_batch(EventBatch{"boot", Actor{}, ClusterTimeMs(1),
                                     {ClusterBootstrapped{"cid", "movn1"}, MemberJoined{"movn1", "10.0.0.1:6686", "fp", "pem"}}},
                          LogIndex(1), Term(1)),
            ApplyOutcome::kApplied);
  const EventBatch first = batch("x", "10.0.0.1", std::string(32, 'd'));
  ASSERT_EQ(s.apply_batch(first, LogIndex(2), Term(1)), ApplyOutcome::kApplied);
  ASSERT_EQ(s.apply_batch(batch("y", "10.0.0.2", std::string(32, 'e')), LogIndex(3), Term(1)), ApplyOutcome::kApplied);
  auto before = s.describe();
  // The retry of "x" at a later index: without the check it would set the value back.
  EXPECT_EQ(s.apply_batch(first, LogIndex(4), Term(2)), ApplyOutcome::kDuplicate);
  EXPECT_EQ(s.config().get("ovn.central-ips"), "10.0.0.2");
  EXPECT_EQ(s.requests().find("x")->index, LogIndex(2));  // the first record stands
  // The same id for another request: refused alike.
  EXPECT_EQ(s.apply_batch(batch("x", "10.0.0.9", std::string(32, 'f')), LogIndex(5), Term(2)), ApplyOutcome::kReusedId);
  EXPECT_EQ(s.config().get("ovn.central-ips"), "10.0.0.2");
  EXPECT_EQ(s.applied_index(), LogIndex(5));
  auto after = s.describe();
  for (std::size_t i = 0; i < before.size(); ++i) EXPECT_EQ(after[i].digest_hex, before[i].digest_hex) << after[i].name;
}

TEST(Supersede, ABatchWhosePreconditionsFailChangesNothingButIsRecorded) {
  Fold f;
  bootstrap(f);
  f.batch({JoinTokenIssued{"a", std::string(32, 'x'), 5000}}, 10, "first");
  auto before = f.state.describe();
  // A concurrent issue for the same name that passed decide() against an older view.
  f.batch({JoinTokenIssued{"a", std::string(32, 'y'), 6000}}, 11, "second");
  EXPECT_EQ(f.state.tokens().find("a")->secret_sha256, std::string(32, 'x'));
  ASSERT_NE(f.state.requests().find("second"), nullptr);
  EXPECT_TRUE(f.state.requests().find("second")->superseded);
  EXPECT_FALSE(f.state.requests().find("first")->superseded);
  EXPECT_EQ(f.state.describe()[0].digest_hex, before[0].digest_hex);  // membership
  EXPECT_EQ(f.state.describe()[1].digest_hex, before[1].digest_hex);  // tokens
  // Revoking a token that is gone, joining twice, bootstrapping twice: all superseded.
  for (auto ev : std::vector<Event>{JoinTokenRevoked{"zz", RevokeReason::kRevoked},
                                    MemberJoined{"m0", "1.1.1.1:1", "x", "y"},
                                    ClusterBootstrapped{"other", "m9"}}) {
    EventBatch b{"r", Actor{}, ClusterTimeMs(20), {ev}};
    EXPECT_FALSE(f.state.preconditions_hold(b)) << type_name(ev);
  }
  // A batch is checked as a sequence: purge an expired token, then reissue the name.
  EventBatch reissue{"r", Actor{}, ClusterTimeMs(7000),
                     {JoinTokenRevoked{"a", RevokeReason::kExpired}, JoinTokenIssued{"a", std::string(32, 'z'), 9000}}};
  EXPECT_TRUE(f.state.preconditions_hold(reissue));
  EventBatch twice{"r", Actor{}, ClusterTimeMs(7000),
                   {JoinTokenIssued{"b", std::string(32, 'z'), 9000}, JoinTokenIssued{"b", std::string(32, 'z'), 9000}}};
  EXPECT_FALSE(f.state.preconditions_hold(twice));
}

TEST(Certificates, TheCaAndEachMembersCertificates) {
  Fold f;
  f.batch({ClusterBootstrapped{"cid", "movn1"}, MemberJoined{"movn1", "10.0.0.1:6686", "fp1", "pem1"},
           CaGenerated{{"ca1", "sealed1", "ca1fp", 9000}}});
  const auto& c = f.state.certificates();
  ASSERT_TRUE(c.ca().has_value());
  EXPECT_TRUE(c.ca()->auto_renew);
  EXPECT_EQ(c.ca()->ca.sealed_key, "sealed1");
  EXPECT_EQ(c.ca()->index, LogIndex(1));
  f.batch({CertificateIssued{"movn1", "ovnnb", "nb1", "01", "nb1fp", 10, 20, "ca1fp"}});
  ASSERT_NE(c.find("movn1", "ovnnb"), nullptr);
  EXPECT_EQ(c.find("movn1", "ovnnb")->fingerprint, "nb1fp");
  EXPECT_EQ(c.find("movn1", "ovnsb"), nullptr);
  // Reissued: the newer certificate replaces the older.
  f.batch({CertificateIssued{"movn1", "ovnnb", "nb2", "02", "nb2fp", 11, 21, "ca1fp"}});
  EXPECT_EQ(c.find("movn1", "ovnnb")->serial, "02");
  // The operator sets a CA: it is not renewed automatically.
  f.batch({CaSet{{"ca2", "sealed2", "ca2fp", 9999}}});
  EXPECT_FALSE(c.ca()->auto_renew);
  EXPECT_EQ(c.ca()->ca.fingerprint, "ca2fp");
}

TEST(Certificates, OneFromAReplacedCaOrForAStrangerIsSuperseded) {
  Fold f;
  f.batch({ClusterBootstrapped{"cid", "movn1"}, MemberJoined{"movn1", "10.0.0.1:6686", "fp1", "pem1"}});
  // No CA yet: nothing can have been issued from it.
  f.batch({CertificateIssued{"movn1", "client", "c0", "00", "c0fp", 1, 2, "ca1fp"}});
  EXPECT_EQ(f.state.certificates().find("movn1", "client"), nullptr);
  f.batch({CaGenerated{{"ca1", "s1", "ca1fp", 9000}}});
  f.batch({CaGenerated{{"ca2", "s2", "ca2fp", 9000}}});
  EXPECT_EQ(f.state.apply_batch(EventBatch{"late", Actor{"movn1", ""}, ClusterTimeMs(1000),
                                           {CertificateIssued{"movn1", "client", "c1", "01", "c1fp", 1, 2, "ca1fp"}}},
                                LogIndex(f.next++), Term(1)),
            ApplyOutcome::kSuperseded);
  EXPECT_EQ(f.state.certificates().find("movn1", "client"), nullptr);
  EXPECT_EQ(f.state.apply_batch(EventBatch{"stranger", Actor{"movn1", ""}, ClusterTimeMs(1000),
                                           {CertificateIssued{"movn9", "client", "c9", "09", "c9fp", 1, 2, "ca2fp"}}},
                                LogIndex(f.next++), Term(1)),
            ApplyOutcome::kSuperseded);
  // The same batch may replace the CA and issue from the new one (regenerate-ca on one member).
  f.batch({CaGenerated{{"ca3", "s3", "ca3fp", 9000}},
           CertificateIssued{"movn1", "client", "c3", "03", "c3fp", 1, 2, "ca3fp"}});
  ASSERT_NE(f.state.certificates().find("movn1", "client"), nullptr);
  EXPECT_EQ(f.state.certificates().find("movn1", "client")->ca_fingerprint, "ca3fp");
}

TEST(Services, EnabledDisabledAndGoneWithTheirMember) {
  Fold f;
  f.batch({ClusterBootstrapped{"cid", "movn1"}, MemberJoined{"movn1", "10.0.0.1:6686", "fp1", "pem1", 1},
           ServiceEnabled{"movn1", "central"}, ServiceEnabled{"movn1", "switch"}, ServiceEnabled{"movn1", "chassis"}});
  const auto& s = f.state.services();
  EXPECT_EQ(s.of("movn1"), (std::vector<std::string>{"central", "chassis", "switch"}));
  f.batch({MemberJoined{"movn2", "10.0.0.2:6686", "fp2", "pem2", 2}, ServiceEnabled{"movn2", "chassis"}});
  EXPECT_EQ(s.members_with("chassis"), (std::vector<std::string>{"movn1", "movn2"}));
  EXPECT_EQ(s.members_with("central"), (std::vector<std::string>{"movn1"}));
  f.batch({ServiceDisabled{"movn1", "central"}});
  EXPECT_FALSE(s.enabled("movn1", "central"));
  EXPECT_TRUE(s.members_with("central").empty());
  // A checkpoint keeps the placement.
  State restored;
  ASSERT_TRUE(restored.restore_checkpoint(f.state.checkpoint()).ok());
  EXPECT_EQ(restored.services().placement(), s.placement());
  f.batch({MemberRemoved{"movn2", 2}});
  EXPECT_TRUE(s.of("movn2").empty());
}

TEST(Services, ACheckpointWrittenBeforeServicesExistedRestoresWithNone) {
  auto state = fold(sample_log());
  auto j = nlohmann::json::from_cbor(state.checkpoint());
  ASSERT_TRUE(j["projections"].contains("services"));
  j["projections"].erase("services");
  j["projections"].erase("certificates");
  const auto bytes = nlohmann::json::to_cbor(j);
  State restored;
  auto r = restored.restore_checkpoint(std::string(bytes.begin(), bytes.end()));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(restored.services().placement().empty());
  EXPECT_EQ(restored.membership().cluster_id(), "cid");
  // Any other projection missing is damage.
  j["projections"].erase("tokens");
  const auto damaged = nlohmann::json::to_cbor(j);
  EXPECT_FALSE(restored.restore_checkpoint(std::string(damaged.begin(), damaged.end())).ok());
}

TEST(Services, ImpossiblePlacementsAreSuperseded) {
  Fold f;
  f.batch({ClusterBootstrapped{"cid", "movn1"}, MemberJoined{"movn1", "10.0.0.1:6686", "fp1", "pem1", 1},
           ServiceEnabled{"movn1", "central"}});
  auto superseded = [&](std::vector<Event> events) {
    return f.state.apply_batch(EventBatch{"r" + std::to_string(f.next), Actor{"movn1", ""}, ClusterTimeMs(1000),
                                          std::move(events)},
                               LogIndex(f.next++), Term(1)) == ApplyOutcome::kSuperseded;
  };
  EXPECT_TRUE(superseded({ServiceEnabled{"movn1", "central"}}));      // already running it
  EXPECT_TRUE(superseded({ServiceEnabled{"movn1", "bgp-ish"}}));      // not a service
  EXPECT_TRUE(superseded({ServiceEnabled{"movn9", "chassis"}}));      // not a member
  EXPECT_TRUE(superseded({ServiceDisabled{"movn1", "chassis"}}));     // not running it
  EXPECT_TRUE(superseded({ServiceDisabled{"movn1", "central"}, ServiceDisabled{"movn1", "central"}}));
  EXPECT_TRUE(superseded({MemberRemoved{"movn1", 1}, ServiceEnabled{"movn1", "chassis"}}));
  EXPECT_EQ(f.state.services().of("movn1"), (std::vector<std::string>{"central"}));
  // Within one batch, a service switched off may be switched on again.
  EXPECT_FALSE(superseded({ServiceDisabled{"movn1", "central"}, ServiceEnabled{"movn1", "central"}}));
}

TEST(Services, SchemaReportsAreKeptPerMemberAndSurviveACheckpoint) {
  Fold f;
  f.batch({ClusterBootstrapped{"cid", "movn1"}, MemberJoined{"movn1", "10.0.0.1:6686", "fp1", "pem1", 1}});
  f.batch({MemberJoined{"movn2", "10.0.0.2:6686", "fp2", "pem2", 2}});
  EXPECT_EQ(f.state.services().schemas_of("movn1"), nullptr);
  f.batch({SchemaVersionReported{"movn1", "7.3.0", "20.33.0"}});
  f.batch({SchemaVersionReported{"movn2", "7.2.0", "20.30.0"}});
  f.batch({SchemaVersionReported{"movn1", "7.4.0", "20.34.0"}});
  ASSERT_NE(f.state.services().schemas_of("movn1"), nullptr);
  EXPECT_EQ(*f.state.services().schemas_of("movn1"), (Services::Schemas{"7.4.0", "20.34.0"}));
  State restored;
  ASSERT_TRUE(restored.restore_checkpoint(f.state.checkpoint()).ok());
  ASSERT_NE(restored.services().schemas_of("movn2"), nullptr);
  EXPECT_EQ(*restored.services().schemas_of("movn2"), (Services::Schemas{"7.2.0", "20.30.0"}));
  // A removed member's report goes with it; a report for one who is not a member is superseded.
  f.batch({MemberRemoved{"movn2", 2}});
  EXPECT_EQ(f.state.services().schemas_of("movn2"), nullptr);
  EXPECT_EQ(f.state.apply_batch(EventBatch{"late", Actor{"movn2", ""}, ClusterTimeMs(1000),
                                           {SchemaVersionReported{"movn2", "7.2.0", "20.30.0"}}},
                                LogIndex(f.next++), Term(1)),
            ApplyOutcome::kSuperseded);
}

TEST(Services, ReadyCentralsAreClearedWithCentralAndSurviveACheckpoint) {
  Fold f;
  f.batch({ClusterBootstrapped{"cid", "movn1"}, MemberJoined{"movn1", "10.0.0.1:6686", "fp1", "pem1", 1},
           ServiceEnabled{"movn1", "central"}});
  f.batch({CentralReady{"movn1", "nb1", "sb1"}});
  ASSERT_NE(f.state.services().ready_central("movn1"), nullptr);
  State restored;
  ASSERT_TRUE(restored.restore_checkpoint(f.state.checkpoint()).ok());
  EXPECT_EQ(*restored.services().ready_central("movn1"), (Services::ClusterIds{"nb1", "sb1"}));
  f.batch({ServiceDisabled{"movn1", "central"}});
  EXPECT_EQ(f.state.services().ready_central("movn1"), nullptr);
  // Not a central now: a late report is superseded.
  EXPECT_EQ(f.state.apply_batch(EventBatch{"late", Actor{"movn1", ""}, ClusterTimeMs(1000),
                                           {CentralReady{"movn1", "nb1", "sb1"}}},
                                LogIndex(f.next++), Term(1)),
            ApplyOutcome::kSuperseded);
}

TEST(Certificates, ARemovedMembersCertificatesGoWithIt) {
  Fold f;
  f.batch({ClusterBootstrapped{"cid", "movn1"}, MemberJoined{"movn1", "10.0.0.1:6686", "fp1", "pem1", 1},
           CaGenerated{{"ca1", "s1", "ca1fp", 9000}}});
  f.batch({MemberJoined{"movn2", "10.0.0.2:6686", "fp2", "pem2", 2}});
  f.batch({CertificateIssued{"movn2", "client", "c2", "02", "c2fp", 1, 2, "ca1fp"}});
  ASSERT_NE(f.state.certificates().find("movn2", "client"), nullptr);
  f.batch({MemberRemoved{"movn2", 2}});
  EXPECT_EQ(f.state.certificates().find("movn2", "client"), nullptr);
  EXPECT_TRUE(f.state.certificates().issued().empty());
}

TEST(State, AppliedIndexAndSkip) {
  Fold f;
  f.batch({ConfigSet{"k", "1"}});
  f.state.skip(LogIndex(5));
  EXPECT_EQ(f.state.applied_index(), LogIndex(5));
  for (const auto& info : f.state.describe()) EXPECT_EQ(info.applied_index, LogIndex(5));
}

TEST(Digest, EqualLogsGiveEqualDigestsAndAnyChangedEventChangesOne) {
  auto base = fold(sample_log()).describe();
  auto again = fold(sample_log()).describe();
  ASSERT_EQ(base.size(), 6u);
  for (std::size_t i = 0; i < base.size(); ++i) EXPECT_EQ(base[i].digest_hex, again[i].digest_hex);

  // Digests are compared at the index of the changed batch: a later event may overwrite an
  // earlier one's effect (a revoked token), but at equal applied index the views must differ.
  auto prefix = [](std::vector<std::vector<Event>> log, std::size_t n) {
    log.resize(n);
    return fold(log).describe();
  };
  std::size_t upto = 0;
  auto digests_differ = [&](const std::vector<std::vector<Event>>& log) {
    auto mine = prefix(sample_log(), upto), other = prefix(log, upto);
    for (std::size_t i = 0; i < mine.size(); ++i)
      if (other[i].digest_hex != mine[i].digest_hex) return true;
    return false;
  };
  // Change one field of each event in turn: some projection digest must change.
  auto log = sample_log();
  for (std::size_t b = 0; b < log.size(); ++b) {
    for (std::size_t e = 0; e < log[b].size(); ++e) {
      auto changed = log;
      std::visit([](auto& ev) {
        using T = std::decay_t<decltype(ev)>;
        if constexpr (std::is_same_v<T, ClusterBootstrapped>) ev.cluster_id += "x";
        else if constexpr (std::is_same_v<T, MemberJoined>) ev.address += "0";
        else if constexpr (std::is_same_v<T, JoinTokenIssued>) ev.expires_at_ms += 1;
        else if constexpr (std::is_same_v<T, JoinTokenRevoked>) ev.name += "x";
        else if constexpr (std::is_same_v<T, ConfigSet>) ev.value += "x";
        else if constexpr (std::is_same_v<T, ConfigDeleted>) ev.key += "x";
        else if constexpr (std::is_same_v<T, CaGenerated>) ev.ca.not_after_ms += 1;
        else if constexpr (std::is_same_v<T, CertificateIssued>) ev.serial += "x";
        else if constexpr (std::is_same_v<T, ServiceEnabled>) ev.service = ev.service == "chassis" ? "switch" : "chassis";
        else if constexpr (std::is_same_v<T, ServiceDisabled>) ev.service = ev.service == "central" ? "chassis" : "central";
      }, changed[b][e]);
      upto = b + 1;
      EXPECT_TRUE(digests_differ(changed)) << "batch " << b << " event " << e;
    }
  }
}

TEST(Checkpoint, RestoreOfSnapshotEqualsFold) {
  State full = fold(sample_log());
  State restored;
  ASSERT_TRUE(restored.restore_checkpoint(full.checkpoint()).ok());
  EXPECT_EQ(restored.applied_index(), full.applied_index());
  auto a = full.describe(), b = restored.describe();
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].digest_hex, b[i].digest_hex) << a[i].name;
  EXPECT_EQ(restored.tokens().find("movn2")->secret_sha256, std::string(32, 'a'));
  ASSERT_TRUE(restored.certificates().ca().has_value());
  EXPECT_EQ(restored.certificates().ca(), full.certificates().ca());
  ASSERT_NE(restored.certificates().find("movn1", "client"), nullptr);
  EXPECT_EQ(*restored.certificates().find("movn1", "client"), *full.certificates().find("movn1", "client"));
}

// Checkpoints written before the certificates projection existed have no entry for it.
TEST(Checkpoint, AnOlderCheckpointWithoutCertificatesRestores) {
  auto log = sample_log();
  log.resize(7);  // no certificate events
  State full = fold(log);
  auto j = nlohmann::json::from_cbor(full.checkpoint());
  ASSERT_TRUE(j["projections"].contains("certificates"));
  j["projections"].erase("certificates");
  auto bytes = nlohmann::json::to_cbor(j);
  State restored;
  ASSERT_TRUE(restored.restore_checkpoint(std::string(bytes.begin(), bytes.end())).ok());
  auto a = full.describe(), b = restored.describe();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].digest_hex, b[i].digest_hex) << a[i].name;
  // Any other projection missing is damage.
  j["projections"].erase("tokens");
  bytes = nlohmann::json::to_cbor(j);
  EXPECT_FALSE(restored.restore_checkpoint(std::string(bytes.begin(), bytes.end())).ok());
}

TEST(Checkpoint, DamagedBytesAreRefusedAndStateKept) {
  State s = fold(sample_log());
  auto before = s.describe();
  EXPECT_FALSE(s.restore_checkpoint("garbage").ok());
  std::string cp = s.checkpoint();
  cp.resize(cp.size() / 2);
  EXPECT_FALSE(s.restore_checkpoint(cp).ok());
  EXPECT_EQ(s.describe()[0].digest_hex, before[0].digest_hex);
}

// A checkpoint nested a million levels deep used to overflow the stack in the CBOR parser.
TEST(Checkpoint, DeepNestingIsRefusedWithoutRecursion) {
  std::ifstream f(std::string(MOVN_FUZZ_DIR) + "/regressions/checkpoint/nested_1m_arrays.cbor", std::ios::binary);
  ASSERT_TRUE(f.good());
  std::string deep((std::istreambuf_iterator<char>(f)), {});
  ASSERT_EQ(deep.size(), 1'000'001u);
  State s = fold(sample_log());
  auto before = s.describe();
  auto r = s.restore_checkpoint(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kCorruption);
  EXPECT_NE(r.error().message.find("nested deeper"), std::string::npos) << r.error().message;
  EXPECT_EQ(s.describe()[0].digest_hex, before[0].digest_hex);
  // The projections that keep CBOR of their own check it too.
  Tokens t;
  EXPECT_FALSE(t.restore(deep).ok());
  Requests q;
  EXPECT_FALSE(q.restore(deep).ok());
}

// Found by fuzz_checkpoint: a float where a snapshot holds an unsigned integer was converted
// (undefined behaviour for one that does not fit). It is damage now, like any other.
TEST(Checkpoint, ANumberThatIsNotAnUnsignedIntegerIsRefused) {
  for (const char* v : {"1e300", "-1", "2.5"}) {
    std::string snap = std::string(R"({"cluster_id":"c","founder":"m0","max_raft_id":)") + v + R"(,"members":[]})";
    Membership m;
    auto r = m.restore(snap);
    ASSERT_FALSE(r.ok()) << v;
    EXPECT_EQ(r.error().code, Errc::kCorruption);
  }
  Membership ok;
  EXPECT_TRUE(ok.restore(R"({"cluster_id":"c","founder":"m0","max_raft_id":1,"members":[]})").ok());
}

// Text inside a checkpoint must be UTF-8 as well, or rendering the state would throw later.
TEST(Checkpoint, TextThatIsNotUtf8IsRefused) {
  auto v = nlohmann::json::to_cbor(nlohmann::json{
      {"horizon_ms", 0},
      {"records", nlohmann::json::array({nlohmann::json::array({"req-\xc3\xa9", 5, false, nlohmann::json::binary({}), 7})})}});
  std::string cbor(v.begin(), v.end());
  Requests q;
  ASSERT_TRUE(q.restore(cbor).ok());
  auto pos = cbor.find("\xc3\xa9");
  ASSERT_NE(pos, std::string::npos);
  cbor[pos] = '\xff';
  auto r = q.restore(cbor);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("UTF-8"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace movn::projections
