#include "common/cbor_check.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace movn {
namespace {

std::string cbor(const nlohmann::json& j) {
  auto v = nlohmann::json::to_cbor(j);
  return std::string(v.begin(), v.end());
}

TEST(CborCheck, AcceptsWhatToCborWrites) {
  nlohmann::json j = {{"applied_index", 12345678901ull},
                      {"neg", -5},
                      {"f", 1.5},
                      {"flags", {true, false, nullptr}},
                      {"text", "caf\xc3\xa9"},
                      {"bin", nlohmann::json::binary({1, 2, 3})},
                      {"nested", {{"a", {1, {2, {3}}}}}},
                      {"empty", nlohmann::json::array()}};
  EXPECT_TRUE(check_cbor(cbor(j), 8).ok());
  EXPECT_TRUE(check_cbor(cbor(42), 0).ok());
}

TEST(CborCheck, BoundsNestingWithoutRecursion) {
  // The audit's reproducer: a million nested one-element arrays.
  std::string deep(1'000'000, '\x81');
  deep.push_back('\0');
  auto r = check_cbor(deep, 16);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("nested deeper than 16"), std::string::npos) << r.error().message;
  std::string ok(16, '\x81');
  ok.push_back('\0');
  EXPECT_TRUE(check_cbor(ok, 16).ok());
  ok.insert(0, "\x81");
  EXPECT_FALSE(check_cbor(ok, 16).ok());
}

TEST(CborCheck, RefusesTextThatIsNotUtf8) {
  auto r = check_cbor(std::string("\x62\x41\xff", 3), 4);  // text(2) "A\xff"
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("UTF-8"), std::string::npos);
  EXPECT_TRUE(check_cbor(std::string("\x42\x41\xff", 3), 4).ok());  // the same bytes as bytes
}

TEST(CborCheck, RefusesTruncatedTrailingAndUnusedForms) {
  std::string good = cbor({{"k", "value"}, {"n", 1000000}});
  for (std::size_t cut = 0; cut < good.size(); ++cut)
    EXPECT_FALSE(check_cbor(good.substr(0, cut), 8).ok()) << "cut at " << cut;
  EXPECT_FALSE(check_cbor(good + std::string(1, '\0'), 8).ok());
  EXPECT_FALSE(check_cbor("\x9f\xff", 8).ok());             // indefinite array
  EXPECT_FALSE(check_cbor(std::string("\xc1\x00", 2), 8).ok());  // tag
  EXPECT_FALSE(check_cbor("\x1c", 8).ok());                 // reserved
  EXPECT_FALSE(check_cbor("\x9b\xff\xff\xff\xff\xff\xff\xff\xff", 8).ok());  // huge count
  EXPECT_FALSE(check_cbor("\x5b\xff\xff\xff\xff\xff\xff\xff\xff", 8).ok());  // huge length
}

}  // namespace
}  // namespace movn
