#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "eventlog/codec.h"
#include "eventlog/event_json.h"

namespace movn::eventlog {
namespace {
using namespace movn::events;

std::string read_fixture(const std::string& name) {
  std::ifstream f(std::string(MOVN_TESTDATA_DIR) + "/" + name + ".bin", std::ios::binary);
  EXPECT_TRUE(f.good()) << "missing fixture " << name;
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// Every fixture shares this envelope (hand-written, not produced by the encoder under test).
void expect_envelope(const EventBatch& b) {
  EXPECT_EQ(b.request_id, "req-0001");
  EXPECT_EQ(b.actor.member, "movn1");
  EXPECT_EQ(b.actor.os_user, "root");
  EXPECT_EQ(b.cluster_time.value, 1795000000123ULL);
  EXPECT_TRUE(b.request_digest.empty());  // written before the field existed
  ASSERT_EQ(b.events.size(), 1u);
}

template <class T>
T decode_single(const std::string& fixture) {
  auto r = decode_batch(read_fixture(fixture));
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  if (!r.ok()) return T{};
  expect_envelope(*r);
  EXPECT_TRUE(std::holds_alternative<T>(r->events.at(0))) << fixture;
  if (!std::holds_alternative<T>(r->events.at(0))) return T{};
  return std::get<T>(r->events[0]);
}

TEST(GoldenBytes, ClusterBootstrapped) {
  auto e = decode_single<ClusterBootstrapped>("cluster_bootstrapped");
  EXPECT_EQ(e.cluster_id, "c0ffee00c0ffee00c0ffee00c0ffee00");
  EXPECT_EQ(e.member_name, "movn1");
}

TEST(GoldenBytes, MemberJoined) {
  auto e = decode_single<MemberJoined>("member_joined");
  EXPECT_EQ(e.name, "movn1");
  EXPECT_EQ(e.address, "10.0.0.1:6686");
  EXPECT_EQ(e.fingerprint, std::string(64, 'a'));
  EXPECT_EQ(e.certificate, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
  EXPECT_EQ(e.raft_id, 0u);  // written before the field existed
  EXPECT_EQ(raft_id_of(e), NodeId(1));
}

TEST(GoldenBytes, JoinTokenIssued) {
  auto e = decode_single<JoinTokenIssued>("join_token_issued");
  EXPECT_EQ(e.name, "movn2");
  ASSERT_EQ(e.secret_sha256.size(), 32u);
  for (int i = 0; i < 32; ++i) EXPECT_EQ(static_cast<unsigned char>(e.secret_sha256[i]), i * 7 + 1);
  EXPECT_EQ(e.expires_at_ms, 1795010800123ULL);
}

TEST(GoldenBytes, JoinTokenRevoked) {
  auto e = decode_single<JoinTokenRevoked>("join_token_revoked");
  EXPECT_EQ(e.name, "movn2");
  EXPECT_EQ(e.reason, RevokeReason::kExpired);
}

TEST(GoldenBytes, ConfigSet) {
  auto e = decode_single<ConfigSet>("config_set");
  EXPECT_EQ(e.key, "ovn.central-ips");
  EXPECT_EQ(e.value, "10.0.0.1,10.0.0.2");
}

TEST(GoldenBytes, ConfigDeleted) {
  auto e = decode_single<ConfigDeleted>("config_deleted");
  EXPECT_EQ(e.key, "ovn.central-ips");
}

TEST(GoldenBytes, MemberRemoved) {
  auto e = decode_single<MemberRemoved>("member_removed");
  EXPECT_EQ(e, (MemberRemoved{"movn2", 2}));
}

TEST(GoldenBytes, CaGenerated) {
  auto e = decode_single<CaGenerated>("ca_generated");
  EXPECT_EQ(e, (CaGenerated{{"-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n",
                             std::string("\x01sealed\x00key", 12), std::string(64, 'c'), 2110000000000ULL}}));
}

TEST(GoldenBytes, CaSet) {
  auto e = decode_single<CaSet>("ca_set");
  EXPECT_EQ(e, (CaSet{{"-----BEGIN CERTIFICATE-----\nMIID\n-----END CERTIFICATE-----\n",
                       std::string("\x01sealed\x00rsa", 12), std::string(64, 'd'), 2120000000000ULL}}));
}

TEST(GoldenBytes, CertificateIssued) {
  auto e = decode_single<CertificateIssued>("certificate_issued");
  EXPECT_EQ(e, (CertificateIssued{"movn1", "ovnnb", "-----BEGIN CERTIFICATE-----\nMIIE\n-----END CERTIFICATE-----\n",
                                  "0a1b2c", std::string(64, 'e'), 1795000000000ULL, 1858072000000ULL,
                                  std::string(64, 'c')}));
}

TEST(GoldenBytes, AMemberJoinedWithoutAnEncapsulationIpDecodesAndLeavesTheFieldOut) {
  // member_joined.bin was written before encap_ip existed: it decodes with none, and an empty
  // encap_ip is not written at all.
  const std::string bytes = read_fixture("member_joined");
  auto batch = decode_batch(bytes);
  ASSERT_TRUE(batch.ok()) << batch.error().message;
  EXPECT_TRUE(std::get<MemberJoined>(batch->events.at(0)).encap_ip.empty());
  auto again = decode_batch(encode_batch(*batch));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *batch);
  auto with = *batch;
  std::get<MemberJoined>(with.events.at(0)).encap_ip = "198.51.100.1";
  auto back = decode_batch(encode_batch(with));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(std::get<MemberJoined>(back->events.at(0)).encap_ip, "198.51.100.1");
  EXPECT_EQ(event_to_json(back->events.at(0))["encap_ip"], "198.51.100.1");
  EXPECT_FALSE(event_to_json(batch->events.at(0)).contains("encap_ip"));
  // "198.51.100.1" is 12 bytes: with its length, padding and offset the entry grows by at least 16.
  EXPECT_GE(encode_batch(with).size(), encode_batch(*batch).size() + 16);
}

TEST(GoldenBytes, ServiceEnabledAndDisabled) {
  EXPECT_EQ(decode_single<ServiceEnabled>("service_enabled"), (ServiceEnabled{"movn1", "central"}));
  EXPECT_EQ(decode_single<ServiceDisabled>("service_disabled"), (ServiceDisabled{"movn2", "chassis"}));
}

TEST(GoldenBytes, CentralReady) {
  EXPECT_EQ(decode_single<CentralReady>("central_ready"),
            (CentralReady{"movn2", "6f2b4c1e-0000-4000-8000-000000000001", "6f2b4c1e-0000-4000-8000-000000000002"}));
}

TEST(GoldenBytes, SchemaVersionReported) {
  EXPECT_EQ(decode_single<SchemaVersionReported>("schema_version_reported"),
            (SchemaVersionReported{"movn2", "7.3.0", "20.33.0"}));
}

TEST(GoldenBytes, EveryEventTypeHasAFixture) {
  for (std::size_t i = 0; i < std::variant_size_v<Event>; ++i) {
    Event e;
    switch (i) {
      case 0: e = ClusterBootstrapped{}; break;
      case 1: e = MemberJoined{}; break;
      case 2: e = JoinTokenIssued{}; break;
      case 3: e = JoinTokenRevoked{}; break;
      case 4: e = ConfigSet{}; break;
      case 5: e = ConfigDeleted{}; break;
      case 6: e = MemberRemoved{}; break;
      case 7: e = CaGenerated{}; break;
      case 8: e = CaSet{}; break;
      case 9: e = CertificateIssued{}; break;
      case 10: e = ServiceEnabled{}; break;
      case 11: e = ServiceDisabled{}; break;
      case 12: e = SchemaVersionReported{}; break;
      case 13: e = CentralReady{}; break;
      default: FAIL() << "event type " << i << " has no golden fixture: add one";
    }
    EXPECT_FALSE(read_fixture(std::string(type_name(e))).empty()) << type_name(e);
  }
}

TEST(Codec, RoundTripEveryType) {
  EventBatch b{"r-42", Actor{"m1", ""}, ClusterTimeMs(7), {}};
  b.events.push_back(ClusterBootstrapped{"cid", "m1"});
  b.events.push_back(MemberJoined{"m1", "127.0.0.1:6686", "fp", "pem", 7});
  b.events.push_back(JoinTokenIssued{"m2", std::string(32, '\x7f'), 99});
  b.events.push_back(JoinTokenRevoked{"m2", RevokeReason::kUsed});
  b.events.push_back(ConfigSet{"k", "v"});
  b.events.push_back(ConfigDeleted{"k"});
  b.events.push_back(MemberRemoved{"m2", 2});
  b.events.push_back(CaGenerated{{"ca pem", std::string("\0\xff\x01", 3), "fp1", 123}});
  b.events.push_back(CaSet{{"chain pem", "sealed", "fp2", 456}});
  b.events.push_back(CertificateIssued{"m1", "client", "pem", "ff00", "fp3", 1, 2, "fp2"});
  b.events.push_back(MemberJoined{"m2", "127.0.0.2:6686", "fp", "pem", 8, "198.51.100.2"});
  b.events.push_back(ServiceEnabled{"m1", "central"});
  b.events.push_back(ServiceDisabled{"m1", "switch"});
  b.events.push_back(SchemaVersionReported{"m1", "7.3.0", ""});
  b.events.push_back(CentralReady{"m1", "nb-cid", "sb-cid"});
  b.request_digest = std::string(32, '\x11');
  auto r = decode_batch(encode_batch(b));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, b);
}

TEST(Codec, EmbeddedNulBytesSurviveTheRoundTrip) {
  EventBatch b{std::string("r\0x", 3), Actor{std::string("m\0", 2), ""}, ClusterTimeMs(1),
               {ConfigSet{"k", std::string("10.0.0.1\0evil", 13)}}};
  auto r = decode_batch(encode_batch(b));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, b);
}

TEST(Codec, RejectsGarbageWithoutCrashing) {
  EXPECT_FALSE(decode_batch("").ok());
  EXPECT_FALSE(decode_batch("not a flatbuffer at all").ok());
  std::string bytes = encode_batch(EventBatch{"r", {}, ClusterTimeMs(1), {ConfigSet{"k", "v"}}});
  // Every truncation and every single-byte flip must give an error or a valid batch, never a crash.
  for (std::size_t n = 0; n < bytes.size(); ++n) (void)decode_batch(bytes.substr(0, n));
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::string m = bytes;
    m[i] = static_cast<char>(m[i] ^ 0xff);
    (void)decode_batch(m);
  }
  EXPECT_EQ(decode_batch(std::string(kMaxBatchBytes + 1, 'x')).error().code, Errc::kTooLarge);
}

