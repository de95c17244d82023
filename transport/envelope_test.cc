#include "transport/envelope.h"

#include <gtest/gtest.h>

namespace movn::transport {
namespace {

// The envelope is written as text around the metadata; it must be the JSON object a client
// parses, with its fields in LXD's order, for any metadata (bad UTF-8 replaced, not refused).
TEST(Envelope, SyncIsTheJsonObjectWithItsFieldsInOrder) {
  const nlohmann::ordered_json cases[] = {
      nullptr,
      nlohmann::ordered_json::object(),
      nlohmann::ordered_json::array({1, "two", nullptr}),
      nlohmann::ordered_json{{"index", 42}, {"duplicate", false}, {"text", "a \"quoted\"\nline"}},
      std::string("not utf-8: \xff\xfe"),
  };
  for (const auto& metadata : cases) {
    const std::string text = sync_envelope(metadata);
    nlohmann::ordered_json want;
    want["type"] = "sync";
    want["status"] = "Success";
    want["status_code"] = 200;
    want["operation"] = "";
    want["error_code"] = 0;
    want["error"] = "";
    want["metadata"] = metadata;
    EXPECT_EQ(text, want.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    auto parsed = nlohmann::ordered_json::parse(text);
    EXPECT_EQ(parsed["status_code"], 200);
    EXPECT_EQ(parsed.size(), 7u);
  }
}

TEST(Envelope, ErrorCarriesTheStatusAndMessage) {
  auto parsed = nlohmann::json::parse(error_envelope(409, "a concurrent change won"));
  EXPECT_EQ(parsed["type"], "error");
  EXPECT_EQ(parsed["error_code"], 409);
  EXPECT_EQ(parsed["error"], "a concurrent change won");
  EXPECT_TRUE(parsed["metadata"].is_null());
}

}  // namespace
}  // namespace movn::transport
