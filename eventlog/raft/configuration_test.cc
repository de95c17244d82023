// Unit tests of raft::Configuration and its binary encoding (golden bytes, every malformed input
// is a clear kCorruption error).
#include "eventlog/raft/configuration.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace movn::raft {
namespace {

Configuration three() {
  Configuration c;
  c.members = {{NodeId(1), MemberRole::kVoter},
               {NodeId(2), MemberRole::kStandby},
               {NodeId(0x0102030405060708ULL), MemberRole::kSpare}};
  return c;
}

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int v : b) s.push_back(static_cast<char>(v));
  return s;
}

void expect_corrupt(const std::string& in, const std::string& reason) {
  auto r = decode_configuration(in);
  ASSERT_FALSE(r.ok()) << reason;
  EXPECT_EQ(r.error().code, Errc::kCorruption);
  EXPECT_NE(r.error().message.find("configuration: "), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find(reason), std::string::npos) << r.error().message;
}

TEST(Configuration, GoldenBytes) {
  std::string want = bytes({1, 0, 0, 0, 3,                // version, 3 members
                            0, 0, 0, 0, 0, 0, 0, 1, 1,    // 1: voter
                            0, 0, 0, 0, 0, 0, 0, 2, 2,    // 2: stand-by
                            1, 2, 3, 4, 5, 6, 7, 8, 3});  // spare
  EXPECT_EQ(encode_configuration(three()), want);
  auto back = decode_configuration(want);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, three());
}

TEST(Configuration, RoundTripsEverySize) {
  Configuration c;
  for (std::uint64_t i = 1; i <= 40; ++i) {
    c.members[NodeId(i * 977)] = static_cast<MemberRole>(1 + (i - 1) % 3);  // a voter first
    auto back = decode_configuration(encode_configuration(c));
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(*back, c);
  }
}

TEST(Configuration, MalformedInputsAreClearErrors) {
  const std::string good = encode_configuration(three());
  expect_corrupt("", "truncated: 0 bytes");
  expect_corrupt(good.substr(0, 4), "truncated: 4 bytes");
  std::string v2 = good;
  v2[0] = 2;
  expect_corrupt(v2, "unsupported version 2");
  expect_corrupt(bytes({1, 0, 0, 0, 0}), "0 members");
  expect_corrupt(bytes({1, 0, 0, 4, 1}), "1025 members");
  expect_corrupt(bytes({1, 0xff, 0xff, 0xff, 0xff}), "4294967295 members");
  expect_corrupt(good.substr(0, good.size() - 1), "31 bytes for 3 members (32 expected)");
  expect_corrupt(good + "x", "33 bytes for 3 members");
  expect_corrupt(bytes({1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1}), "has id 0");
  expect_corrupt(bytes({1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 2, 1}),
                 "not strictly ascending at member 1");
  expect_corrupt(bytes({1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 1, 0, 0, 0, 0, 0, 0, 0, 2, 1}),
                 "not strictly ascending");
  expect_corrupt(bytes({1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 4}), "unknown role 4 for member 1");
  expect_corrupt(bytes({1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0}), "unknown role 0");
  expect_corrupt(bytes({1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 3}), "no voter");
}

TEST(Configuration, EveryPrefixAndEveryByteFlipDecodesOrFailsCleanly) {
  const std::string good = encode_configuration(three());
  for (std::size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(decode_configuration(good.substr(0, n)).ok()) << n;
  }
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = good;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      auto r = decode_configuration(bad);
      if (r.ok()) {
        EXPECT_EQ(encode_configuration(*r), bad);  // still canonical
      }
    }
  }
}

TEST(Configuration, WithAddsChangesAndRemoves) {
  Configuration c = voters_configuration({NodeId(1), NodeId(2), NodeId(3)});
  EXPECT_EQ(c.voter_count(), 3u);
  EXPECT_EQ(c.quorum(), 2u);
  Configuration d = c.with(NodeId(4), MemberRole::kSpare);
  EXPECT_EQ(d.members.size(), 4u);
  EXPECT_EQ(d.quorum(), 2u);
  EXPECT_FALSE(d.is_voter(NodeId(4)));
  d = d.with(NodeId(4), MemberRole::kVoter).with(NodeId(1), std::nullopt);
  EXPECT_FALSE(d.contains(NodeId(1)));
  EXPECT_EQ(d.voters(), (std::vector<NodeId>{NodeId(2), NodeId(3), NodeId(4)}));
  EXPECT_EQ(to_string(d), "2:voter 3:voter 4:voter");
  EXPECT_EQ(to_string(Configuration{}), "(no members)");
}

}  // namespace
}  // namespace movn::raft
