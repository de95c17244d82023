#include "commands/decide.h"

#include <gtest/gtest.h>

#include "common/sha256.h"

namespace movn::commands {
namespace {
using namespace movn::events;

const std::string kFp(64, 'f');

BootstrapRequest bootstrap_req(std::string name = "movn1", std::string addr = "10.0.0.1") {
  return BootstrapRequest{"cid", std::move(name), std::move(addr), kFp, "pem"};
}

struct Harness {
  projections::State view;
  std::uint64_t next = 1;
  Result<std::vector<Event>> run(const Request& r, std::uint64_t now = 1000) {
    auto out = decide(view, r, ClusterTimeMs(now));
    if (out.ok() && !out->empty()) {
      view.apply_batch(EventBatch{"r" + std::to_string(next), Actor{"movn1", "root"}, ClusterTimeMs(now), *out},
                       LogIndex(next), Term(1));
      ++next;
    }
    return out;
  }
  void bootstrap() { ASSERT_TRUE(run(bootstrap_req()).ok()); }
};

std::string secret() { return std::string(32, 's'); }

TEST(DecideBootstrap, AcceptsAndNormalizesAddress) {
  Harness h;
  auto r = h.run(bootstrap_req());
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 5u);
  EXPECT_EQ(std::get<ClusterBootstrapped>((*r)[0]), (ClusterBootstrapped{"cid", "movn1"}));
  EXPECT_EQ(std::get<MemberJoined>((*r)[1]).address, "10.0.0.1:6686");
  EXPECT_EQ(std::get<MemberJoined>((*r)[1]).raft_id, 1u);  // the founder's Raft id
  // The founder runs every service.
  EXPECT_EQ(std::get<ServiceEnabled>((*r)[2]), (ServiceEnabled{"movn1", "central"}));
  EXPECT_EQ(std::get<ServiceEnabled>((*r)[3]), (ServiceEnabled{"movn1", "chassis"}));
  EXPECT_EQ(std::get<ServiceEnabled>((*r)[4]), (ServiceEnabled{"movn1", "switch"}));
  EXPECT_EQ(h.view.services().of("movn1"), (std::vector<std::string>{"central", "chassis", "switch"}));
}

TEST(DecideBootstrap, RecordsTheSealedCaInTheSameBatch) {
  Harness h;
  auto req = bootstrap_req();
  req.ca = CaCertificate{"-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n", "sealed", kFp, 99};
  auto r = h.run(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 6u);
  EXPECT_EQ(std::get<CaGenerated>((*r)[2]).ca, *req.ca);
  // The CA is the daemon's doing, not the operator's: a retry with another CA is the same request.
  auto other = req;
  other.ca->fingerprint = std::string(64, 'b');
  EXPECT_EQ(request_digest(req), request_digest(other));
  for (auto bad : {CaCertificate{"", "sealed", kFp, 99}, CaCertificate{"pem\xff", "sealed", kFp, 99},
                   CaCertificate{"pem", "sealed", "short", 99}, CaCertificate{"pem", "", kFp, 99}}) {
    Harness fresh;
    auto b = req;
    b.ca = bad;
    EXPECT_EQ(fresh.run(b).error().code, Errc::kInvalidArgument) << bad.certificate << " " << bad.fingerprint;
    EXPECT_FALSE(fresh.view.membership().bootstrapped());
  }
}

TEST(DecideBootstrap, RejectsSecondBootstrap) {
  Harness h;
  h.bootstrap();
  auto r = h.run(bootstrap_req("movn2"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kAlreadyExists);
  EXPECT_NE(r.error().message.find("already part of cluster cid"), std::string::npos);
}

TEST(DecideBootstrap, RejectsBadNameAddressAndIdentity) {
  Harness h;
  EXPECT_EQ(h.run(bootstrap_req("-bad")).error().code, Errc::kInvalidArgument);
  EXPECT_EQ(h.run(bootstrap_req("movn1", "not-an-ip")).error().code, Errc::kInvalidArgument);
  EXPECT_EQ(h.run(bootstrap_req("movn1", "10.0.0.1:99999")).error().code, Errc::kInvalidArgument);
  auto no_id = bootstrap_req();
  no_id.cluster_id.clear();
  EXPECT_FALSE(h.run(no_id).ok());
  auto no_cert = bootstrap_req();
  no_cert.fingerprint = "short";
  EXPECT_FALSE(h.run(no_cert).ok());
  EXPECT_FALSE(h.view.membership().bootstrapped());
}

// Everything decided must be text the log can carry (eventlog/codec.cc refuses anything else).
TEST(DecideBootstrap, RejectsWhatTheLogCannotCarry) {
  Harness h;
  auto id = bootstrap_req();
  id.cluster_id = "c\xff";
  EXPECT_EQ(h.run(id).error().code, Errc::kInvalidArgument);
  auto fp = bootstrap_req();
  fp.fingerprint = std::string(63, 'f') + "\xff";
  EXPECT_EQ(h.run(fp).error().code, Errc::kInvalidArgument);
  auto cert = bootstrap_req();
  cert.certificate = "-----BEGIN\xc0\xaf";
  EXPECT_EQ(h.run(cert).error().code, Errc::kInvalidArgument);
  EXPECT_FALSE(h.view.membership().bootstrapped());
}

TEST(DecideIssue, AcceptsWithExpiry) {
  Harness h;
  h.bootstrap();
  auto r = h.run(IssueTokenRequest{"movn2", secret(), 3000}, 5000);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(std::get<JoinTokenIssued>((*r)[0]).expires_at_ms, 8000u);
}

TEST(DecideIssue, RejectsBeforeBootstrap) {
  Harness h;
  EXPECT_EQ(h.run(IssueTokenRequest{"movn2", secret(), 3000}).error().code, Errc::kFailedPrecondition);
}

TEST(DecideIssue, RejectsTakenNames) {
  Harness h;
  h.bootstrap();
  auto member = h.run(IssueTokenRequest{"movn1", secret(), 3000});
  ASSERT_FALSE(member.ok());
  EXPECT_EQ(member.error().code, Errc::kAlreadyExists);
  ASSERT_TRUE(h.run(IssueTokenRequest{"movn2", secret(), 3000}, 1000).ok());
  auto dup = h.run(IssueTokenRequest{"movn2", secret(), 3000}, 2000);
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().message.find("is taken"), std::string::npos);
}

TEST(DecideIssue, RejectsBadNameLifetimeAndSecret) {
  Harness h;
  h.bootstrap();
  EXPECT_EQ(h.run(IssueTokenRequest{"bad_name", secret(), 1}).error().code, Errc::kInvalidArgument);
  EXPECT_EQ(h.run(IssueTokenRequest{"movn2", secret(), 0}).error().code, Errc::kInvalidArgument);
  EXPECT_EQ(h.run(IssueTokenRequest{"movn2", secret(), kMaxTokenLifetimeMs + 1}).error().code,
            Errc::kInvalidArgument);
  EXPECT_EQ(h.run(IssueTokenRequest{"movn2", "short", 1}).error().code, Errc::kInvalidArgument);
}

TEST(DecideIssue, PurgesExpiredTokensAndReissuesAnExpiredName) {
  Harness h;
  h.bootstrap();
  ASSERT_TRUE(h.run(IssueTokenRequest{"old", secret(), 10}, 1000).ok());
  ASSERT_TRUE(h.run(IssueTokenRequest{"keep", secret(), 100000}, 1000).ok());
  auto r = h.run(IssueTokenRequest{"old", secret(), 10}, 2000);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ(std::get<JoinTokenRevoked>((*r)[0]), (JoinTokenRevoked{"old", RevokeReason::kExpired}));
  EXPECT_EQ(std::get<JoinTokenIssued>((*r)[1]).name, "old");
  EXPECT_NE(h.view.tokens().find("keep"), nullptr);
}

TEST(DecideRevoke, AcceptsAndRejects) {
  Harness h;
  EXPECT_EQ(h.run(RevokeTokenRequest{"movn2"}).error().code, Errc::kFailedPrecondition);
  h.bootstrap();
  EXPECT_EQ(h.run(RevokeTokenRequest{"movn2"}).error().code, Errc::kNotFound);
  ASSERT_TRUE(h.run(IssueTokenRequest{"movn2", secret(), 3000}).ok());
  auto r = h.run(RevokeTokenRequest{"movn2"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<JoinTokenRevoked>((*r)[0]).reason, RevokeReason::kRevoked);
  EXPECT_EQ(h.run(RevokeTokenRequest{"movn2"}).error().code, Errc::kNotFound);
}

TEST(DecideConfig, SetGetDelete) {
  Harness h;
  EXPECT_EQ(h.run(SetConfigRequest{"ovn.central-ips", "10.0.0.1"}).error().code, Errc::kFailedPrecondition);
  EXPECT_EQ(h.run(DeleteConfigRequest{"ovn.central-ips"}).error().code, Errc::kFailedPrecondition);
  h.bootstrap();
  auto set = h.run(SetConfigRequest{"ovn.central-ips", "10.0.0.1,fd00::1"});
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ(h.view.config().get("ovn.central-ips"), "10.0.0.1,fd00::1");
  auto del = h.run(DeleteConfigRequest{"ovn.central-ips"});
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del->size(), 1u);
  auto again = h.run(DeleteConfigRequest{"ovn.central-ips"});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
}

TEST(DecideConfig, RejectsUnknownKeysAndBadValues) {
  Harness h;
  h.bootstrap();
  auto unknown = h.run(SetConfigRequest{"ovn.nope", "1"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("unknown config key 'ovn.nope'"), std::string::npos);
  EXPECT_FALSE(h.run(DeleteConfigRequest{"ovn.nope"}).ok());
  for (const char* bad : {"", "10.0.0.1,", ",10.0.0.1", "10.0.0.1,,10.0.0.2", "[fd00::1]", "10.0.0.1:6641",
                          "host.example", "10.0.0.256"})
    EXPECT_FALSE(h.run(SetConfigRequest{"ovn.central-ips", bad}).ok()) << bad;
  EXPECT_FALSE(h.view.config().get("ovn.central-ips").has_value());
}

// ---- join (token path) and removal ----

JoinRequest join_req(std::string name, std::string secret_bytes) {
  return JoinRequest{std::move(name), "10.0.0.2", kFp, "pem2", std::move(secret_bytes)};
}

std::string hash_of(const std::string& s) {
  const Digest d = sha256(s);
  return std::string(d.begin(), d.end());
}

TEST(DecideJoin, AValidTokenIsUsedUpInTheBatchThatAdmitsTheMember) {
  Harness h;
  h.bootstrap();
  ASSERT_TRUE(h.run(IssueTokenRequest{"movn2", hash_of("s2"), 60000}).ok());
  auto r = h.run(join_req("movn2", "s2"), 2000);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 5u);
  EXPECT_EQ(std::get<JoinTokenRevoked>((*r)[0]), (JoinTokenRevoked{"movn2", RevokeReason::kUsed}));
  EXPECT_EQ(h.view.services().of("movn2"), (std::vector<std::string>{"central", "chassis", "switch"}));
  EXPECT_EQ(std::get<MemberJoined>((*r)[1]).raft_id, 2u);
  EXPECT_EQ(std::get<MemberJoined>((*r)[1]).address, "10.0.0.2:6686");
  EXPECT_EQ(h.view.tokens().find("movn2"), nullptr);
  EXPECT_NE(h.view.membership().find("movn2"), nullptr);
  // Single use: the same token admits nobody again.
  auto again = h.run(join_req("movn2", "s2"), 2001);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, Errc::kAlreadyExists);
}

