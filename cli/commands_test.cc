#include "cli/commands.h"

#include <gtest/gtest.h>

namespace movn::cli {
namespace {

// Expected outputs are written as they print, one output line per source line.
// clang-format off

Json members() {
  return Json::parse(R"([
    {"name":"movn10","address":"10.0.0.10:6686","certificate":"-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n",
     "role":"spare","schema_internal_version":1,"schema_external_version":1,
     "last_heartbeat":"2026-11-23T20:00:00Z","status":"ONLINE","extensions":[],"secret":"","fingerprint":"bb"},
    {"name":"movn2","address":"10.0.0.2:6686","certificate":"C",
     "role":"voter","schema_internal_version":1,"schema_external_version":1,
     "last_heartbeat":"2026-11-23T20:00:01Z","status":"UNREACHABLE","extensions":[],"secret":"","fingerprint":"aa"}
  ])");
}

TEST(RenderClusterList, TableSortsNaturally) {
  auto out = render_cluster_list(members(), OutputFormat::kTable);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(*out,
            "+--------+----------------+-------+-------------+-------------+\n"
            "|  NAME  |    ADDRESS     | ROLE  | FINGERPRINT |   STATUS    |\n"
            "+--------+----------------+-------+-------------+-------------+\n"
            "| movn2  | 10.0.0.2:6686  | voter | aa          | UNREACHABLE |\n"
            "+--------+----------------+-------+-------------+-------------+\n"
            "| movn10 | 10.0.0.10:6686 | spare | bb          | ONLINE      |\n"
            "+--------+----------------+-------+-------------+-------------+\n");
}

TEST(RenderClusterList, CsvHasNoHeader) {
  auto out = render_cluster_list(members(), OutputFormat::kCsv);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out,
            "movn2,10.0.0.2:6686,voter,aa,UNREACHABLE\n"
            "movn10,10.0.0.10:6686,spare,bb,ONLINE\n");
}

TEST(RenderClusterList, CompactHasHeaderAndNoBorders) {
  auto out = render_cluster_list(members(), OutputFormat::kCompact);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out,
            "NAME    ADDRESS         ROLE   FINGERPRINT  STATUS\n"
            "movn2   10.0.0.2:6686   voter  aa           UNREACHABLE\n"
            "movn10  10.0.0.10:6686  spare  bb           ONLINE\n");
}

TEST(RenderClusterList, JsonIsTheApiListWithoutFingerprint) {
  auto out = render_cluster_list(members(), OutputFormat::kJson);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out,
            R"([{"name":"movn10","address":"10.0.0.10:6686","certificate":"-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n",)"
            R"("role":"spare","schema_internal_version":1,"schema_external_version":1,)"
            R"("last_heartbeat":"2026-11-23T20:00:00Z","status":"ONLINE","extensions":[],"secret":""},)"
            R"({"name":"movn2","address":"10.0.0.2:6686","certificate":"C",)"
            R"("role":"voter","schema_internal_version":1,"schema_external_version":1,)"
            R"("last_heartbeat":"2026-11-23T20:00:01Z","status":"UNREACHABLE","extensions":[],"secret":""}])"
            "\n");
}

TEST(RenderClusterList, YamlIsTheApiListWithoutFingerprint) {
  auto out = render_cluster_list(Json::array({members()[1]}), OutputFormat::kYaml);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out,
            "- name: movn2\n"
            "  address: 10.0.0.2:6686\n"
            "  certificate: C\n"
            "  role: voter\n"
            "  schema_internal_version: 1\n"
            "  schema_external_version: 1\n"
            "  last_heartbeat: 2026-11-23T20:00:01Z\n"
            "  status: UNREACHABLE\n"
            "  extensions: []\n"
            "  secret: \"\"\n");
}

TEST(RenderClusterList, MalformedAnswersAreErrors) {
  EXPECT_FALSE(render_cluster_list(Json::object(), OutputFormat::kTable).ok());
  EXPECT_FALSE(render_cluster_list(Json::parse("[1]"), OutputFormat::kTable).ok());
  Json no_fingerprint = members();
  no_fingerprint[1].erase("fingerprint");
  auto r = render_cluster_list(no_fingerprint, OutputFormat::kJson);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "invalid response from microovnd: member 1: field 'fingerprint' is missing or not a "
            "string");
  Json numeric_name = members();
  numeric_name[0]["name"] = 5;
  EXPECT_FALSE(render_cluster_list(numeric_name, OutputFormat::kTable).ok());
}

