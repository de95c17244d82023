// Two microovnd members in one process, each with its own store, identity and peer links, over
// mutual TLS on 127.0.0.1: the second joins through the token path, receives the log, and its
// forwarded write is answered after its own apply. A stranger's Raft message is refused.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <utility>
#include <boost/asio/io_context.hpp>

#include "common/sha256.h"
#include "daemon/host_seams.h"
#include "daemon/peer_transport.h"
#include "pki/identity.h"
#include "tests/support/temp_dir.h"

namespace movn::daemon {
namespace {
namespace asio = boost::asio;
using movn::testing::TempDir;

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string free_address(asio::io_context& io) {
  asio::ip::tcp::acceptor probe(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return "127.0.0.1:" + std::to_string(probe.local_endpoint().port());
}

struct TlsMember {
  TlsMember(asio::io_context& io, const std::filesystem::path& dir, const std::string& name) {
    std::filesystem::create_directories(dir);
    auto id = pki::ensure_identity(dir / "identity", name);
    EXPECT_TRUE(id.ok());
    identity = *id;
    address = free_address(io);
    auto s = eventlog::Store::open(dir / "store");
    EXPECT_TRUE(s.ok());
    store = std::move(s).value();
    links = std::make_unique<MemberTransport>(io);
    auto options = MemberHost::node_options(address);
    options.shared_secrets = [name] { return std::map<std::string, std::string>{{"cluster-key", "key of " + name}}; };
    host = std::make_unique<MemberHost>(*store, io, [](const Error& e) { FAIL() << e.message; }, system_clock(),
                                        links.get(), std::move(options));
    links->attach(host->node);
    EXPECT_TRUE(links->listen(address, identity.cert_pem, slurp(dir / "identity" / pki::kIdentityKeyFile)).ok());
    EXPECT_TRUE(host->load().ok());
    host->node.start();
  }
  ~TlsMember() { host->storage.stop(); }
  host::Node& node() { return host->node; }

  pki::Identity identity;
  std::string address;
  std::unique_ptr<eventlog::Store> store;
  std::unique_ptr<MemberTransport> links;
  std::unique_ptr<MemberHost> host;
};

// Runs the loop, ticking both members, until `done` (or 20 s of wall time: a hang fails).
bool run_until(asio::io_context& io, std::vector<TlsMember*> members, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.run_for(std::chrono::milliseconds(5));
    for (auto* m : members) m->node().tick();
  }
  return done();
}

Result<host::Outcome> propose(asio::io_context& io, std::vector<TlsMember*> all, TlsMember& at,
                              const commands::Request& r, const std::string& id) {
  std::optional<Result<host::Outcome>> out;
  at.node().propose(r, host::RequestMeta{id, {"m", "test"}}, [&](Result<host::Outcome> x) { out = std::move(x); });
  EXPECT_TRUE(run_until(io, all, [&] { return out.has_value(); }));
  if (!out) return make_error(Errc::kTimeout, "no answer");
  return std::move(*out);
}

TEST(MemberTransport, AMemberJoinsOverMutualTlsAndReceivesTheLog) {
  TempDir dir;
  asio::io_context io;
  TlsMember m1(io, dir / "m1", "m1"), m2(io, dir / "m2", "m2");
  std::vector<TlsMember*> all{&m1, &m2};
  ASSERT_TRUE(propose(io, all, m1,
                      commands::BootstrapRequest{"c0ffee", "m1", m1.address, m1.identity.fingerprint_hex,
                                                 m1.identity.cert_pem},
                      "boot")
                  .ok());
  const std::string secret = "the-token-secret";
  const Digest hash = sha256(secret);
  ASSERT_TRUE(propose(io, all, m1, commands::IssueTokenRequest{"m2", std::string(hash.begin(), hash.end()), 600'000},
                      "token")
                  .ok());

  m2.links->expect_join({{m1.address, m1.identity.fingerprint_hex}});
  std::optional<Result<host::Node::Admission>> joined;
  m2.node().join(commands::JoinRequest{"m2", m2.address, m2.identity.fingerprint_hex, m2.identity.cert_pem, secret},
                 "join-m2", {m1.address}, [&](Result<host::Node::Admission> r) { joined = std::move(r); });
  ASSERT_TRUE(run_until(io, all, [&] { return joined.has_value(); }));
  ASSERT_TRUE(joined->ok()) << joined->error().message;
  const NodeId id2 = (*joined)->raft_id;
  // The member that admitted it handed over the cluster's shared secrets, over mutual TLS.
  EXPECT_EQ((*joined)->shared, (std::map<std::string, std::string>{{"cluster-key", "key of m1"}}));
  EXPECT_NE(id2, host::Node::kFounder);

  // The leader adds it to the Raft configuration and sends it the log, over TLS.
  ASSERT_TRUE(run_until(io, all, [&] {
    return m2.node().applied().membership().find("m2") != nullptr &&
           m2.node().applied().applied_index() == m1.node().applied().applied_index() &&
           m1.node().role_of(id2).has_value();
  })) << "m1 applied " << m1.node().applied().applied_index().value << " m2 applied "
      << m2.node().applied().applied_index().value << " role " << m1.node().role_of(id2).has_value()
      << " m1 dials " << m1.links->link_stats().dials << " sent " << m1.links->link_stats().frames_sent
      << " wrongfp " << m1.links->link_stats().wrong_fingerprint << " unknown " << m1.links->stats().unknown_destination
      << " m2 received " << m2.links->link_stats().frames_received << " refused " << m2.links->stats().refused
      << " linkrefused " << m2.links->link_stats().refused << " m1 refused " << m1.links->stats().refused
      << " m1 received " << m1.links->link_stats().frames_received;
  EXPECT_EQ(m2.node().applied().membership().find("m1")->fingerprint, m1.identity.fingerprint_hex);

  // A write at the new member is forwarded to the leader and answered once applied here.
  auto fwd = propose(io, all, m2, commands::SetConfigRequest{"ovn.central-ips", "10.0.0.1"}, "set-1");
  ASSERT_TRUE(fwd.ok()) << fwd.error().message;
  EXPECT_GE(m2.node().applied().applied_index(), fwd->index);
  EXPECT_TRUE(m1.node().applied().config().get("ovn.central-ips").has_value());
  EXPECT_EQ(m1.links->stats().refused, 0u);
  EXPECT_EQ(m2.links->stats().refused, 0u);
  EXPECT_GT(m1.links->link_stats().frames_sent, 0u);
  EXPECT_EQ(m1.links->link_stats().bad_frames, 0u);

  // A stranger's certificate: its Raft message, even under a member's id, is refused.
  auto stranger_id = pki::ensure_identity(dir / "m9", "m9");
  ASSERT_TRUE(stranger_id.ok());
  transport::PeerLinkOptions so;
  so.listen_address = "127.0.0.1:0";
  so.cert_pem = stranger_id->cert_pem;
  so.key_pem = slurp(dir / "m9" / pki::kIdentityKeyFile);
  transport::PeerLinks stranger(io, so, [](const std::string&) { return true; },
                                [](host::PeerMessage, const std::string&, bool) { return true; });
  ASSERT_TRUE(stranger.start().ok());
  raft::Message fake;
  fake.type = raft::MessageType::kTimeoutNow;
  fake.from = id2;
  fake.to = host::Node::kFounder;
  fake.term = Term(m1.node().raft()->term().value + 5);
  const Term before = m1.node().raft()->term();
  stranger.send(m1.address, m1.identity.fingerprint_hex, fake);
  ASSERT_TRUE(run_until(io, all, [&] { return m1.links->stats().refused == 1; }));
  EXPECT_EQ(m1.node().raft()->term(), before);
}

}  // namespace
}  // namespace movn::daemon