TEST(DecideJoin, AWrongExpiredOrMissingTokenIsRefused) {
  Harness h;
  h.bootstrap();
  ASSERT_TRUE(h.run(IssueTokenRequest{"movn2", hash_of("s2"), 1000}, 1000).ok());
  EXPECT_EQ(h.run(join_req("movn2", "wrong"), 1500).error().code, Errc::kPermissionDenied);
  EXPECT_EQ(h.run(join_req("movn3", "s2"), 1500).error().code, Errc::kPermissionDenied);
  auto expired = h.run(join_req("movn2", "s2"), 2000);  // expires at 2000
  ASSERT_FALSE(expired.ok());
  EXPECT_NE(expired.error().message.find("expired"), std::string::npos);
  EXPECT_EQ(h.run(join_req("-bad", "s2"), 1500).error().code, Errc::kInvalidArgument);
}

// The token is checked again at apply: revoked between decide and apply, the join is superseded
// and admits nobody.
TEST(DecideJoin, ATokenRevokedConcurrentlyDoesNotAdmitTheJoiner) {
  Harness h;
  h.bootstrap();
  ASSERT_TRUE(h.run(IssueTokenRequest{"movn2", hash_of("s2"), 60000}).ok());
  auto join = decide(h.view, join_req("movn2", "s2"), ClusterTimeMs(2000));
  ASSERT_TRUE(join.ok());
  ASSERT_TRUE(h.run(RevokeTokenRequest{"movn2"}, 2000).ok());
  auto outcome = h.view.apply_batch(EventBatch{"late-join", Actor{}, ClusterTimeMs(2001), *join}, LogIndex(100), Term(1));
  EXPECT_EQ(outcome, projections::ApplyOutcome::kSuperseded);
  EXPECT_EQ(h.view.membership().find("movn2"), nullptr);
}