TEST(RenderTokenList, MarksExpiredAndSorts) {
  Json tokens = Json::parse(R"([
    {"name":"movn10","issued_at":"2026-11-23T20:00:00Z","expires_at":"2026-11-23T23:00:00Z","expired":false},
    {"name":"movn3","issued_at":"2026-11-22T20:00:00Z","expires_at":"2026-11-22T23:00:00Z","expired":true}])");
  auto out = render_token_list(tokens, OutputFormat::kTable);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(*out,
            "+--------+--------------------------------+\n"
            "|  NAME  |           EXPIRES AT           |\n"
            "+--------+--------------------------------+\n"
            "| movn3  | 2026-11-22T23:00:00Z (expired) |\n"
            "+--------+--------------------------------+\n"
            "| movn10 | 2026-11-23T23:00:00Z           |\n"
            "+--------+--------------------------------+\n");
  auto json = render_token_list(tokens, OutputFormat::kJson);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(*json, tokens.dump() + "\n");
  tokens[0]["expired"] = "no";
  EXPECT_FALSE(render_token_list(tokens, OutputFormat::kTable).ok());
  EXPECT_FALSE(render_token_list(Json(nullptr), OutputFormat::kTable).ok());
}

Json events() {
  return Json::parse(R"([
    {"index":3,"term":1,"time":"2026-11-23T20:00:00.123Z","type":"join_token_issued",
     "actor":"root@movn1","request_id":"r1","summary":"token for movn2 issued",
     "event":{"name":"movn2","expires_at":"2026-11-23T23:00:00Z"}},
    {"index":12,"term":2,"time":"2026-11-23T20:01:00.000Z","type":"config_set",
     "actor":"root@movn1","request_id":"r2","summary":"ovn.central-ips set","event":{"key":"k"}}])");
}

TEST(RenderEventList, TableKeepsLogOrder) {
  auto out = render_event_list(events(), OutputFormat::kTable);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(*out,
            "+-------+--------------------------+-------------------+------------+------------------------+\n"
            "| INDEX |           TIME           |       TYPE        |   ACTOR    |        SUMMARY         |\n"
            "+-------+--------------------------+-------------------+------------+------------------------+\n"
            "| 3     | 2026-11-23T20:00:00.123Z | join_token_issued | root@movn1 | token for movn2 issued |\n"
            "+-------+--------------------------+-------------------+------------+------------------------+\n"
            "| 12    | 2026-11-23T20:01:00.000Z | config_set        | root@movn1 | ovn.central-ips set    |\n"
            "+-------+--------------------------+-------------------+------------+------------------------+\n");
}

TEST(RenderEventList, JsonDropsSummaryOnly) {
  auto out = render_event_list(events(), OutputFormat::kJson);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out,
            R"([{"index":3,"term":1,"time":"2026-11-23T20:00:00.123Z","type":"join_token_issued",)"
            R"("actor":"root@movn1","request_id":"r1","event":{"name":"movn2","expires_at":"2026-11-23T23:00:00Z"}},)"
            R"({"index":12,"term":2,"time":"2026-11-23T20:01:00.000Z","type":"config_set",)"
            R"("actor":"root@movn1","request_id":"r2","event":{"key":"k"}}])"
            "\n");
  EXPECT_EQ(*render_event_list(Json::array(), OutputFormat::kJson), "[]\n");
}

TEST(RenderEventList, MalformedAnswersAreErrors) {
  Json bad = events();
  bad[0]["index"] = "3";
  EXPECT_FALSE(render_event_list(bad, OutputFormat::kTable).ok());
  bad = events();
  bad[1]["index"] = -1;
  EXPECT_FALSE(render_event_list(bad, OutputFormat::kTable).ok());
  bad = events();
  bad[1].erase("type");
  EXPECT_FALSE(render_event_list(bad, OutputFormat::kJson).ok());
  EXPECT_FALSE(render_event_list(Json("x"), OutputFormat::kTable).ok());
}

TEST(EventsQuery, EncodesOnlyGivenFilters) {
  EXPECT_EQ(events_query(std::nullopt, "", ""), "");
  EXPECT_EQ(events_query(0, "", ""), "?since=0");
  EXPECT_EQ(events_query(7, "member_joined", "movn 2&x"),
            "?since=7&type=member_joined&member=movn%202%26x");
  EXPECT_EQ(events_query(std::nullopt, "", "movn1"), "?member=movn1");
}

