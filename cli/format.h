// Output formats of list commands (LXD RenderTable style): bordered table, compact, csv, json,
// yaml; plus natural sorting of rows. Pure functions over strings and JSON values.
// Owned by cli/; thread-safe (no shared state).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace movn::cli {

enum class OutputFormat { kTable, kCompact, kCsv, kJson, kYaml };

using Row = std::vector<std::string>;

struct Table {
  Row headers;
  std::vector<Row> rows;
};

// "table", "compact", "csv", "json", "yaml" → the format; anything else is an error.
Result<OutputFormat> parse_output_format(std::string_view name);

// Natural order: runs of digits compare numerically, so "movn2" < "movn10".
bool natural_less(std::string_view a, std::string_view b);
// Sorts rows naturally, column by column (the first column that differs decides).
void sort_rows_naturally(std::vector<Row>& rows);

// Bordered table with a line between rows; headers centered, cells left-aligned, one space of
// padding. Multi-line cells span several text lines. Ends with a newline.
std::string render_table(const Table& table);
// Headers then rows, no borders or separator lines, columns left-aligned and separated by two
// spaces, no trailing spaces. Ends with a newline.
std::string render_compact(const Table& table);
// Data rows only (no header), RFC 4180 quoting where needed, "\n" line ends.
std::string render_csv(const std::vector<Row>& rows);
// Compact one-line JSON plus a newline.
std::string render_json(const nlohmann::ordered_json& value);

// Renders `table` or `raw` (for json/yaml) in `format`.
std::string render(OutputFormat format, const Table& table, const nlohmann::ordered_json& raw);

// Width of `text` in terminal columns, counting UTF-8 code points.
std::size_t display_width(std::string_view text);

}  // namespace movn::cli
