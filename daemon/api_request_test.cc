#include "daemon/api_request.h"

#include <gtest/gtest.h>

namespace movn::daemon {
namespace {

transport::HttpRequest get(std::string target) {
  transport::HttpRequest r;
  r.method = "GET";
  r.target = std::move(target);
  return r;
}

TEST(ApiRequest, SplitsAndDecodesPathAndQuery) {
  auto p = parse_request(get("/1.0/config/ovn.central%2Dips?since=3&type=config_set&member=a+b"));
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->path, (std::vector<std::string>{"1.0", "config", "ovn.central-ips"}));
  EXPECT_EQ(p->query.at("member"), "a b");
  EXPECT_FALSE(p->request_id.has_value());
}

TEST(ApiRequest, RefusesMalformedEscapes) {
  for (const char* t : {"/1.0/%", "/1.0/%4", "/1.0/%zz", "/1.0?x=%", "relative", ""}) {
    auto p = parse_request(get(t));
    ASSERT_FALSE(p.ok()) << t;
    EXPECT_EQ(p.error().code, Errc::kInvalidArgument);
  }
}

TEST(ApiRequest, RefusesARepeatedRequestId) {
  auto r = get("/1.0/config/ovn.central-ips");
  r.headers.emplace("x-request-id", "first");
  ASSERT_TRUE(parse_request(r).ok());
  EXPECT_EQ(*parse_request(r)->request_id, "first");
  r.headers.emplace("x-request-id", "second");
  auto p = parse_request(r);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, Errc::kInvalidArgument);
  EXPECT_NE(p.error().message.find("X-Request-Id is given 2 times"), std::string::npos) << p.error().message;
}

TEST(ApiRequest, RefusesAnInvalidRequestId) {
  auto r = get("/1.0");
  r.headers.emplace("x-request-id", "has space");
  EXPECT_FALSE(parse_request(r).ok());
}

TEST(ApiRequest, RefusesARepeatedQueryParameter) {
  auto p = parse_request(get("/1.0/events?since=1&since=5"));
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("'since' is given more than once"), std::string::npos);
}