TEST(RenderConfigGet, PrintsValueOnlyWhenSet) {
  EXPECT_EQ(*render_config_get(Json::parse(R"({"value":"10.0.0.1","isSet":true,"error":""})"), "k"),
            "10.0.0.1\n");
  EXPECT_EQ(*render_config_get(Json::parse(R"({"value":"","isSet":false,"error":""})"), "k"), "");
  auto err = render_config_get(Json::parse(R"({"value":"","isSet":false,"error":"bad key"})"),
                               "ovn.x");
  ASSERT_FALSE(err.ok());
  EXPECT_EQ(err.error().message, "failed to get config option 'ovn.x': bad key");
  EXPECT_FALSE(render_config_get(Json::parse(R"({"value":"v"})"), "k").ok());
  EXPECT_FALSE(render_config_get(Json::parse(R"({"value":1,"isSet":true})"), "k").ok());
  EXPECT_FALSE(render_config_get(Json::parse(R"({"value":"v","isSet":true,"error":5})"), "k").ok());
  EXPECT_FALSE(render_config_get(Json::array(), "k").ok());
}

TEST(RenderConfigList, HeaderThenOneKeyPerLine) {
  EXPECT_EQ(*render_config_list(Json::parse(R"(["ovn.central-ips","b"])")),
            "Available options:\novn.central-ips\nb\n");
  EXPECT_FALSE(render_config_list(Json::parse("[1]")).ok());
  EXPECT_FALSE(render_config_list(Json::object()).ok());
}

// clang-format on

Json certificates() {
  return Json::parse(R"({
    "ca":{"cert":"/d/pki/cacert.pem","cert_present":true,"auto_renew":true,"expiration_date":"2036-11-29 20:03:32 +0000 UTC"},
    "ovnnb":{"cert":"/d/pki/ovnnb-cert.pem","cert_present":true,"key":"/d/pki/ovnnb-privkey.pem","key_present":true,
             "expiration_date":"2028-12-01 20:03:32 +0000 UTC"},
    "ovnsb":null,
    "ovn-northd":{"cert":"/d/pki/ovn-northd-cert.pem","cert_present":false,"key":"/d/pki/ovn-northd-privkey.pem",
                  "key_present":true,"expiration_date":""},
    "ovn-controller":null,
    "client":{"cert":"/d/pki/client-cert.pem","cert_present":true,"key":"/d/pki/client-privkey.pem","key_present":true,
              "expiration_date":"2028-12-01 20:03:33 +0000 UTC"}
  })");
}

TEST(RenderCertificateList, TextHasUpstreamsSectionsAndLines) {
  auto out = render_certificate_list(certificates(), false);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(*out,
    "[OVN CA]\n"
    "/d/pki/cacert.pem (OK: Present)\n"
    "expiration date: 2036-11-29 20:03:32 +0000 UTC\n"
    "Auto-renew: true\n"
    "\n"
    "[OVN Northbound Database]\n"
    "/d/pki/ovnnb-cert.pem (OK: Present)\n"
    "expiration date: 2028-12-01 20:03:32 +0000 UTC\n"
    "/d/pki/ovnnb-privkey.pem (OK: Present)\n"
    "\n"
    "[OVN Southbound Database]\n"
    "Not present.\n"
    "\n"
    "[OVN Northd Service]\n"
    "/d/pki/ovn-northd-cert.pem (Error: Missing file)\n"
    "expiration date: \n"
    "/d/pki/ovn-northd-privkey.pem (OK: Present)\n"
    "\n"
    "[OVN Chassis Service]\n"
    "Not present.\n"
    "\n"
    "[Client]\n"
    "/d/pki/client-cert.pem (OK: Present)\n"
    "expiration date: 2028-12-01 20:03:33 +0000 UTC\n"
    "/d/pki/client-privkey.pem (OK: Present)\n");
}

TEST(RenderCertificateList, JsonHasExactlyUpstreamsKeysAndNoTrailingNewline) {
  auto out = render_certificate_list(certificates(), true);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(*out,
    R"({"ca":{"cert":"/d/pki/cacert.pem","auto_renew":true,"expiration_date":"2036-11-29 20:03:32 +0000 UTC"},)"
    R"("ovnnb":{"cert":"/d/pki/ovnnb-cert.pem","key":"/d/pki/ovnnb-privkey.pem","expiration_date":"2028-12-01 20:03:32 +0000 UTC"},)"
    R"("ovnsb":null,)"
    R"("ovn-northd":{"cert":"/d/pki/ovn-northd-cert.pem","key":"/d/pki/ovn-northd-privkey.pem","expiration_date":""},)"
    R"("ovn-controller":null,)"
    R"("client":{"cert":"/d/pki/client-cert.pem","key":"/d/pki/client-privkey.pem","expiration_date":"2028-12-01 20:03:33 +0000 UTC"}})");
}

