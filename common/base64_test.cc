#include "common/base64.h"

#include <gtest/gtest.h>

#include <random>

namespace movn {
namespace {

TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> v[] = {{"", ""},         {"f", "Zg=="},
                                                   {"fo", "Zm8="},   {"foo", "Zm9v"},
                                                   {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
                                                   {"foobar", "Zm9vYmFy"}};
  for (auto [plain, enc] : v) {
    EXPECT_EQ(base64_encode(plain), enc);
    EXPECT_EQ(base64_decode(enc), std::string(plain));
  }
}

TEST(Base64, RejectsMalformed) {
  for (const char* bad : {"Zg=", "Zg", "Z===", "Zh==", "Zm9v!", "=Zm9", "Zg==Zg==", "Zm 9v"})
    EXPECT_FALSE(base64_decode(bad).has_value()) << bad;
}

TEST(Base64, RejectsWhatLenientDecodersSkip) {
  for (const char* bad : {" Zm9", "Zm9 ", "\tZm9", "Zm9v\n\n\n\n", "Zm=v", "Zm9v====", "===="})
    EXPECT_FALSE(base64_decode(bad).has_value()) << bad;
}

TEST(Base64, RandomRoundTripsAndGarbage) {
  std::mt19937 rng(7);
  for (int round = 0; round < 2000; ++round) {
    std::string bytes(rng() % 40, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    EXPECT_EQ(base64_decode(base64_encode(bytes)), bytes);
    std::string text(4 * (rng() % 5), '\0');
    for (char& c : text) c = "AZaz09+/=! \n\0"[rng() % 14];
    if (auto decoded = base64_decode(text)) {
      EXPECT_EQ(base64_encode(*decoded), text);
    }
  }
}

}  // namespace
}  // namespace movn