TEST(ApiRequest, BodiesAreFlatObjects) {
  EXPECT_TRUE(parse_body_object("").ok());
  EXPECT_FALSE(parse_body_object("[1]").ok());
  EXPECT_FALSE(parse_body_object("{").ok());
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  auto d = parse_body_object(deep);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("nested"), std::string::npos);
  // Brackets inside strings do not count.
  EXPECT_TRUE(parse_body_object(R"({"value":"[[[[[[[[[[[[[[[[[[[[[\"[[[["})").ok());
}

TEST(ApiRequest, TokenBodies) {
  auto t = parse_token_body(R"({"name":"movn2","expire_after_seconds":1.5})");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->name, "movn2");
  EXPECT_EQ(t->lifetime_ms, 1500u);
  EXPECT_EQ(parse_token_body(R"({"name":"movn2"})")->lifetime_ms, 10800u * 1000);
  EXPECT_FALSE(parse_token_body(R"({"name":"movn2","expire_after_seconds":0})").ok());
  EXPECT_FALSE(parse_token_body(R"({"name":"movn2","expire_after_seconds":1e300})").ok());
  EXPECT_FALSE(parse_token_body(R"({"name":"movn2","expire_after_seconds":0.0001})").ok());
  EXPECT_FALSE(parse_token_body(R"({"name":5})").ok());
  EXPECT_FALSE(parse_token_body(R"({"name":"a","other":1})").ok());
}

TEST(ApiRequest, BootstrapAndConfigBodies) {
  auto b = parse_bootstrap_body(R"({"name":"m1","address":"127.0.0.1"})");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b->address, "127.0.0.1:6686");
  EXPECT_FALSE(parse_bootstrap_body(R"({"address":"not an address"})").ok());
  EXPECT_FALSE(parse_bootstrap_body(R"({"name":1})").ok());
  EXPECT_EQ(*parse_config_body(R"({"value":"10.0.0.1"})"), "10.0.0.1");
  EXPECT_FALSE(parse_config_body(R"({"key":"x"})").ok());
}

TEST(ApiRequest, EventsQuery) {
  auto q = parse_events_query({{"since", "0"}, {"limit", "10"}, {"type", "config_set"}});
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->since, 1u);
  EXPECT_EQ(q->limit, 10u);
  EXPECT_FALSE(parse_events_query({{"limit", "0"}}).ok());
  EXPECT_FALSE(parse_events_query({{"since", "-1"}}).ok());
  EXPECT_FALSE(parse_events_query({{"type", "no_such_type"}}).ok());
  EXPECT_FALSE(parse_events_query({{"bogus", ""}}).ok());
}

}  // namespace
}  // namespace movn::daemon

namespace movn::daemon {
namespace {
TEST(ApiRequest, JoinBodies) {
  auto ok = parse_join_body(R"({"token":"abc","name":"m2","address":"127.0.0.1"})");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->token, "abc");
  EXPECT_EQ(ok->name, "m2");
  EXPECT_EQ(ok->address, "127.0.0.1:6686");
  EXPECT_FALSE(parse_join_body(R"({"token":"abc"})")->name.has_value());
  EXPECT_NE(parse_join_body(R"({"name":"m2"})").error().message.find("'token' is required"), std::string::npos);
  EXPECT_NE(parse_join_body(R"({"token":1})").error().message.find("must be a string"), std::string::npos);
  EXPECT_NE(parse_join_body(R"({"token":"t","secret":"s"})").error().message.find("unknown field 'secret'"),
            std::string::npos);
  EXPECT_FALSE(parse_join_body(R"({"token":"t","address":"not an address"})").ok());
}

TEST(ApiRequest, EncapsulationIpInBootstrapAndJoinBodies) {
  EXPECT_EQ(parse_bootstrap_body(R"({"encap_ip":"198.51.100.1"})")->encap_ip, "198.51.100.1");
  EXPECT_EQ(parse_join_body(R"({"token":"t","encap_ip":"fd00::1"})")->encap_ip, "fd00::1");
  EXPECT_TRUE(parse_bootstrap_body("{}")->encap_ip.empty());
  EXPECT_NE(parse_bootstrap_body(R"({"encap_ip":"198.51.100.1:6081"})").error().message.find("not an IPv4 or IPv6"),
            std::string::npos);
  EXPECT_FALSE(parse_join_body(R"({"token":"t","encap_ip":""})").ok());
  EXPECT_FALSE(parse_join_body(R"({"token":"t","encap_ip":7})").ok());
}

TEST(ApiRequest, SetCaBodies) {
  auto ok = parse_set_ca_body(R"({"certificate":"CERT","private_key":"KEY"})");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->certificate, "CERT");
  EXPECT_EQ(ok->private_key, "KEY");
  EXPECT_NE(parse_set_ca_body(R"({"certificate":"CERT"})").error().message.find("'private_key' is required"),
            std::string::npos);
  EXPECT_NE(parse_set_ca_body(R"({"certificate":"","private_key":"K"})").error().message.find("'certificate'"),
            std::string::npos);
  EXPECT_NE(parse_set_ca_body(R"({"certificate":1,"private_key":"K"})").error().message.find("non-empty string"),
            std::string::npos);
  EXPECT_NE(parse_set_ca_body(R"({"certificate":"C","private_key":"K","x":1})").error().message.find("unknown field"),
            std::string::npos);
  const std::string huge = "{\"certificate\":\"" + std::string(kMaxCaPemBytes + 1, 'a') + "\",\"private_key\":\"K\"}";
  EXPECT_NE(parse_set_ca_body(huge).error().message.find("longer than"), std::string::npos);
  EXPECT_FALSE(parse_set_ca_body("not json").ok());
}

TEST(ApiRequest, ServiceBodies) {
  for (const char* body : {"", "{}", "null", " null\n", R"({"bgpConfig":null})"})
    EXPECT_TRUE(parse_service_body("switch", true, body).ok()) << body;
  auto disable = parse_service_body("central", false, R"({"allowDisableLastCentral":true})");
  ASSERT_TRUE(disable.ok()) << disable.error().message;
  EXPECT_TRUE(disable->allow_disable_last_central);
  EXPECT_FALSE(parse_service_body("central", false, "{}")->allow_disable_last_central);
  EXPECT_EQ(parse_service_body("switch", true, R"({"bgpConfig":{"vrf":"10"}})").error().message,
            "service 'switch' does not accept extra config");
  EXPECT_FALSE(parse_service_body("central", false, R"({"allowDisableLastCentral":"yes"})").ok());
  EXPECT_FALSE(parse_service_body("central", true, R"({"allowDisableLastCentral":true})").ok());
  EXPECT_FALSE(parse_service_body("central", false, "[]").ok());
  EXPECT_NE(parse_service_body("bgp", true, "{}").error().message.find("not supported"), std::string::npos);
  EXPECT_NE(parse_service_body("switchh", true, "{}").error().message.find("invalid argument \"switchh\""),
            std::string::npos);
}
}  // namespace
}  // namespace movn::daemon
