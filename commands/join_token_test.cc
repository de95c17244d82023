#include "commands/join_token.h"

#include <gtest/gtest.h>

#include "common/base64.h"

namespace movn::commands {
namespace {

JoinToken sample() {
  return JoinToken{std::string(64, 'a'), std::string(64, '0'), {"127.0.0.1:6686", "[::1]:7000"}};
}

TEST(JoinToken, RoundTripsInUpstreamShape) {
  std::string text = encode_join_token(sample());
  EXPECT_EQ(*base64_decode(text),
            R"({"secret":")" + std::string(64, 'a') + R"(","fingerprint":")" + std::string(64, '0') +
                R"(","join_addresses":["127.0.0.1:6686","[::1]:7000"]})");
  auto back = decode_join_token(text);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, sample());
  // Pasted with a newline.
  EXPECT_TRUE(decode_join_token(" " + text + "\n").ok());
}

TEST(JoinToken, OnePinPerMember) {
  JoinToken t = sample();
  EXPECT_EQ(t.pins(), (std::map<std::string, std::string>{{"127.0.0.1:6686", std::string(64, '0')},
                                                          {"[::1]:7000", std::string(64, '0')}}));
  t.members = {{"127.0.0.1:6686", std::string(64, '1')}, {"[::1]:7000", std::string(64, '2')}};
  const std::string text = encode_join_token(t);
  EXPECT_EQ(*base64_decode(text),
            R"({"secret":")" + std::string(64, 'a') + R"(","fingerprint":")" + std::string(64, '0') +
                R"(","join_addresses":["127.0.0.1:6686","[::1]:7000"],"members":[{"address":"127.0.0.1:6686",)" +
                R"("fingerprint":")" + std::string(64, '1') + R"("},{"address":"[::1]:7000","fingerprint":")" +
                std::string(64, '2') + R"("}]})");
  auto back = decode_join_token(text);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, t);
  EXPECT_EQ(back->pins().at("[::1]:7000"), std::string(64, '2'));

  auto expect_bad = [](const std::string& members, std::string_view what) {
    auto r = decode_join_token(base64_encode(R"({"secret":")" + std::string(64, 'a') + R"(","fingerprint":")" +
                                             std::string(64, '0') + R"(","join_addresses":["10.0.0.1"],"members":)" +
                                             members + "}"));
    ASSERT_FALSE(r.ok()) << members;
    EXPECT_EQ(r.error().code, Errc::kInvalidArgument);
    EXPECT_NE(r.error().message.find(what), std::string::npos) << r.error().message;
  };
  const std::string fp(64, 'e');
  expect_bad("[]", "'members'");
  expect_bad("{}", "'members'");
  expect_bad("[7]", "hold objects");
  expect_bad(R"([{"fingerprint":")" + fp + R"("}])", "'address'");
  expect_bad(R"([{"address":"10.0.0.1","fingerprint":"xyz"}])", "'fingerprint'");
  expect_bad(R"([{"address":"nowhere","fingerprint":")" + fp + R"("}])", "member address");
  expect_bad(R"([{"address":"10.0.0.1","fingerprint":")" + fp + R"("},{"address":"10.0.0.1:6686","fingerprint":")" +
                 fp + R"("}])",
             "listed twice");
  expect_bad(R"([{"address":{"deeper":[1]},"fingerprint":")" + fp + R"("}])", "nested");
}

TEST(JoinToken, AddressesAreNormalizedAndUnknownFieldsIgnored) {
  auto t = decode_join_token(base64_encode(R"({"secret":")" + std::string(64, 'b') + R"(","fingerprint":")" +
                                           std::string(64, 'c') + R"(","join_addresses":["10.1.1.1"],"later":[1]})"));
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->join_addresses, std::vector<std::string>{"10.1.1.1:6686"});
}

TEST(JoinToken, GarbageTruncatedWrongTypedAndOversizedAreClearErrors) {
  const std::string secret(64, 'a'), fp(64, 'f');
  auto expect_bad = [](std::string_view text, std::string_view what) {
    auto r = decode_join_token(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code, Errc::kInvalidArgument);
    EXPECT_NE(r.error().message.find(what), std::string::npos) << r.error().message;
  };
  expect_bad("", "empty");
  expect_bad("!!!not base64!!!", "not base64");
  std::string good = encode_join_token(sample());
  expect_bad(good.substr(0, good.size() / 2), "");
  expect_bad(std::string(kMaxJoinTokenBytes + 1, 'A'), "longer than");
  expect_bad(base64_encode("[1,2]"), "not a JSON object");
  expect_bad(base64_encode("{\"secret\":[[[[1]]]]}"), "nested");
  expect_bad(base64_encode(R"({"secret":5,"fingerprint":")" + fp + R"(","join_addresses":["1.2.3.4"]})"), "'secret'");
  expect_bad(base64_encode(R"({"secret":")" + secret + R"(","fingerprint":"AB","join_addresses":["1.2.3.4"]})"),
             "'fingerprint'");
  expect_bad(base64_encode(R"({"secret":")" + secret + R"(","fingerprint":")" + fp + R"(","join_addresses":[]})"),
             "'join_addresses'");
  expect_bad(base64_encode(R"({"secret":")" + secret + R"(","fingerprint":")" + fp + R"(","join_addresses":[7]})"),
             "hold strings");
  expect_bad(base64_encode(R"({"secret":")" + secret + R"(","fingerprint":")" + fp +
                           R"(","join_addresses":["example.com"]})"),
             "join address");
}

}  // namespace
}  // namespace movn::commands
