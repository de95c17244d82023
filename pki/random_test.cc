#include "pki/random.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace movn::pki {
namespace {

TEST(RandomBytes, ReturnsExactlyTheRequestedLength) {
  for (std::size_t n : {0u, 1u, 16u, 32u, 1000u}) {
    auto r = random_bytes(n);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->size(), n);
  }
}

TEST(RandomBytes, TwoCallsDiffer) {
  auto a = random_bytes(32);
  auto b = random_bytes(32);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_NE(*a, std::string(32, '\0'));
}

TEST(RandomBytes, RefusesSizesOverIntMaxWithoutAllocating) {
  auto r = random_bytes(std::numeric_limits<std::size_t>::max());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kTooLarge);
}

TEST(RandomHex, IsLowercaseHexOfTwiceTheLengthAndDiffers) {
  std::string a = random_hex(16);
  std::string b = random_hex(16);
  ASSERT_EQ(a.size(), 32u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos) << a;
  EXPECT_NE(a, b);
  EXPECT_EQ(random_hex(0), "");
}

}  // namespace
}  // namespace movn::pki