TEST(RenderCertificateList, AWrongShapeIsAnErrorNotACrash) {
  for (const char* bad : {R"([])", R"({})", R"({"ca":{"cert":1}})", R"({"ca":{"cert":"a","cert_present":true,"auto_renew":true,"expiration_date":""}})",
                          R"({"ca":{"cert":"a","cert_present":true,"auto_renew":true,"expiration_date":""},"ovnnb":5})"}) {
    auto out = render_certificate_list(Json::parse(bad), false);
    ASSERT_FALSE(out.ok()) << bad;
    EXPECT_NE(out.error().message.find("invalid response"), std::string::npos) << out.error().message;
  }
}

TEST(RenderReissue, UpstreamsLinesWithNoneAndTheFailedSection) {
  auto out = render_reissue(Json::parse(R"({"success":["ovnnb"],"failed":null})"));
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(*out,
    "Local certificates reissued successfully:\n"
    "ovnnb\n");
  out = render_reissue(Json::parse(R"({"success":null,"failed":["client","ovnsb"]})"));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out,
    "Local certificates reissued successfully:\n"
    "None\n"
    "\n"
    "Local certificates reissue failed:\n"
    "client\n"
    "ovnsb\n");
  EXPECT_FALSE(render_reissue(Json::parse(R"({"success":"ovnnb"})")).ok());
  EXPECT_FALSE(render_reissue(Json::parse(R"({"success":[1]})")).ok());
  EXPECT_FALSE(render_reissue(Json::parse(R"([])")).ok());
}

TEST(RenderCaReport, HostsInOrderThenErrorsAndTheClosingAdvice) {
  auto out = render_ca_report(Json::parse(R"({"newCa":true,"reissuedCertificates":{
      "m2":{"success":["client"],"failed":["ovnnb"]},"m1":{"success":["client","ovnnb"],"failed":null}},
      "error":["failed to contact cluster member with address \"127.0.0.1:6686\": it is not reachable from the cluster"]})"));
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(*out,
    "New CA certificate: Issued\n"
    "\n"
    "Service certificate re-issued for following services:\n"
    "[Host m1]\n"
    "client: Success\n"
    "ovnnb: Success\n"
    "\n"
    "[Host m2]\n"
    "client: Success\n"
    "ovnnb: Failed!\n"
    "\n"
    "[Errors]\n"
    "failed to contact cluster member with address \"127.0.0.1:6686\": it is not reachable from the cluster\n"
    "\n"
    " Some of the service certificates failed to be re-issued. You can inspect logs and attempt to re-issue "
    "these certificates using microovn CLI on affected cluster members.\n");
  out = render_ca_report(Json::parse(R"({"newCa":false,"reissuedCertificates":{},"error":[]})"));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out,
    "New CA certificate: Not Issued\n"
    "\n"
    "Service certificate re-issued for following services:\n");
  EXPECT_FALSE(render_ca_report(Json::parse(R"({"reissuedCertificates":{}})")).ok());
  EXPECT_FALSE(render_ca_report(Json::parse(R"({"newCa":true,"reissuedCertificates":{"m1":3}})")).ok());
  EXPECT_FALSE(render_ca_report(Json::parse(R"({"newCa":true,"error":"x"})")).ok());
}

TEST(SplitCombinedPem, KeepsCertificatesInOrderAndTheFirstKey) {
  const std::string c1 = "-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----";
  const std::string c2 = "-----BEGIN CERTIFICATE-----\nBBB\n-----END CERTIFICATE-----";
  const std::string k1 = "-----BEGIN EC PRIVATE KEY-----\nK1\n-----END EC PRIVATE KEY-----";
  const std::string k2 = "-----BEGIN PRIVATE KEY-----\nK2\n-----END PRIVATE KEY-----";
  const std::string other = "-----BEGIN X509 CRL-----\nC\n-----END X509 CRL-----";
  auto out = split_combined_pem("junk\n" + k1 + "\n" + c1 + "\n" + other + "\n" + k2 + "\n" + c2 + "\ntrailer");
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->certificates, c1 + "\n" + c2 + "\n");
  EXPECT_EQ(out->private_key, k1 + "\n");
  EXPECT_EQ(split_combined_pem(c1).error().message, "no private key found");
  EXPECT_EQ(split_combined_pem(k2).error().message, "no certificates found");
  EXPECT_EQ(split_combined_pem("").error().message, "no certificates found");
  // A block that never ends, or a label that spans lines, is not a block.
  EXPECT_FALSE(split_combined_pem("-----BEGIN CERTIFICATE-----\nAAA\n" + k1).ok());
  EXPECT_FALSE(split_combined_pem("-----BEGIN CERT\nIFICATE-----\n" + k1).ok());
  auto rsa = split_combined_pem(c1 + "\n-----BEGIN RSA PRIVATE KEY-----\nR\n-----END RSA PRIVATE KEY-----\n");
  ASSERT_TRUE(rsa.ok());
  EXPECT_EQ(rsa->private_key, "-----BEGIN RSA PRIVATE KEY-----\nR\n-----END RSA PRIVATE KEY-----\n");
}

