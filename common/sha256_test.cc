#include "common/sha256.h"

#include <gtest/gtest.h>

namespace movn {
namespace {

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256 h;
  h.update("a").update("bc");
  EXPECT_EQ(to_hex(h.finish()), sha256_hex("abc"));
  h.update("abc");  // reusable after finish
  EXPECT_EQ(to_hex(h.finish()), sha256_hex("abc"));
}

TEST(Sha256, FieldsAreLengthPrefixed) {
  Sha256 a, b;
  a.update_field("ab").update_field("c");
  b.update_field("a").update_field("bc");
  EXPECT_NE(a.finish(), b.finish());
}

TEST(Hmac, Rfc4231Case2) {
  EXPECT_EQ(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Hmac, Rfc4231Case6KeyLongerThanABlock) {
  EXPECT_EQ(to_hex(hmac_sha256(std::string(131, '\xaa'),
                               "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(Hmac, EmptyKeyAndMessage) {
  EXPECT_EQ(to_hex(hmac_sha256("", "")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

}  // namespace
}  // namespace movn