TEST(DecideRemove, RemovesAMemberButNeverTheLast) {
  Harness h;
  h.bootstrap();
  EXPECT_EQ(h.run(RemoveMemberRequest{"movn1"}).error().code, Errc::kFailedPrecondition);
  ASSERT_TRUE(h.run(IssueTokenRequest{"movn2", hash_of("s2"), 60000}).ok());
  ASSERT_TRUE(h.run(join_req("movn2", "s2"), 2000).ok());
  EXPECT_EQ(h.run(RemoveMemberRequest{"nobody"}).error().code, Errc::kNotFound);
  auto r = h.run(RemoveMemberRequest{"movn1"}, 3000);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(std::get<MemberRemoved>((*r)[0]), (MemberRemoved{"movn1", 1}));
  EXPECT_EQ(h.view.membership().find("movn1"), nullptr);
  EXPECT_EQ(h.view.membership().removed().at(NodeId(1)), "movn1");
  // Where it was and its certificate are kept: the leader tells it there that it was removed.
  const auto* gone = h.view.membership().removed_member(NodeId(1));
  ASSERT_NE(gone, nullptr);
  EXPECT_EQ(gone->address, "10.0.0.1:6686");
  EXPECT_EQ(gone->fingerprint.size(), 64u);
  EXPECT_EQ(h.view.membership().removed_member(NodeId(2)), nullptr);
  // Ids are never given twice: the next joiner gets 3, not 1 or 2.
  EXPECT_EQ(h.view.membership().next_raft_id(), NodeId(3));
  EXPECT_EQ(h.run(RemoveMemberRequest{"movn2"}).error().code, Errc::kFailedPrecondition);
  // The removal survives a checkpoint.
  projections::State restored;
  ASSERT_TRUE(restored.restore_checkpoint(h.view.checkpoint()).ok());
  EXPECT_EQ(restored.membership().removed(), h.view.membership().removed());
  ASSERT_NE(restored.membership().removed_member(NodeId(1)), nullptr);
  EXPECT_EQ(*restored.membership().removed_member(NodeId(1)), *gone);
  const auto a = restored.describe(), b = h.view.describe();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].digest_hex, b[i].digest_hex) << a[i].name;
}

