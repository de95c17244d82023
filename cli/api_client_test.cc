#include "cli/api_client.h"

#include <gtest/gtest.h>

namespace movn::cli {
namespace {

HttpResponse response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.reason = status == 200 ? "OK" : status == 500 ? "Internal Server Error" : "";
  r.body = std::move(body);
  return r;
}

TEST(DecodeEnvelope, SuccessGivesMetadataInOrder) {
  auto r = decode_envelope(response(
      200, R"({"type":"sync","status":"Success","status_code":200,"operation":"","error_code":0,)"
           R"("error":"","metadata":{"zeta":1,"alpha":[true]}})"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->dump(), R"({"zeta":1,"alpha":[true]})");
}

TEST(DecodeEnvelope, DeeplyNestedAnswersAreRefusedBeforeParsing) {
  const std::size_t n = 1'000'000;
  std::string body = R"({"type":"sync","metadata":)" + std::string(n, '[') + std::string(n, ']') + "}";
  auto r = decode_envelope(response(200, body));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("nested more than"), std::string::npos) << r.error().message;
  std::string ok = R"({"type":"sync","metadata":)" + std::string(kMaxResponseDepth - 1, '[') +
                   std::string(kMaxResponseDepth - 1, ']') + "}";
  EXPECT_TRUE(decode_envelope(response(200, ok)).ok());
}

TEST(DecodeEnvelope, SuccessWithoutMetadataIsNull) {
  auto r = decode_envelope(response(200, R"({"type":"sync","status":"Success"})"));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->is_null());
}

TEST(DecodeEnvelope, ErrorEnvelopeGivesItsMessageAndCode) {
  struct Case {
    int status;
    Errc code;
  };
  for (Case c :
       {Case{400, Errc::kInvalidArgument}, Case{404, Errc::kNotFound}, Case{409, Errc::kConflict},
        Case{413, Errc::kTooLarge}, Case{503, Errc::kUnavailable}, Case{500, Errc::kInternal}}) {
    std::string body =
        R"({"type":"error","status":"","status_code":0,"operation":"","error_code":)" +
        std::to_string(c.status) + R"(,"error":"token expired","metadata":null})";
    auto r = decode_envelope(response(c.status, body));
    ASSERT_FALSE(r.ok()) << c.status;
    EXPECT_EQ(r.error().message, "token expired");
    EXPECT_EQ(r.error().code, c.code) << c.status;
  }
}

TEST(DecodeEnvelope, ErrorTypeWinsEvenWithHttp200) {
  auto r = decode_envelope(response(200, R"({"type":"error","error":"boom","error_code":400})"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "boom");
  EXPECT_EQ(r.error().code, Errc::kInvalidArgument);
}

TEST(DecodeEnvelope, LxdFailureSyncResponseIsAnError) {
  auto r = decode_envelope(
      response(200, R"({"type":"sync","status":"Failure","status_code":400,"error":"nope"})"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "nope");
}

TEST(DecodeEnvelope, NonJsonErrorNamesTheHttpStatus) {
  auto r = decode_envelope(response(500, "<html>oops</html>"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "microovnd answered HTTP 500 Internal Server Error");
  auto empty_error = decode_envelope(response(404, R"({"type":"error"})"));
  ASSERT_FALSE(empty_error.ok());
  EXPECT_EQ(empty_error.error().message, "microovnd answered HTTP 404");
  EXPECT_EQ(empty_error.error().code, Errc::kNotFound);
}

TEST(DecodeEnvelope, MalformedSuccessIsAnError) {
  const std::vector<std::string> bad = {
      "",
      "not json",
      "[1,2]",
      "\"str\"",
      R"({"type":"sync","metadata":)",
      R"({"type":7,"metadata":1})",
      R"({"metadata":1})",
      R"({"type":"async","metadata":1})",
      R"({"type":"sync","error":42,"metadata":1})",
  };
  for (const auto& body : bad) {
    auto r = decode_envelope(response(200, body));
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().code, Errc::kCorruption) << body;
    EXPECT_TRUE(r.error().message.starts_with("invalid response from microovnd: ")) << body;
  }
}

TEST(RequestId, IssueTimeThenRandomHexAndValid) {
  std::string a = generate_request_id();
  std::string b = generate_request_id();
  EXPECT_NE(a, b);
  ASSERT_EQ(a.front(), 't');
  const auto dash = a.find('-');
  ASSERT_NE(dash, std::string::npos);
  const std::string ms = a.substr(1, dash - 1);
  EXPECT_EQ(ms.find_first_not_of("0123456789"), std::string::npos);
  EXPECT_GT(std::stoull(ms), 1'700'000'000'000ULL);  // milliseconds since the epoch, not seconds
  const std::string hex = a.substr(dash + 1);
  EXPECT_EQ(hex.size(), 32u);
  EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_TRUE(is_valid_request_id(a));
}

TEST(RequestId, Validation) {
  EXPECT_TRUE(is_valid_request_id("retry-1.a_b:C"));
  EXPECT_TRUE(is_valid_request_id(std::string(128, 'x')));
  EXPECT_FALSE(is_valid_request_id(std::string(129, 'x')));
  EXPECT_FALSE(is_valid_request_id(""));
  EXPECT_FALSE(is_valid_request_id("has space"));
  EXPECT_FALSE(is_valid_request_id("new\nline"));
  EXPECT_FALSE(is_valid_request_id("slash/"));
}

TEST(CallTimeoutFromEnv, DefaultOverrideAndGarbage) {
  EXPECT_EQ(*call_timeout_from_env(nullptr), std::chrono::milliseconds(30'000));
  EXPECT_EQ(*call_timeout_from_env(""), std::chrono::milliseconds(30'000));
  EXPECT_EQ(*call_timeout_from_env("250"), std::chrono::milliseconds(250));
  for (const char* bad : {"abc", "0", "-5", "10x", " 5", "99999999999999999999999"}) {
    auto r = call_timeout_from_env(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find("MICROOVN_CALL_TIMEOUT_MS"), std::string::npos);
  }
}

TEST(SocketPath, UnderTheStateDir) {
  EXPECT_EQ(socket_path_for("/var/lib/microovn/state"), "/var/lib/microovn/state/control.socket");
  EXPECT_EQ(socket_path_for("/tmp/s//"), "/tmp/s/control.socket");
  EXPECT_EQ(socket_path_for("rel"), "rel/control.socket");
  EXPECT_EQ(socket_path_for("/"), "/control.socket");
}

TEST(Fields, CheckedAccess) {
  Json obj = Json::parse(R"({"s":"x","b":true,"u":3,"n":-1,"f":1.5})");
  EXPECT_EQ(*string_field(obj, "s", "o"), "x");
  EXPECT_TRUE(*bool_field(obj, "b", "o"));
  EXPECT_EQ(*uint_field(obj, "u", "o"), 3u);
  EXPECT_FALSE(uint_field(obj, "n", "o").ok());
  EXPECT_FALSE(uint_field(obj, "f", "o").ok());
  EXPECT_FALSE(string_field(obj, "b", "o").ok());
  EXPECT_FALSE(bool_field(obj, "s", "o").ok());
  auto missing = string_field(obj, "zz", "member 2");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message,
            "invalid response from microovnd: member 2: field 'zz' is missing or not a string");
  EXPECT_FALSE(string_field(Json::array(), "s", "o").ok());
}

}  // namespace
}  // namespace movn::cli
