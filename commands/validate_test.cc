#include "commands/validate.h"

#include <gtest/gtest.h>

namespace movn::commands {
namespace {

TEST(Validate, MemberNames) {
  for (std::string ok : {std::string("movn1"), std::string("a"), std::string("node-2"),
                         std::string("a1"), std::string(63, 'x')})
    EXPECT_TRUE(validate_member_name(ok).ok()) << ok;
  for (std::string bad : {std::string(), std::string(64, 'x'), std::string("-a"), std::string("a-"),
                          std::string("a_b"), std::string("a.b"), std::string("a b"), std::string("Movn1"),
                          std::string("a\0b", 3)})
    EXPECT_FALSE(validate_member_name(bad).ok()) << bad;
}

TEST(Validate, NormalizeAddress) {
  EXPECT_EQ(*normalize_address("10.0.0.1"), "10.0.0.1:6686");
  EXPECT_EQ(*normalize_address("10.0.0.1:7000"), "10.0.0.1:7000");
  EXPECT_EQ(*normalize_address("fd00::1"), "[fd00::1]:6686");
  EXPECT_EQ(*normalize_address("[fd00::1]:7000"), "[fd00::1]:7000");
  EXPECT_EQ(*normalize_address("[fd00::1]"), "[fd00::1]:6686");
  for (const char* bad : {"", "10.0.0.1:", "10.0.0.1:0", "10.0.0.1:65536", "10.0.0.1:x", "[fd00::1",
                          "[10.0.0.1]:1", "example.com", "[fd00::1]x", "1.2.3:5"})
    EXPECT_FALSE(normalize_address(bad).ok()) << bad;
}

TEST(Validate, ConfigKeys) {
  ASSERT_EQ(allowed_config_keys().size(), 1u);
  EXPECT_TRUE(validate_config("ovn.central-ips", "10.0.0.1,10.0.0.2,::1").ok());
  EXPECT_FALSE(validate_config_key("ovn.central-ip").ok());
  EXPECT_FALSE(validate_config("ovn.central-ips", std::string("10.1.1.1\0evil", 13)).ok());
  EXPECT_FALSE(normalize_address(std::string("10.0.0.1\0:99", 12)).ok());
}

}  // namespace
}  // namespace movn::commands