CertificateIssued issued(std::string member = "movn1", std::string service = "ovnnb",
                         std::string ca = std::string(64, 'c')) {
  return CertificateIssued{member, service, "-----BEGIN CERTIFICATE-----", "0a1b", std::string(64, 'e'), 1000, 2000, ca};
}

TEST(DecideRecordCertificate, RecordsACertificateFromTheCurrentCaForAMember) {
  Harness h;
  auto b = bootstrap_req();
  b.ca = CaCertificate{"-----BEGIN CERTIFICATE-----", "sealed", std::string(64, 'c'), 99};
  ASSERT_TRUE(h.run(b).ok());
  auto r = h.run(RecordCertificateRequest{issued()});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(std::get<CertificateIssued>((*r)[0]), issued());
  ASSERT_NE(h.view.certificates().find("movn1", "ovnnb"), nullptr);
  // A retry is the same request; another certificate for the same service is another one.
  EXPECT_EQ(request_digest(RecordCertificateRequest{issued()}), request_digest(RecordCertificateRequest{issued()}));
  auto other = issued();
  other.fingerprint = std::string(64, 'f');
  EXPECT_NE(request_digest(RecordCertificateRequest{issued()}), request_digest(RecordCertificateRequest{other}));
}

TEST(DecideBootstrap, RecordsTheFoundersCertificatesFromTheNewCa) {
  auto req = bootstrap_req();
  req.ca = CaCertificate{"-----BEGIN CERTIFICATE-----", "sealed", std::string(64, 'c'), 99};
  req.certificates = {issued("movn1", "client"), issued("movn1", "ovnnb")};
  Harness h;
  auto r = h.run(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 8u);
  EXPECT_EQ(std::get<CertificateIssued>((*r)[4]), issued("movn1", "ovnnb"));
  EXPECT_NE(h.view.certificates().find("movn1", "client"), nullptr);
  EXPECT_NE(h.view.certificates().find("movn1", "ovnnb"), nullptr);
  for (auto bad : {issued("movn2", "client"), issued("movn1", "client", std::string(64, 'd')),
                   issued("movn1", "nope")}) {
    Harness fresh;
    auto b = req;
    b.certificates = {bad};
    EXPECT_EQ(fresh.run(b).error().code, Errc::kInvalidArgument) << bad.member << " " << bad.service;
  }
  Harness no_ca;
  auto b = req;
  b.ca.reset();
  EXPECT_EQ(no_ca.run(b).error().code, Errc::kInvalidArgument);
}