TEST(EventJson, NamesSummaryAndMember) {
  Event e = JoinTokenIssued{"movn2", std::string(32, '\0'), 0};
  EXPECT_EQ(type_name(e), "join_token_issued");
  EXPECT_EQ(member_of(e), "movn2");
  EXPECT_EQ(event_to_json(e)["secret_sha256"], std::string(64, '0'));
  EXPECT_EQ(event_summary(ConfigDeleted{"ovn.central-ips"}), "config ovn.central-ips deleted");
  EXPECT_FALSE(member_of(ConfigSet{"a", "b"}).has_value());
  EXPECT_EQ(actor_string(Actor{"movn1", "root"}), "root@movn1");
  EXPECT_EQ(actor_string(Actor{"movn1", ""}), "movn1");
  EXPECT_TRUE(is_known_type_name("config_set"));
  EXPECT_FALSE(is_known_type_name("config_sett"));
}

TEST(EventJson, CertificateEventsShowNoKeyMaterial) {
  Event ca = CaGenerated{{"-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n", "SEALEDBYTES",
                          std::string(64, 'c'), 2110000000000ULL}};
  EXPECT_EQ(type_name(ca), "ca_generated");
  EXPECT_FALSE(member_of(ca).has_value());
  auto j = event_to_json(ca);
  EXPECT_EQ(j["fingerprint"], std::string(64, 'c'));
  EXPECT_EQ(j["sealed_key_bytes"], 11u);
  EXPECT_EQ(j.dump().find("SEALEDBYTES"), std::string::npos);
  EXPECT_EQ(event_summary(ca), "CA cccccccccccc generated, expires 2036-11-11T07:06:40Z");
  Event issued = CertificateIssued{"movn2", "ovnsb", "pem", "ab", "0123456789abcdef", 0, 0, "c"};
  EXPECT_EQ(member_of(issued), "movn2");
  EXPECT_EQ(type_name(issued), "certificate_issued");
  EXPECT_EQ(event_to_json(issued)["service"], "ovnsb");
  EXPECT_TRUE(is_known_type_name("ca_set"));
  Event enabled = ServiceEnabled{"movn3", "chassis"};
  EXPECT_EQ(member_of(enabled), "movn3");
  EXPECT_EQ(type_name(enabled), "service_enabled");
  EXPECT_EQ(event_summary(enabled), "service chassis enabled on movn3");
  EXPECT_EQ(event_to_json(ServiceDisabled{"movn3", "switch"}).dump(), R"({"member":"movn3","service":"switch"})");
  Event schemas = SchemaVersionReported{"movn3", "7.3.0", "20.33.0"};
  EXPECT_EQ(member_of(schemas), "movn3");
  EXPECT_EQ(type_name(schemas), "schema_version_reported");
  EXPECT_EQ(event_summary(schemas), "movn3 expects schemas NB 7.3.0, SB 20.33.0");
  EXPECT_EQ(event_to_json(schemas).dump(), R"({"member":"movn3","nb":"7.3.0","sb":"20.33.0"})");
  Event ready = CentralReady{"movn3", "0123456789ab", "ba9876543210"};
  EXPECT_EQ(member_of(ready), "movn3");
  EXPECT_EQ(type_name(ready), "central_ready");
  EXPECT_EQ(event_summary(ready), "central ready on movn3: NB cluster 01234567, SB cluster ba987654");
}

