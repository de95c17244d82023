#include "common/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace movn {
namespace {

TEST(Utf8, AcceptsAsciiAndMultiByteCharacters) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("10.0.0.1"));
  EXPECT_TRUE(is_valid_utf8("caf\xc3\xa9"));                   // U+00E9
  EXPECT_TRUE(is_valid_utf8("\xe2\x82\xac"));                  // U+20AC
  EXPECT_TRUE(is_valid_utf8("\xf0\x9f\x98\x80"));              // U+1F600
  EXPECT_TRUE(is_valid_utf8("\xf4\x8f\xbf\xbf"));              // U+10FFFF
  EXPECT_TRUE(is_valid_utf8(std::string("a\0b", 3)));          // NUL is a character
}

TEST(Utf8, RefusesWhatJsonWritersRefuse) {
  EXPECT_EQ(find_invalid_utf8("10.0.0.1\xff"), 8u);            // the audit's reproducer
  EXPECT_EQ(find_invalid_utf8("\x80"), 0u);                    // lone continuation byte
  EXPECT_EQ(find_invalid_utf8("ab\xc3"), 2u);                  // truncated sequence
  EXPECT_EQ(find_invalid_utf8("\xc0\xaf"), 0u);                // overlong '/'
  EXPECT_EQ(find_invalid_utf8("\xe0\x80\xaf"), 0u);            // overlong, 3 bytes
  EXPECT_EQ(find_invalid_utf8("\xf0\x80\x80\xaf"), 0u);        // overlong, 4 bytes
  EXPECT_EQ(find_invalid_utf8("\xed\xa0\x80"), 0u);            // surrogate U+D800
  EXPECT_EQ(find_invalid_utf8("\xf4\x90\x80\x80"), 0u);        // above U+10FFFF
  EXPECT_EQ(find_invalid_utf8("\xf5\x80\x80\x80"), 0u);
  EXPECT_EQ(find_invalid_utf8("\xe2\x82\x41"), 0u);            // bad third byte
}

}  // namespace
}  // namespace movn
