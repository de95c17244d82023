// Peer links over mutual TLS on 127.0.0.1: frames arrive in order between trusted members; a
// pinned fingerprint that does not match is never sent to; a stranger's frames reach the owner
// as untrusted (a join is answered on its own link, anything else closes it); a client without a
// certificate, and a frame that does not decode, are refused and counted; a full queue drops; a
// link to a member that comes up late is dialled again.
#include <gtest/gtest.h>

#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>

#include "pki/identity.h"
#include "pki/test_util.h"
#include "transport/peer_frame.h"
#include "transport/peer_link.h"

namespace movn::transport {
namespace {
namespace asio = boost::asio;
using pki::testing::slurp;
using pki::testing::TempDir;

struct Member {
  Member(asio::io_context& io, const std::filesystem::path& dir, const std::string& name,
         std::function<bool(const std::string&)> trusted, PeerLinkOptions o = {}) {
    auto id = pki::ensure_identity(dir / name, name);
    EXPECT_TRUE(id.ok());
    fingerprint = id->fingerprint_hex;
    if (o.listen_address.empty()) o.listen_address = "127.0.0.1:0";
    o.cert_pem = id->cert_pem;
    o.key_pem = slurp(dir / name / pki::kIdentityKeyFile);
    cert_pem = o.cert_pem;
    key_pem = o.key_pem;
    links = std::make_unique<PeerLinks>(io, o, std::move(trusted),
                                        [this](host::PeerMessage m, const std::string& fp, bool trusted) {
                                          received.push_back({std::move(m), fp, trusted});
                                          return accept(received.back().message, trusted);
                                        });
  }
  struct Received {
    host::PeerMessage message;
    std::string fingerprint;
    bool trusted;
  };
  std::function<bool(const host::PeerMessage&, bool)> accept = [](const host::PeerMessage&, bool) { return true; };
  std::string fingerprint, cert_pem, key_pem;
  std::unique_ptr<PeerLinks> links;
  std::vector<Received> received;
};

bool run_until(asio::io_context& io, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done() && std::chrono::steady_clock::now() < deadline) io.run_one_for(std::chrono::milliseconds(10));
  return done();
}

raft::Message heartbeat(std::uint64_t context) {
  raft::Message m;
  m.type = raft::MessageType::kHeartbeat;
  m.from = NodeId(1);
  m.to = NodeId(2);
  m.term = Term(3);
  m.context = context;
  return m;
}

TEST(PeerLinks, TrustedMembersExchangeFramesInOrder) {
  TempDir dir;
  asio::io_context io;
  std::set<std::string> members;
  auto trust = [&](const std::string& fp) { return members.contains(fp); };
  Member a(io, dir.path(), "m1", trust), b(io, dir.path(), "m2", trust);
  members = {a.fingerprint, b.fingerprint};
  ASSERT_TRUE(a.links->start().ok());
  ASSERT_TRUE(b.links->start().ok());
  for (std::uint64_t i = 1; i <= 100; ++i) a.links->send(b.links->address(), b.fingerprint, heartbeat(i));
  ASSERT_TRUE(run_until(io, [&] { return b.received.size() == 100; }));
  for (std::uint64_t i = 0; i < 100; ++i) {
    EXPECT_EQ(std::get<raft::Message>(b.received[i].message), heartbeat(i + 1));
    EXPECT_TRUE(b.received[i].trusted);
    EXPECT_EQ(b.received[i].fingerprint, a.fingerprint);
  }
  EXPECT_EQ(a.links->stats().frames_sent, 100u);
  EXPECT_EQ(a.links->stats().dials, 1u);
  // The other way, on a link of its own.
  b.links->send(a.links->address(), a.fingerprint, heartbeat(7));
  ASSERT_TRUE(run_until(io, [&] { return a.received.size() == 1; }));
  // A member removed from the trusted set: its next frame arrives untrusted.
  members.erase(a.fingerprint);
  a.links->send(b.links->address(), b.fingerprint, heartbeat(101));
  ASSERT_TRUE(run_until(io, [&] { return b.received.size() == 101; }));
  EXPECT_FALSE(b.received.back().trusted);
}

TEST(PeerLinks, AServerWithAnotherCertificateThanThePinnedOneGetsNothing) {
  TempDir dir;
  asio::io_context io;
  auto all = [](const std::string&) { return true; };
  Member a(io, dir.path(), "m1", all), b(io, dir.path(), "m2", all);
  ASSERT_TRUE(a.links->start().ok());
  ASSERT_TRUE(b.links->start().ok());
  a.links->send(b.links->address(), std::string(64, '0'), heartbeat(1));
  ASSERT_TRUE(run_until(io, [&] { return a.links->stats().wrong_fingerprint >= 1; }));
  io.run_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(b.received.empty());
  // The reason is kept for that address.
  EXPECT_NE(a.links->last_failure(b.links->address()).find("is not the pinned one"), std::string::npos);
  EXPECT_EQ(a.links->last_failure("127.0.0.1:1"), "");
}

TEST(PeerLinks, ALinkThatCannotConnectSaysSo) {
  TempDir dir;
  asio::io_context io;
  auto all = [](const std::string&) { return true; };
  Member a(io, dir.path(), "m1", all);
  ASSERT_TRUE(a.links->start().ok());
  // A port nothing listens on: bind one, note it, close it.
  std::string nowhere;
  {
    asio::ip::tcp::acceptor probe(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    nowhere = "127.0.0.1:" + std::to_string(probe.local_endpoint().port());
  }
  a.links->send(nowhere, std::string(64, '0'), heartbeat(1));
  ASSERT_TRUE(run_until(io, [&] { return !a.links->last_failure(nowhere).empty(); }));
  EXPECT_NE(a.links->last_failure(nowhere).find("cannot connect"), std::string::npos);
}

TEST(PeerLinks, InboundLinksAreCappedAndClosedWhenIdle) {
  TempDir dir;
  asio::io_context io;
  auto all = [](const std::string&) { return true; };
  PeerLinkOptions o;
  o.max_inbound_links = 1;
  o.idle_timeout = std::chrono::milliseconds(300);
  Member server(io, dir.path(), "m1", all, o);
  Member a(io, dir.path(), "m2", all), b(io, dir.path(), "m3", all);
  ASSERT_TRUE(server.links->start().ok());
  ASSERT_TRUE(a.links->start().ok());
  ASSERT_TRUE(b.links->start().ok());
  a.links->send(server.links->address(), server.fingerprint, heartbeat(1));
  ASSERT_TRUE(run_until(io, [&] { return server.received.size() == 1; }));
  // A second inbound link while the first is open: closed at once.
  const auto refused = server.links->stats().refused;
  b.links->send(server.links->address(), server.fingerprint, heartbeat(2));
  ASSERT_TRUE(run_until(io, [&] { return server.links->stats().refused > refused; }));
  EXPECT_EQ(server.received.size(), 1u);
  // The first carries nothing more: it is closed after the idle timeout, and then the other
  // member's redial gets through.
  ASSERT_TRUE(run_until(io, [&] { return server.links->stats().idle_closed >= 1; }));
  ASSERT_TRUE(run_until(io, [&] { return server.received.size() == 2; }));
  EXPECT_EQ(std::get<raft::Message>(server.received[1].message), heartbeat(2));
}

TEST(PeerLinks, AStrangerMayOnlyJoinAndIsAnsweredOnItsOwnLink) {
  TempDir dir;
  asio::io_context io;
  std::set<std::string> members;
  auto trust = [&](const std::string& fp) { return members.contains(fp); };
  Member member(io, dir.path(), "m1", trust), stranger(io, dir.path(), "m9", [](const std::string&) { return true; });
  members = {member.fingerprint};
  member.accept = [](const host::PeerMessage& m, bool trusted) {
    return trusted || std::holds_alternative<host::JoinAsk>(m);
  };
  ASSERT_TRUE(member.links->start().ok());
  ASSERT_TRUE(stranger.links->start().ok());
  // A Raft message from a stranger closes its link.
  stranger.links->send(member.links->address(), member.fingerprint, heartbeat(1));
  ASSERT_TRUE(run_until(io, [&] { return member.links->stats().refused >= 1; }));
  ASSERT_EQ(member.received.size(), 1u);
  EXPECT_FALSE(member.received[0].trusted);
  // A join is delivered, and its answer goes back on the joiner's link (the member dials nothing).
  host::JoinAsk ask{stranger.links->address(), member.links->address(), 4,
                    commands::JoinRequest{"m9", stranger.links->address(), stranger.fingerprint, "", "s"}, "join-m9"};
  // The stranger may not have seen its first link close yet: a join sent on it is lost, and the
  // joiner asks again (as host::Node does).
  ASSERT_TRUE(run_until(io, [&] {
    if (member.received.size() >= 2) return true;
    stranger.links->send(member.links->address(), member.fingerprint, ask);
    io.run_for(std::chrono::milliseconds(50));
    return member.received.size() >= 2;
  }));
  ASSERT_TRUE(std::holds_alternative<host::JoinAsk>(member.received[1].message));
  host::JoinReply reply{member.links->address(), stranger.links->address(), 4, true, NodeId(9), Errc::kUnavailable, "", {}};
  reply.shared["cluster-key"] = "k";
  member.links->send(stranger.links->address(), stranger.fingerprint, reply);
  ASSERT_TRUE(run_until(io, [&] { return stranger.received.size() == 1; }));
  const auto& got = std::get<host::JoinReply>(stranger.received[0].message);
  EXPECT_EQ(got.raft_id, NodeId(9));
  EXPECT_EQ(got.shared.at("cluster-key"), "k");
  EXPECT_EQ(member.links->stats().dials, 0u);
}

// A raw TLS client: with or without a certificate, writing what it is given.
struct RawClient {
  // The context is complete before the stream is made from it (the stream copies what it holds).
  static asio::ssl::context context(const Member* as) {
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.set_verify_mode(asio::ssl::verify_none);
    if (as != nullptr) {
      ctx.use_certificate_chain(asio::buffer(as->cert_pem));
      ctx.use_private_key(asio::buffer(as->key_pem), asio::ssl::context::pem);
    }
    return ctx;
  }
  RawClient(asio::io_context& io, const Member* as) : ctx(context(as)), stream(io, ctx) {}
  asio::ssl::context ctx;
  asio::ssl::stream<asio::ip::tcp::socket> stream;
};

TEST(PeerLinks, NoClientCertificateOrABadFrameIsRefusedAndCounted) {
  TempDir dir;
  asio::io_context io;
  auto all = [](const std::string&) { return true; };
  Member a(io, dir.path(), "m1", all), b(io, dir.path(), "m2", all);
  ASSERT_TRUE(b.links->start().ok());
  const auto port = static_cast<std::uint16_t>(std::stoi(b.links->address().substr(b.links->address().rfind(':') + 1)));
  asio::ip::tcp::endpoint server(asio::ip::make_address("127.0.0.1"), port);

  // Without a certificate: the handshake fails on the server.
  RawClient anonymous(io, nullptr);
  anonymous.stream.lowest_layer().connect(server);
  bool done = false;
  anonymous.stream.async_handshake(asio::ssl::stream_base::client, [&](boost::system::error_code) { done = true; });
  ASSERT_TRUE(run_until(io, [&] { return done && b.links->stats().refused >= 1; }));

  // With a certificate, then bytes that are not a frame: counted, and the link closed.
  RawClient client(io, &a);
  client.stream.lowest_layer().connect(server);
  bool shaken = false;
  client.stream.async_handshake(asio::ssl::stream_base::client, [&](boost::system::error_code ec) {
    EXPECT_FALSE(ec) << ec.message();
    shaken = true;
  });
  ASSERT_TRUE(run_until(io, [&] { return shaken; }));
  const std::string garbage = frame_header(16) + std::string(16, 'x');
  bool written = false;
  asio::async_write(client.stream, asio::buffer(garbage), [&](boost::system::error_code, std::size_t) { written = true; });
  ASSERT_TRUE(run_until(io, [&] { return written && b.links->stats().bad_frames == 1; }))
      << "written " << written << " received " << b.links->stats().frames_received << " refused "
      << b.links->stats().refused << " bad " << b.links->stats().bad_frames;
  char byte;
  bool closed = false;
  client.stream.async_read_some(asio::buffer(&byte, 1), [&](boost::system::error_code ec, std::size_t) { closed = !!ec; });
  ASSERT_TRUE(run_until(io, [&] { return closed; }));
  EXPECT_TRUE(b.received.empty());
}

TEST(PeerLinks, AFullQueueDropsAndALateMemberIsDialledAgain) {
  TempDir dir;
  asio::io_context io;
  auto all = [](const std::string&) { return true; };
  // A free port, with nothing listening on it yet.
  asio::ip::tcp::acceptor probe(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const std::string late_address = "127.0.0.1:" + std::to_string(probe.local_endpoint().port());
  probe.close();
  PeerLinkOptions small;
  small.max_queue_bytes = 2000;
  small.reconnect_min = std::chrono::milliseconds(20);
  small.reconnect_max = std::chrono::milliseconds(100);
  Member a(io, dir.path(), "m1", all, small);
  PeerLinkOptions at;
  at.listen_address = late_address;
  Member b(io, dir.path(), "m2", all, at);
  ASSERT_TRUE(a.links->start().ok());
  for (std::uint64_t i = 1; i <= 100; ++i) a.links->send(late_address, b.fingerprint, heartbeat(i));
  EXPECT_GT(a.links->stats().dropped, 0u);
  const std::size_t kept = 100 - a.links->stats().dropped;
  ASSERT_TRUE(run_until(io, [&] { return a.links->stats().dials >= 3; }));  // refused, then again
  ASSERT_TRUE(b.links->start().ok());
  ASSERT_TRUE(run_until(io, [&] { return b.received.size() == kept; }));
  EXPECT_EQ(std::get<raft::Message>(b.received.front().message), heartbeat(1));
}

// A peer that accepts connections but never completes a handshake holds up only its own link:
// frames to another member flow meanwhile, and the stuck handshake times out.
TEST(PeerLinks, ADeadPeerHoldsUpOnlyItsOwnLink) {
  TempDir dir;
  asio::io_context io;
  auto all = [](const std::string&) { return true; };
  PeerLinkOptions quick;
  quick.handshake_timeout = std::chrono::milliseconds(200);
  quick.reconnect_min = std::chrono::milliseconds(20);
  Member a(io, dir.path(), "m1", all, quick), b(io, dir.path(), "m2", all);
  ASSERT_TRUE(a.links->start().ok());
  ASSERT_TRUE(b.links->start().ok());
  asio::ip::tcp::acceptor silent(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  std::vector<asio::ip::tcp::socket> held;
  std::function<void()> take = [&] {
    silent.async_accept([&](boost::system::error_code ec, asio::ip::tcp::socket s) {
      if (ec) return;
      held.push_back(std::move(s));  // never answered
      take();
    });
  };
  take();
  const std::string dead = "127.0.0.1:" + std::to_string(silent.local_endpoint().port());
  for (std::uint64_t i = 1; i <= 50; ++i) {
    a.links->send(dead, std::string(64, 'd'), heartbeat(i));
    a.links->send(b.links->address(), b.fingerprint, heartbeat(i));
  }
  ASSERT_TRUE(run_until(io, [&] { return b.received.size() == 50; }));
  ASSERT_TRUE(run_until(io, [&] { return a.links->stats().refused >= 1 && a.links->stats().dials >= 3; }));
}

}  // namespace
}  // namespace movn::transport
