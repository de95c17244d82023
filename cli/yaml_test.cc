#include "cli/yaml.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace movn::cli {
namespace {

using Json = nlohmann::ordered_json;

TEST(RenderYaml, ClusterMemberListLikeYamlV2) {
  Json members = Json::parse(R"([{
    "name":"movn1","address":"10.0.0.1:6686",
    "certificate":"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    "role":"voter","schema_internal_version":1,"schema_external_version":1,
    "last_heartbeat":"2026-11-23T20:00:00Z","status":"NOT TRUSTED","extensions":[],"secret":""},
    {"name":"movn2","address":"10.0.0.2:6686","certificate":"","role":"stand-by",
    "schema_internal_version":1,"schema_external_version":2,"last_heartbeat":"0001-01-01T00:00:00Z",
    "status":"ONLINE","extensions":["a"],"secret":""}])");
  const std::string expected =
      "- name: movn1\n"
      "  address: 10.0.0.1:6686\n"
      "  certificate: |\n"
      "    -----BEGIN CERTIFICATE-----\n"
      "    MIIB\n"
      "    -----END CERTIFICATE-----\n"
      "  role: voter\n"
      "  schema_internal_version: 1\n"
      "  schema_external_version: 1\n"
      "  last_heartbeat: 2026-11-23T20:00:00Z\n"
      "  status: NOT TRUSTED\n"
      "  extensions: []\n"
      "  secret: \"\"\n"
      "- name: movn2\n"
      "  address: 10.0.0.2:6686\n"
      "  certificate: \"\"\n"
      "  role: stand-by\n"
      "  schema_internal_version: 1\n"
      "  schema_external_version: 2\n"
      "  last_heartbeat: 0001-01-01T00:00:00Z\n"
      "  status: ONLINE\n"
      "  extensions:\n"
      "  - a\n"
      "  secret: \"\"\n";
  EXPECT_EQ(render_yaml(members), expected);
}

TEST(RenderYaml, NestedMapsSequencesAndChomping) {
  Json value = Json::parse(R"({"a":{"b":[1,"two",{"c":null,"d":[true,2.5]}],"e":"true"},
    "f":"multi\nline","g":"keep\n\n","h":"- x","i":{}})");
  const std::string expected =
      "a:\n"
      "  b:\n"
      "  - 1\n"
      "  - two\n"
      "  - c: null\n"
      "    d:\n"
      "    - true\n"
      "    - 2.5\n"
      "  e: \"true\"\n"
      "f: |-\n"
      "  multi\n"
      "  line\n"
      "g: |+\n"
      "  keep\n"
      "\n"
      "h: \"- x\"\n"
      "i: {}\n";
  EXPECT_EQ(render_yaml(value), expected);
}

TEST(RenderYaml, SequenceOfSequencesAndTopLevelScalars) {
  EXPECT_EQ(render_yaml(Json::parse("[[1,2],[]]")), "- - 1\n  - 2\n- []\n");
  EXPECT_EQ(render_yaml(Json::array()), "[]\n");
  EXPECT_EQ(render_yaml(Json::object()), "{}\n");
  EXPECT_EQ(render_yaml(Json("abc")), "abc\n");
  EXPECT_EQ(render_yaml(Json(nullptr)), "null\n");
  EXPECT_EQ(render_yaml(Json("a\nb\n")), "|\n  a\n  b\n");
}

TEST(RenderYaml, BlankLinesInsideBlockAreNotIndented) {
  EXPECT_EQ(render_yaml(Json::parse(R"({"k":"a\n\nb\n"})")), "k: |\n  a\n\n  b\n");
}

TEST(RenderYaml, UnsafeMultiLineStringsAreDoubleQuoted) {
  EXPECT_EQ(render_yaml(Json::parse(R"({"k":" lead\nx"})")), "k: \" lead\\nx\"\n");
  EXPECT_EQ(render_yaml(Json::parse(R"({"k":"a\r\nb"})")), "k: \"a\\r\\nb\"\n");
}

TEST(YamlInlineString, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(yaml_inline_string("plain text"), "plain text");
  EXPECT_EQ(yaml_inline_string("10.0.0.1:6686"), "10.0.0.1:6686");
  EXPECT_EQ(yaml_inline_string("stand-by"), "stand-by");
  EXPECT_EQ(yaml_inline_string("root@movn1"), "root@movn1");
  EXPECT_EQ(yaml_inline_string("é"), "é");
  EXPECT_EQ(yaml_inline_string(""), "\"\"");
  for (const char* word : {"yes", "No", "true", "FALSE", "on", "off", "null", "~", "y", "<<"}) {
    EXPECT_EQ(yaml_inline_string(word), "\"" + std::string(word) + "\"") << word;
  }
  for (const char* number : {"123", "-4", "+5", "1.5", ".5", "1e3", "1.5e-3", "0x1F", "0o17",
                             "0b101", "1_000", "1:20", "190:20:30.15", ".inf", "-.Inf", ".nan"}) {
    EXPECT_EQ(yaml_inline_string(number), "\"" + std::string(number) + "\"") << number;
  }
  for (const char* special :
       {"a: b", "a #b", "x:", "#x", "&a",  "*a", "!t",  "|",   ">",  "%x", "@x",  "`x",
        "'x",   "[x",   "{x", ",x", "- x", "-",  "? x", ": x", " x", "x ", "---", "..."}) {
    EXPECT_NE(yaml_inline_string(special), special) << special;
    EXPECT_EQ(yaml_inline_string(special).front(), '"') << special;
  }
  EXPECT_EQ(yaml_inline_string("say \"hi\"\\"), "say \"hi\"\\");
  EXPECT_EQ(yaml_inline_string("\"q\""), "\"\\\"q\\\"\"");
  EXPECT_EQ(yaml_inline_string("tab\there"), "\"tab\\there\"");
  EXPECT_EQ(yaml_inline_string(std::string("nul\0x", 5)), "\"nul\\0x\"");
  EXPECT_EQ(yaml_inline_string("bell\x07"), "\"bell\\x07\"");
  EXPECT_EQ(yaml_inline_string("ls\xE2\x80\xA8"), "\"ls\\L\"");
  EXPECT_EQ(yaml_inline_string("-x"), "-x");
  EXPECT_EQ(yaml_inline_string("2026-11-23T20:00:00Z"), "2026-11-23T20:00:00Z");
  EXPECT_EQ(yaml_inline_string("1.2.3"), "1.2.3");
}

TEST(Yaml, DeepCollectionsTurnToFlowStyleAtTheBound) {
  Json v = Json::array({1});
  for (std::size_t i = 0; i < kMaxYamlDepth + 10; ++i) v = Json::array({v});
  std::string out = render_yaml(v);
  // Block style down to the bound, then the rest in flow style on one line; nothing is dropped.
  EXPECT_NE(out.find("[[[[[[[[[[1]]]]]]]]]]"), std::string::npos) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1);
  EXPECT_EQ(std::count(out.begin(), out.end(), '-'), static_cast<long>(kMaxYamlDepth));
  Json m = Json::object({{"k", 1}});
  for (std::size_t i = 0; i < kMaxYamlDepth + 1; ++i) m = Json::object({{"k", m}});
  std::string mo = render_yaml(m);
  EXPECT_NE(mo.find(R"({"k":{"k":1}})"), std::string::npos) << mo;
}

}  // namespace
}  // namespace movn::cli
