#include "cli/format.h"

#include <gtest/gtest.h>

namespace movn::cli {
namespace {

Table sample_table() {
  return Table{{"NAME", "ADDRESS", "ROLE", "FINGERPRINT", "STATUS"},
               {{"movn1", "10.0.0.1:6686", "voter", "0e35...", "ONLINE"}}};
}

TEST(RenderTable, MatchesTablewriterLayout) {
  const std::string expected =
      "+-------+---------------+-------+-------------+--------+\n"
      "| NAME  |    ADDRESS    | ROLE  | FINGERPRINT | STATUS |\n"
      "+-------+---------------+-------+-------------+--------+\n"
      "| movn1 | 10.0.0.1:6686 | voter | 0e35...     | ONLINE |\n"
      "+-------+---------------+-------+-------------+--------+\n";
  EXPECT_EQ(render_table(sample_table()), expected);
}

TEST(RenderTable, LineBetweenEveryRowAndWidestCellWins) {
  Table table{{"A", "BB"}, {{"x", "1"}, {"long-cell", "22"}}};
  const std::string expected =
      "+-----------+----+\n"
      "|     A     | BB |\n"
      "+-----------+----+\n"
      "| x         | 1  |\n"
      "+-----------+----+\n"
      "| long-cell | 22 |\n"
      "+-----------+----+\n";
  EXPECT_EQ(render_table(table), expected);
}

TEST(RenderTable, CentersWithExtraSpaceOnTheRight) {
  Table table{{"AB"}, {{"12345"}}};
  // gap 3: one space left, two right (plus the padding space on each side).
  EXPECT_EQ(render_table(table),
            "+-------+\n"
            "|  AB   |\n"
            "+-------+\n"
            "| 12345 |\n"
            "+-------+\n");
}

TEST(RenderTable, MultiLineCellsAndUtf8Width) {
  Table table{{"K", "V"}, {{"é", "a\nbbb"}}};
  EXPECT_EQ(render_table(table),
            "+---+-----+\n"
            "| K |  V  |\n"
            "+---+-----+\n"
            "| é | a   |\n"
            "|   | bbb |\n"
            "+---+-----+\n");
}

TEST(RenderTable, NoRowsStillHasHeaderAndBorders) {
  Table table{{"NAME", "EXPIRES AT"}, {}};
  EXPECT_EQ(render_table(table),
            "+------+------------+\n"
            "| NAME | EXPIRES AT |\n"
            "+------+------------+\n");
}

TEST(RenderCompact, LeftAlignedTwoSpacesNoTrailingSpace) {
  Table table = sample_table();
  table.rows.push_back({"movn10", "10.0.0.10:6686", "stand-by", "ab", "NOT TRUSTED"});
  const std::string expected =
      "NAME    ADDRESS         ROLE      FINGERPRINT  STATUS\n"
      "movn1   10.0.0.1:6686   voter     0e35...      ONLINE\n"
      "movn10  10.0.0.10:6686  stand-by  ab           NOT TRUSTED\n";
  EXPECT_EQ(render_compact(table), expected);
}

TEST(RenderCompact, EmptyTrailingCellLeavesNoSpaces) {
  Table table{{"A", "B"}, {{"x", ""}}};
  EXPECT_EQ(render_compact(table), "A  B\nx\n");
}

TEST(RenderCsv, DataRowsOnlyWithRfc4180Quoting) {
  std::vector<Row> rows = {
      {"movn1", "10.0.0.1:6686", "voter"},
      {"a,b", "say \"hi\"", "two\nlines"},
      {" lead", "", "plain"},
  };
  EXPECT_EQ(render_csv(rows),
            "movn1,10.0.0.1:6686,voter\n"
            "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\n"
            "\" lead\",,plain\n");
  EXPECT_EQ(render_csv({}), "");
}

TEST(RenderJson, CompactOneLineKeepsKeyOrder) {
  auto value = nlohmann::ordered_json::parse(R"([{"zeta":1,"alpha":"x"}])");
  EXPECT_EQ(render_json(value), "[{\"zeta\":1,\"alpha\":\"x\"}]\n");
}

TEST(ParseOutputFormat, AcceptsKnownRejectsOthers) {
  EXPECT_EQ(*parse_output_format("table"), OutputFormat::kTable);
  EXPECT_EQ(*parse_output_format("compact"), OutputFormat::kCompact);
  EXPECT_EQ(*parse_output_format("csv"), OutputFormat::kCsv);
  EXPECT_EQ(*parse_output_format("json"), OutputFormat::kJson);
  EXPECT_EQ(*parse_output_format("yaml"), OutputFormat::kYaml);
  auto bad = parse_output_format("xml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Errc::kInvalidArgument);
  EXPECT_FALSE(parse_output_format("TABLE").ok());
}

TEST(NaturalLess, DigitRunsCompareNumerically) {
  EXPECT_TRUE(natural_less("movn2", "movn10"));
  EXPECT_FALSE(natural_less("movn10", "movn2"));
  EXPECT_TRUE(natural_less("movn", "movn1"));
  EXPECT_TRUE(natural_less("a9b", "a10a"));
  EXPECT_TRUE(natural_less("a1b2", "a1b10"));
  EXPECT_TRUE(natural_less("abc", "abd"));
  EXPECT_FALSE(natural_less("same", "same"));
  EXPECT_TRUE(natural_less("x99999999999999999999998", "x99999999999999999999999"));
  // Equal numbers: fewer leading zeros first, and the order stays strict.
  EXPECT_TRUE(natural_less("a1", "a01"));
  EXPECT_FALSE(natural_less("a01", "a1"));
  EXPECT_TRUE(natural_less("10.0.0.2:6686", "10.0.0.10:6686"));
}

TEST(SortRowsNaturally, FirstDifferingColumnDecides) {
  std::vector<Row> rows = {{"movn10", "a"}, {"movn2", "b"}, {"movn1", "z"}, {"movn2", "a"}};
  sort_rows_naturally(rows);
  std::vector<Row> expected = {{"movn1", "z"}, {"movn2", "a"}, {"movn2", "b"}, {"movn10", "a"}};
  EXPECT_EQ(rows, expected);
}

TEST(DisplayWidth, CountsCodePoints) {
  EXPECT_EQ(display_width("abc"), 3u);
  EXPECT_EQ(display_width("é"), 1u);
  EXPECT_EQ(display_width("日本"), 2u);
  EXPECT_EQ(display_width(""), 0u);
}

}  // namespace
}  // namespace movn::cli