TEST(DecideRecordCertificate, RefusesWhatCannotBeTheClustersCertificate) {
  Harness none;
  none.bootstrap();  // no CA
  EXPECT_EQ(none.run(RecordCertificateRequest{issued()}).error().code, Errc::kFailedPrecondition);
  Harness h;
  auto b = bootstrap_req();
  b.ca = CaCertificate{"-----BEGIN CERTIFICATE-----", "sealed", std::string(64, 'c'), 99};
  ASSERT_TRUE(h.run(b).ok());
  EXPECT_EQ(h.run(RecordCertificateRequest{issued("movn9")}).error().code, Errc::kNotFound);
  EXPECT_EQ(h.run(RecordCertificateRequest{issued("movn1", "ovs")}).error().code, Errc::kInvalidArgument);
  EXPECT_EQ(h.run(RecordCertificateRequest{issued("movn1", "ovnnb", std::string(64, 'd'))}).error().code,
            Errc::kConflict);
  auto bad = issued();
  bad.fingerprint = "short";
  EXPECT_EQ(h.run(RecordCertificateRequest{bad}).error().code, Errc::kInvalidArgument);
  bad = issued();
  bad.certificate = "\xff";
  EXPECT_EQ(h.run(RecordCertificateRequest{bad}).error().code, Errc::kInvalidArgument);
  bad = issued();
  bad.serial = "XYZ";
  EXPECT_EQ(h.run(RecordCertificateRequest{bad}).error().code, Errc::kInvalidArgument);
  bad = issued();
  bad.not_after_ms = bad.not_before_ms;
  EXPECT_EQ(h.run(RecordCertificateRequest{bad}).error().code, Errc::kInvalidArgument);
  EXPECT_TRUE(h.view.certificates().issued().empty());
}

CaCertificate ca_cert(char c) { return CaCertificate{"-----BEGIN CERTIFICATE-----", "sealed", std::string(64, c), 99}; }

