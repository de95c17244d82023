// The peer wire format: every message kind round-trips, and frames that verify but carry bad
// fields (no message, an unknown type, entries out of order, text that is not UTF-8, a zero
// member id) are refused with a clear error, as are truncated and oversized ones.
#include <gtest/gtest.h>

#include "transport/peer_frame.h"
#include "transport/peer_generated.h"

namespace movn::transport {
namespace {
namespace fb = movn::wire;

raft::Message append() {
  raft::Message m;
  m.type = raft::MessageType::kApp;
  m.from = NodeId(1);
  m.to = NodeId(2);
  m.term = Term(5);
  m.log_term = Term(4);
  m.index = LogIndex(10);
  m.entries = {raft::Entry{LogIndex(11), Term(4), raft::EntryType::kEventBatch, std::string("a\0b", 3)},
               raft::Entry{LogIndex(12), Term(5), raft::EntryType::kNoop, ""},
               raft::Entry{LogIndex(13), Term(5), raft::EntryType::kConfig, "cfg"}};
  m.commit = LogIndex(9);
  m.reject_hint = LogIndex(3);
  m.transfer = true;
  m.context = 77;
  return m;
}

std::vector<host::PeerMessage> samples() {
  std::vector<host::PeerMessage> out;
  out.emplace_back(append());
  raft::Message vote;
  vote.type = raft::MessageType::kVoteResp;
  vote.from = NodeId(3);
  vote.to = NodeId(1);
  vote.term = Term(6);
  vote.reject = true;
  out.emplace_back(vote);
  const commands::Request requests[] = {
      commands::BootstrapRequest{"c0ffee", "m1", "10.0.0.1:6686", std::string(64, 'a'), "CERT"},
      commands::IssueTokenRequest{"m2", std::string(32, 's'), 60'000},
      commands::RevokeTokenRequest{"m2"},
      commands::SetConfigRequest{"ovn.central-ips", "10.0.0.1"},
      commands::DeleteConfigRequest{"ovn.central-ips"},
      commands::JoinRequest{"m3", "10.0.0.3:6686", std::string(64, 'f'), "CERT3", "secret"},
      commands::JoinRequest{"m4", "10.0.0.4:6686", std::string(64, 'f'), "CERT4", "secret", "198.51.100.4"},
      commands::RemoveMemberRequest{"m2"},
      commands::RecordCertificateRequest{events::CertificateIssued{"m2", "ovnsb", "PEM", "0a", std::string(64, 'e'),
                                                                   5, 6, std::string(64, 'c')}},
      commands::SetCaRequest{events::CaCertificate{"PEM", std::string("\x01\x00sealed", 8), std::string(64, 'a'), 7},
                             true, std::string(64, 'b')},
      commands::SetServiceRequest{"m3", "central", false, true},
      commands::ReportSchemaRequest{"m3", "7.3.0", "20.33.0"},
      commands::ReportCentralRequest{"m3", "6f2b4c1e-0000-4000-8000-000000000001", "6f2b4c1e-0000-4000-8000-000000000002"},
  };
  for (const auto& r : requests) out.emplace_back(host::ForwardWrite{NodeId(2), NodeId(1), 9, r, "req-1", {"m2", "root"}});
  out.emplace_back(host::ForwardReply{NodeId(1), NodeId(2), 9, true, LogIndex(40), true, Errc::kUnavailable, ""});
  out.emplace_back(host::ForwardReply{NodeId(1), NodeId(2), 9, false, LogIndex(0), false, Errc::kConflict, "no"});
  out.emplace_back(host::ReadIndexAsk{NodeId(2), NodeId(1), 12});
  out.emplace_back(host::ReadIndexReply{NodeId(1), NodeId(2), 12, true, LogIndex(41), "", {NodeId(1), NodeId(3)}});
  out.emplace_back(host::JoinAsk{"10.0.0.3:6686", "10.0.0.1:6686", 5,
                                 commands::JoinRequest{"m3", "10.0.0.3:6686", std::string(64, 'f'), "CERT3", "s"},
                                 "join-m3"});
  host::JoinReply reply{"10.0.0.1:6686", "10.0.0.3:6686", 5, true, NodeId(3), Errc::kUnavailable, "", {}};
  reply.shared["cluster-key"] = std::string("\x01\x00\xff", 3);
  out.emplace_back(reply);
  out.emplace_back(host::RemovalNotice{NodeId(1), NodeId(3)});
  return out;
}

TEST(PeerFrame, EveryMessageKindRoundTrips) {
  for (const auto& m : samples()) {
    const std::string bytes = encode_peer_message(m);
    auto back = decode_peer_message(bytes);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(back->index(), m.index());
    EXPECT_EQ(encode_peer_message(*back), bytes);
  }
  auto back = decode_peer_message(encode_peer_message(append()));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(std::get<raft::Message>(*back), append());
  for (const auto& m : samples()) {
    if (!std::holds_alternative<host::JoinReply>(m)) continue;
    auto decoded = decode_peer_message(encode_peer_message(m));
    ASSERT_TRUE(decoded.ok());
    const auto& reply = std::get<host::JoinReply>(*decoded);
    EXPECT_EQ(reply.shared.at("cluster-key"), std::string("\x01\x00\xff", 3));
    EXPECT_EQ(reply.raft_id, NodeId(3));
  }
  for (const auto& m : samples()) {
    if (!std::holds_alternative<host::ReadIndexReply>(m)) continue;
    auto decoded = decode_peer_message(encode_peer_message(m));
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(std::get<host::ReadIndexReply>(*decoded).reachable, (std::vector<NodeId>{NodeId(1), NodeId(3)}));
  }
}

std::string expect_refused(const std::string& bytes) {
  auto r = decode_peer_message(bytes);
  EXPECT_FALSE(r.ok());
  return r.ok() ? std::string() : r.error().message;
}

TEST(PeerFrame, EveryTruncationIsAClearError) {
  for (const auto& m : samples()) {
    const std::string bytes = encode_peer_message(m);
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      auto r = decode_peer_message(std::string_view(bytes).substr(0, n));
      // Cutting trailing padding loses nothing; any other cut is refused.
      if (r.ok()) {
        EXPECT_EQ(encode_peer_message(*r), bytes) << n << " of " << bytes.size();
      } else {
        EXPECT_EQ(r.error().code, Errc::kInvalidArgument);
      }
    }
  }
  EXPECT_NE(expect_refused(std::string(64, '\0')).find("peer frame"), std::string::npos);
}

std::string frame_of(const std::function<std::pair<fb::Body, flatbuffers::Offset<void>>(flatbuffers::FlatBufferBuilder&)>& make) {
  flatbuffers::FlatBufferBuilder b;
  auto [type, body] = make(b);
  b.Finish(fb::CreateFrame(b, type, body), fb::FrameIdentifier());
  return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

TEST(PeerFrame, AVerifiedFrameWithBadFieldsIsRefused) {
  // No message at all.
  EXPECT_NE(expect_refused(frame_of([](auto&) { return std::pair{fb::Body::NONE, flatbuffers::Offset<void>()}; }))
                .find("carries no message"),
            std::string::npos);
  // A read answer naming member 0 as reachable, or far too many members.
  auto read_reply = [](std::vector<std::uint64_t> reachable) {
    return frame_of([&](flatbuffers::FlatBufferBuilder& b) {
      return std::pair{fb::Body::ReadIndexReply,
                       fb::CreateReadIndexReply(b, 1, 2, 3, true, 4, b.CreateString(""), b.CreateVector(reachable))
                           .Union()};
    });
  };
  EXPECT_TRUE(decode_peer_message(read_reply({1, 2})).ok());
  EXPECT_NE(expect_refused(read_reply({1, 0})).find("reachable is not a member id"), std::string::npos);
  EXPECT_NE(expect_refused(read_reply(std::vector<std::uint64_t>(5000, 1))).find("reachable lists 5000"),
            std::string::npos);
  // A union type without its value.
  EXPECT_NE(expect_refused(frame_of([](auto&) { return std::pair{fb::Body::JoinReply, flatbuffers::Offset<void>()}; }))
                .find("carries no message"),
            std::string::npos);
  auto raft = [](std::uint8_t type, std::uint64_t from, std::vector<std::pair<std::uint64_t, std::uint64_t>> entries,
                 std::uint8_t entry_type = 1) {
    return frame_of([&](flatbuffers::FlatBufferBuilder& b) {
      std::vector<flatbuffers::Offset<fb::Entry>> es;
      for (auto [index, term] : entries) es.push_back(fb::CreateEntry(b, index, term, entry_type));
      return std::pair{fb::Body::RaftMessage,
                       fb::CreateRaftMessage(b, type, from, 2, /*term=*/5, /*log_term=*/3, /*index=*/10,
                                             b.CreateVector(es))
                           .Union()};
    });
  };
  EXPECT_TRUE(decode_peer_message(raft(4, 1, {{11, 3}, {12, 5}})).ok());
  EXPECT_NE(expect_refused(raft(99, 1, {})).find("unknown Raft message type"), std::string::npos);
  EXPECT_NE(expect_refused(raft(4, 0, {})).find("not a member id"), std::string::npos);
  EXPECT_NE(expect_refused(raft(4, 1, {{11, 3}, {13, 3}})).find("where 12 follows"), std::string::npos);
  EXPECT_NE(expect_refused(raft(4, 1, {{11, 2}})).find("out of order"), std::string::npos);  // below log_term
  EXPECT_NE(expect_refused(raft(4, 1, {{11, 6}})).find("out of order"), std::string::npos);  // above the term
  EXPECT_NE(expect_refused(raft(4, 1, {{11, 3}}, 9)).find("unknown type"), std::string::npos);
  EXPECT_NE(expect_refused(raft(6, 1, {{11, 3}})).find("carries entries"), std::string::npos);  // a heartbeat

  auto reply = [](std::string message, std::uint8_t code) {
    return frame_of([&](flatbuffers::FlatBufferBuilder& b) {
      return std::pair{fb::Body::ForwardReply,
                       fb::CreateForwardReply(b, 1, 2, 3, false, 0, false, code, b.CreateString(message)).Union()};
    });
  };
  EXPECT_TRUE(decode_peer_message(reply("fine", 4)).ok());
  EXPECT_NE(expect_refused(reply("bad \xff", 4)).find("not UTF-8"), std::string::npos);
  EXPECT_NE(expect_refused(reply("fine", 0)).find("unknown error code"), std::string::npos);
  EXPECT_NE(expect_refused(reply("fine", 200)).find("unknown error code"), std::string::npos);

  auto forward = [](fb::Request type, bool with_value, std::string secret = std::string(32, 's')) {
    return frame_of([&](flatbuffers::FlatBufferBuilder& b) {
      flatbuffers::Offset<void> request;
      if (with_value)
        request = fb::CreateIssueToken(b, b.CreateString("m2"),
                                       b.CreateVector(reinterpret_cast<const std::uint8_t*>(secret.data()), secret.size()),
                                       1000)
                      .Union();
      return std::pair{fb::Body::ForwardWrite,
                       fb::CreateForwardWrite(b, 2, 1, 1, type, request, b.CreateString("req")).Union()};
    });
  };
  EXPECT_TRUE(decode_peer_message(forward(fb::Request::IssueToken, true)).ok());
  EXPECT_NE(expect_refused(forward(fb::Request::IssueToken, false)).find("no request"), std::string::npos);
  EXPECT_NE(expect_refused(forward(fb::Request::NONE, false)).find("no request"), std::string::npos);
  EXPECT_NE(expect_refused(forward(fb::Request::IssueToken, true, "short")).find("not 32 bytes"), std::string::npos);

  auto join_ask = [](std::string from, bool with_request) {
    return frame_of([&](flatbuffers::FlatBufferBuilder& b) {
      flatbuffers::Offset<fb::Join> request;
      if (with_request) request = fb::CreateJoin(b, b.CreateString("m3"));
      return std::pair{fb::Body::JoinAsk, fb::CreateJoinAsk(b, b.CreateString(from), b.CreateString("10.0.0.1:6686"), 1,
                                                            request, b.CreateString("join"))
                                              .Union()};
    });
  };
  EXPECT_TRUE(decode_peer_message(join_ask("10.0.0.3:6686", true)).ok());
  EXPECT_NE(expect_refused(join_ask("not an address", true)).find("not an address"), std::string::npos);
  EXPECT_NE(expect_refused(join_ask("10.0.0.3:6686", false)).find("join request is missing"), std::string::npos);
}

TEST(PeerFrame, LengthPrefixesAreBounded) {
  auto n = parse_frame_header(frame_header(1234));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1234u);
  EXPECT_EQ(parse_frame_header(frame_header(0)).error().code, Errc::kInvalidArgument);
  EXPECT_EQ(parse_frame_header(frame_header(kMaxFrameBytes + 1)).error().code, Errc::kTooLarge);
  EXPECT_TRUE(parse_frame_header(frame_header(kMaxFrameBytes)).ok());
  EXPECT_FALSE(parse_frame_header("abc").ok());
  EXPECT_EQ(decode_peer_message(std::string(kMaxFrameBytes + 1, 'x')).error().code, Errc::kTooLarge);
}

}  // namespace
}  // namespace movn::transport