TEST(RenderStatus, UpstreamsSummaryWhenEverythingAgrees) {
  auto out = render_status(Json::parse(R"({"members":[
      {"name":"h1","address":"192.0.2.11:6686","services":["switch","central","chassis"]},
      {"name":"h2","address":"[fd00::2]:6686","services":["chassis"]}],
    "databases":[
      {"name":"OVN Northbound","active":"7.0.0","active_error":"","expected":[{"member":"h1","version":"7.0.0","error":""}]},
      {"name":"OVN Southbound","active":"20.27.0","active_error":"","expected":[{"member":"h1","version":"20.27.0","error":""}]}],
    "certificates":[]})"));
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(*out,
    "MicroOVN deployment summary:\n"
    "- h1 (192.0.2.11)\n"
    "  Services: central, chassis, switch\n"
    "- h2 (fd00::2)\n"
    "  Services: chassis\n"
    "OVN Database summary:\n"
    "OVN Northbound: OK (7.0.0)\n"
    "OVN Southbound: OK (20.27.0)\n");
}

TEST(RenderStatus, AttentionWhenVersionsDifferOrCannotBeReadAndCertificateProblems) {
  auto out = render_status(Json::parse(R"({"members":[],
    "databases":[
      {"name":"OVN Southbound","active":"20.21.0","active_error":"","expected":[
        {"member":"h1","version":"20.33.0","error":""},{"member":"h2","version":"","error":"Failed to contact member"}]},
      {"name":"OVN Northbound","active":"","active_error":"connection refused","expected":[{"member":"h1","version":"7.0.0","error":""}]}],
    "certificates":[{"name":"OVN CA","problem":"expired"},{"name":"Client","problem":"not yet valid"}]})"));
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(*out,
    "MicroOVN deployment summary:\n"
    "OVN Database summary:\n"
    "OVN Southbound: Upgrade or attention required!\n"
    "Currently active schema: 20.21.0\n"
    "Cluster report (expected schema versions):\n"
    "\th1: 20.33.0\n"
    "\th2: Error. Failed to contact member\n"
    "\n"
    "OVN Northbound: Upgrade or attention required!\n"
    "Currently active schema: unknown (connection refused)\n"
    "Cluster report (expected schema versions):\n"
    "\th1: 7.0.0\n"
    "\n"
    "OVN CA certificate has expired\n"
    "Client certificate is not valid yet\n");
  EXPECT_FALSE(render_status(Json::parse(R"({"members":[{"name":"h1"}],"databases":[],"certificates":[]})")).ok());
  EXPECT_FALSE(render_status(Json::parse(R"({"members":[],"databases":[{"name":1}],"certificates":[]})")).ok());
  EXPECT_FALSE(render_status(Json::parse(R"([])")).ok());
}

TEST(RenderServiceChange, UpstreamsLineAndItsWarningsOnStderr) {
  testing::internal::CaptureStderr();
  auto out = render_service_change(Json::parse(R"({"message":"central enabled","warnings":{"EvenCentral":true,"FewCentral":true}})"),
                                   "central", true, false);
  std::string err = testing::internal::GetCapturedStderr();
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(*out, "Service central enabled\n");
  EXPECT_EQ(err,
            "[central] Warning: OVN Cluster has even number of members\n"
            "[central] Warning: OVN Cluster has critically few members\n");
  testing::internal::CaptureStderr();
  out = render_service_change(Json::parse(R"({"message":"switch disabled","warnings":{"EvenCentral":false,"FewCentral":true},
                                             "pending":"ovs-vswitchd did not stop"})"),
                              "switch", false, true);
  err = testing::internal::GetCapturedStderr();
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "Service switch disabled\n");
  EXPECT_NE(err.find("[central] Warning: Cluster with less than 3 nodes can't tolerate any node failures.\n"),
            std::string::npos);
  EXPECT_NE(err.find("has not followed it yet: ovs-vswitchd did not stop"), std::string::npos);
  EXPECT_FALSE(render_service_change(Json::parse(R"({"message":"x"})"), "switch", true, false).ok());
  EXPECT_FALSE(render_service_change(Json::parse(R"({"warnings":{"EvenCentral":1,"FewCentral":false}})"), "switch", true, false).ok());
}

}  // namespace
}  // namespace movn::cli