TEST(DecideSetCa, AGeneratedCaReplacesTheCurrentOneOnlyIfItIsStillCurrent) {
  Harness h;
  auto b = bootstrap_req();
  b.ca = ca_cert('a');
  ASSERT_TRUE(h.run(b).ok());
  ASSERT_TRUE(h.run(RecordCertificateRequest{issued("movn1", "ovnnb", std::string(64, 'a'))}).ok());
  auto r = h.run(SetCaRequest{ca_cert('b'), true, std::string(64, 'a')});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(std::get<CaGenerated>((*r)[0]).ca, ca_cert('b'));
  ASSERT_TRUE(h.view.certificates().ca());
  EXPECT_EQ(h.view.certificates().ca()->ca.fingerprint, std::string(64, 'b'));
  EXPECT_TRUE(h.view.certificates().ca()->auto_renew);
  // A second member renewing the same CA at once is refused: one new CA, not two.
  EXPECT_EQ(h.run(SetCaRequest{ca_cert('c'), true, std::string(64, 'a')}).error().code, Errc::kConflict);
  EXPECT_EQ(h.view.certificates().ca()->ca.fingerprint, std::string(64, 'b'));
  // regenerate-ca replaces whatever is current.
  ASSERT_TRUE(h.run(SetCaRequest{ca_cert('c'), true, ""}).ok());
  EXPECT_EQ(h.view.certificates().ca()->ca.fingerprint, std::string(64, 'c'));
  // The certificate from the first CA is no longer from the current one: a new record of it is refused.
  EXPECT_EQ(h.run(RecordCertificateRequest{issued("movn1", "ovnnb", std::string(64, 'a'))}).error().code,
            Errc::kConflict);
}

TEST(DecideSetCa, AnOperatorsCaIsNotRenewedAndSettingItAgainRecordsNothing) {
  Harness h;
  auto b = bootstrap_req();
  b.ca = ca_cert('a');
  ASSERT_TRUE(h.run(b).ok());
  auto r = h.run(SetCaRequest{ca_cert('e'), false, ""});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  EXPECT_TRUE(std::holds_alternative<CaSet>((*r)[0]));
  EXPECT_FALSE(h.view.certificates().ca()->auto_renew);
  auto again = h.run(SetCaRequest{ca_cert('e'), false, ""});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
  // The cluster's own CA set by the operator becomes the operator's: no longer renewed.
  Harness g;
  ASSERT_TRUE(g.run(b).ok());
  auto own = g.run(SetCaRequest{ca_cert('a'), false, ""});
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(own->size(), 1u);
  EXPECT_FALSE(g.view.certificates().ca()->auto_renew);
}

TEST(DecideSetCa, RefusesACaTheLogCannotCarryAndAnUnbootstrappedCluster) {
  Harness none;
  EXPECT_EQ(none.run(SetCaRequest{ca_cert('a'), true, ""}).error().code, Errc::kFailedPrecondition);
  Harness h;
  h.bootstrap();
  auto bad = ca_cert('a');
  bad.fingerprint = "short";
  EXPECT_EQ(h.run(SetCaRequest{bad, false, ""}).error().code, Errc::kInvalidArgument);
  bad = ca_cert('a');
  bad.sealed_key.clear();
  EXPECT_EQ(h.run(SetCaRequest{bad, true, ""}).error().code, Errc::kInvalidArgument);
  // Nothing replaces a CA the cluster does not have.
  EXPECT_EQ(h.run(SetCaRequest{ca_cert('a'), true, std::string(64, 'z')}).error().code, Errc::kConflict);
  EXPECT_FALSE(h.view.certificates().ca());
}

TEST(DecideSetCa, ARegenerateRetriedIsTheSameRequestWhateverCaItMade) {
  EXPECT_EQ(request_digest(SetCaRequest{ca_cert('a'), true, ""}), request_digest(SetCaRequest{ca_cert('b'), true, ""}));
  EXPECT_NE(request_digest(SetCaRequest{ca_cert('a'), true, ""}),
            request_digest(SetCaRequest{ca_cert('a'), true, std::string(64, 'a')}));
  EXPECT_NE(request_digest(SetCaRequest{ca_cert('a'), false, ""}), request_digest(SetCaRequest{ca_cert('b'), false, ""}));
  EXPECT_NE(request_digest(SetCaRequest{ca_cert('a'), false, ""}), request_digest(SetCaRequest{ca_cert('a'), true, ""}));
}