std::string read_regression(const std::string& name) {
  std::ifstream f(std::string(MOVN_FUZZ_DIR) + "/regressions/event_batch/" + name, std::ios::binary);
  EXPECT_TRUE(f.good()) << "missing regression input " << name;
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// A union type without its value passes the FlatBuffers verifier; it used to be dereferenced.
TEST(DamagedBatch, UnionWithoutValueIsRefused) {
  auto r = decode_batch(read_regression("null_union.bin"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kCorruption);
  EXPECT_NE(r.error().message.find("has no value"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("event 1"), std::string::npos) << r.error().message;
}

// Text that JSON cannot carry used to reach the projections and wedge the daemon.
TEST(DamagedBatch, TextThatIsNotUtf8IsRefused) {
  auto r = decode_batch(read_regression("bad_utf8_config.bin"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kCorruption);
  EXPECT_NE(r.error().message.find("field value is not valid UTF-8 (byte 8)"), std::string::npos)
      << r.error().message;
}

TEST(DamagedBatch, EveryTextFieldIsChecked) {
  const std::string bad = "ok\xff";
  std::vector<EventBatch> cases(9);
  for (auto& b : cases) b.request_id = "r";
  cases[0].request_id = bad;
  cases[1].actor.member = bad;
  cases[2].actor.os_user = bad;
  cases[3].events = {ClusterBootstrapped{"c", bad}};
  cases[4].events = {MemberJoined{"m", "127.0.0.1:6686", "ff", bad}};
  cases[5].events = {JoinTokenIssued{bad, std::string(32, '\xff'), 1}};
  cases[6].events = {JoinTokenRevoked{bad, RevokeReason::kUsed}};
  cases[7].events = {ConfigSet{bad, "v"}};
  cases[8].events = {ConfigDeleted{bad}};
  for (std::size_t i = 0; i < cases.size(); ++i) {
    auto r = decode_batch(encode_batch(cases[i]));
    EXPECT_FALSE(r.ok()) << "case " << i;
  }
  // Raw bytes fields are not text: a secret hash of 0xff bytes is fine.
  EventBatch fine;
  fine.events = {JoinTokenIssued{"movn2", std::string(32, '\xff'), 1}};
  fine.request_digest = std::string(32, '\xfe');
  EXPECT_TRUE(decode_batch(encode_batch(fine)).ok());
}

TEST(DamagedBatch, EmptyInputAtAnyAddressIsRefused) {
  alignas(8) char buf[16] = {};
  for (int offset = 0; offset < 8; ++offset) {
    auto r = decode_batch(std::string_view(buf + offset, 0));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("empty"), std::string::npos);
  }
}

}  // namespace
}  // namespace movn::eventlog
