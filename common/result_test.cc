#include "common/result.h"

#include <gtest/gtest.h>

namespace movn {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return make_error(Errc::kInvalidArgument, "not positive");
  return v;
}

TEST(Result, ValueAndError) {
  auto a = parse_positive(3);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, 3);
  auto b = parse_positive(-1);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, Errc::kInvalidArgument);
  EXPECT_EQ(b.value_or(7), 7);
}

TEST(Result, AndThenAndTransformChain) {
  auto r = parse_positive(2).and_then([](int v) { return parse_positive(v - 5); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "not positive");
  auto t = parse_positive(2).transform([](int v) { return std::to_string(v * 10); });
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, "20");
  int seen = 0;
  Result<void> v = parse_positive(4).transform([&](int x) { seen = x; });
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(seen, 4);
  Result<void> failed = make_error(Errc::kIo, "disk");
  auto chained = failed.and_then([] { return Result<void>(); });
  EXPECT_FALSE(chained.ok());
}

TEST(Result, WrapAddsOneClausePerLayer) {
  Error e = make_error(Errc::kTimeout, "token expired");
  EXPECT_EQ(e.wrap("failed to join").message, "failed to join: token expired");
  auto r = parse_positive(0).wrap_error("failed to parse");
  EXPECT_EQ(r.error().message, "failed to parse: not positive");
}

Result<int> uses_macros(int v) {
  MOVN_ASSIGN_OR_RETURN(int x, parse_positive(v));
  MOVN_TRY(Result<void>());
  return x + 1;
}

TEST(Result, Macros) {
  EXPECT_EQ(*uses_macros(1), 2);
  EXPECT_FALSE(uses_macros(0).ok());
}

}  // namespace
}  // namespace movn