TEST(DecideJoin, ACustomEncapsulationIpIsRecordedAndCheckedAtBootstrapAndJoin) {
  Harness h;
  auto b = bootstrap_req();
  b.encap_ip = "bad ip";
  EXPECT_EQ(h.run(b).error().code, Errc::kInvalidArgument);
  b.encap_ip = "198.51.100.1";
  ASSERT_TRUE(h.run(b).ok());
  EXPECT_EQ(h.view.membership().find("movn1")->encap_ip, "198.51.100.1");
  ASSERT_TRUE(h.run(IssueTokenRequest{"movn2", hash_of("s2"), 60000}).ok());
  auto j = join_req("movn2", "s2");
  j.encap_ip = "10.0.0.300";
  EXPECT_EQ(h.run(j, 2000).error().code, Errc::kInvalidArgument);
  j.encap_ip = "fd00::2";
  auto r = h.run(j, 2000);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(std::get<MemberJoined>((*r)[1]).encap_ip, "fd00::2");
  EXPECT_EQ(h.view.membership().find("movn2")->encap_ip, "fd00::2");
  // Part of what was asked: the same join with another encapsulation IP is another request.
  auto other = j;
  other.encap_ip = "fd00::3";
  EXPECT_NE(request_digest(j), request_digest(other));
  // And it survives a checkpoint.
  projections::State restored;
  ASSERT_TRUE(restored.restore_checkpoint(h.view.checkpoint()).ok());
  EXPECT_EQ(restored.membership().find("movn2")->encap_ip, "fd00::2");
}

TEST(DecideJoin, AutoPlacementGivesCentralToTheFirstThreeMembersOnly) {
  Harness h;
  h.bootstrap();
  for (int i = 2; i <= 5; ++i) {
    const std::string name = "movn" + std::to_string(i), secret = "s" + std::to_string(i);
    ASSERT_TRUE(h.run(IssueTokenRequest{name, hash_of(secret), 60000}).ok());
    ASSERT_TRUE(h.run(join_req(name, secret), 2000).ok()) << name;
  }
  EXPECT_EQ(h.view.services().members_with("central"), (std::vector<std::string>{"movn1", "movn2", "movn3"}));
  EXPECT_EQ(h.view.services().members_with("chassis").size(), 5u);
  EXPECT_EQ(h.view.services().of("movn5"), (std::vector<std::string>{"chassis", "switch"}));
}

TEST(DecideJoin, AnExplicitListOfCentralsMeansNoAutomaticCentral) {
  Harness h;
  h.bootstrap();
  ASSERT_TRUE(h.run(SetConfigRequest{"ovn.central-ips", "10.0.0.1"}).ok());
  ASSERT_TRUE(h.run(IssueTokenRequest{"movn2", hash_of("s2"), 60000}).ok());
  ASSERT_TRUE(h.run(join_req("movn2", "s2"), 2000).ok());
  EXPECT_EQ(h.view.services().of("movn2"), (std::vector<std::string>{"chassis", "switch"}));
}

TEST(DecideSetService, EnablesAndDisablesWithUpstreamsRefusals) {
  Harness h;
  h.bootstrap();
  ASSERT_TRUE(h.run(IssueTokenRequest{"movn2", hash_of("s2"), 60000}).ok());
  ASSERT_TRUE(h.run(join_req("movn2", "s2"), 2000).ok());
  auto r = h.run(SetServiceRequest{"movn2", "switch", true, false});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "this service is already enabled");
  r = h.run(SetServiceRequest{"movn2", "switch", false, false});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, (std::vector<Event>{ServiceDisabled{"movn2", "switch"}}));
  r = h.run(SetServiceRequest{"movn2", "switch", false, false});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "this service is not enabled");
  ASSERT_TRUE(h.run(SetServiceRequest{"movn2", "switch", true, false}).ok());
  EXPECT_EQ(h.view.services().of("movn2"), (std::vector<std::string>{"central", "chassis", "switch"}));
  // Unknown services and members.
  EXPECT_EQ(h.run(SetServiceRequest{"movn2", "switchh", true, false}).error().code, Errc::kInvalidArgument);
  EXPECT_EQ(h.run(SetServiceRequest{"nobody", "switch", true, false}).error().code, Errc::kNotFound);
}

TEST(DecideSetService, TheLastCentralGoesOnlyWithExplicitConfirmation) {
  Harness h;
  h.bootstrap();
  ASSERT_TRUE(h.run(IssueTokenRequest{"movn2", hash_of("s2"), 60000}).ok());
  ASSERT_TRUE(h.run(join_req("movn2", "s2"), 2000).ok());
  ASSERT_TRUE(h.run(SetServiceRequest{"movn1", "central", false, false}).ok());  // movn2 still runs it
  auto r = h.run(SetServiceRequest{"movn2", "central", false, false});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "cannot disable last central node without explicit confirmation");
  EXPECT_EQ(h.view.services().members_with("central"), (std::vector<std::string>{"movn2"}));
  ASSERT_TRUE(h.run(SetServiceRequest{"movn2", "central", false, true}).ok());
  EXPECT_TRUE(h.view.services().members_with("central").empty());
  // The digest tells an enable from a disable, and a confirmed disable from an unconfirmed one.
  EXPECT_NE(request_digest(SetServiceRequest{"movn2", "central", true, false}),
            request_digest(SetServiceRequest{"movn2", "central", false, false}));
  EXPECT_NE(request_digest(SetServiceRequest{"movn2", "central", false, true}),
            request_digest(SetServiceRequest{"movn2", "central", false, false}));
}

TEST(DecideReportCentral, OnlyACentralWithUuidsAndAChange) {
  Harness h;
  h.bootstrap();
  const std::string nb = "6f2b4c1e-0000-4000-8000-000000000001", sb = "6f2b4c1e-0000-4000-8000-000000000002";
  auto r = h.run(ReportCentralRequest{"movn1", nb, sb});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, (std::vector<Event>{CentralReady{"movn1", nb, sb}}));
  EXPECT_TRUE(h.run(ReportCentralRequest{"movn1", nb, sb})->empty());
  EXPECT_EQ(h.run(ReportCentralRequest{"movn1", "not-a-uuid", sb}).error().code, Errc::kInvalidArgument);
  EXPECT_EQ(h.run(ReportCentralRequest{"movn1", nb, "6F2B4C1E-0000-4000-8000-000000000002"}).error().code,
            Errc::kInvalidArgument);
  EXPECT_EQ(h.run(ReportCentralRequest{"movn9", nb, sb}).error().code, Errc::kNotFound);
  // Disabling central clears the report; a member without central cannot report.
  ASSERT_TRUE(h.run(SetServiceRequest{"movn1", "central", false, true}).ok());
  EXPECT_EQ(h.view.services().ready_central("movn1"), nullptr);
  EXPECT_EQ(h.run(ReportCentralRequest{"movn1", nb, sb}).error().code, Errc::kFailedPrecondition);
}

TEST(DecideReportSchema, RecordsAChangeOnlyAndChecksTheVersions) {
  Harness h;
  h.bootstrap();
  auto r = h.run(ReportSchemaRequest{"movn1", "7.3.0", "20.33.0"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, (std::vector<Event>{SchemaVersionReported{"movn1", "7.3.0", "20.33.0"}}));
  r = h.run(ReportSchemaRequest{"movn1", "7.3.0", "20.33.0"});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
  EXPECT_EQ(h.run(ReportSchemaRequest{"movn1", "7.3.0\n", ""}).error().code, Errc::kInvalidArgument);
  EXPECT_EQ(h.run(ReportSchemaRequest{"movn1", "", std::string(33, '1')}).error().code, Errc::kInvalidArgument);
  EXPECT_EQ(h.run(ReportSchemaRequest{"movn9", "7.3.0", ""}).error().code, Errc::kNotFound);
  ASSERT_TRUE(h.run(ReportSchemaRequest{"movn1", "7.4.0", ""}).ok());
  EXPECT_EQ(h.view.services().schemas_of("movn1")->nb, "7.4.0");
}

}  // namespace
}  // namespace movn::commands
