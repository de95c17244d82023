// Table, compact, csv and json renderers; natural sort.
#include "cli/format.h"

#include <algorithm>

#include "cli/yaml.h"

namespace movn::cli {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::vector<std::string_view> split_lines(std::string_view cell) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (true) {
    std::size_t nl = cell.find('\n', start);
    if (nl == std::string_view::npos) {
      lines.push_back(cell.substr(start));
      return lines;
    }
    lines.push_back(cell.substr(start, nl - start));
    start = nl + 1;
  }
}

// Per column: the widest line of the header and of every cell.
std::vector<std::size_t> column_widths(const Table& table) {
  std::size_t columns = table.headers.size();
  for (const Row& row : table.rows) columns = std::max(columns, row.size());
  std::vector<std::size_t> widths(columns, 0);
  auto widen = [&](const Row& row) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      for (std::string_view line : split_lines(row[c])) {
        widths[c] = std::max(widths[c], display_width(line));
      }
    }
  };
  widen(table.headers);
  for (const Row& row : table.rows) widen(row);
  return widths;
}

enum class Align { kLeft, kCenter };

void append_padded(std::string& out, std::string_view text, std::size_t width, Align align) {
  std::size_t used = display_width(text);
  std::size_t gap = width > used ? width - used : 0;
  // tablewriter centers with the extra space on the right.
  std::size_t left = align == Align::kCenter ? gap / 2 : 0;
  out.append(left, ' ');
  out.append(text);
  out.append(gap - left, ' ');
}

// A row as text lines: line i holds the i-th line of every cell, padded to the column width.
std::vector<std::vector<std::string_view>> row_lines(const Row& row, std::size_t columns) {
  std::vector<std::vector<std::string_view>> cells(columns);
  std::size_t height = 1;
  for (std::size_t c = 0; c < columns; ++c) {
    cells[c] = c < row.size() ? split_lines(row[c]) : std::vector<std::string_view>{""};
    height = std::max(height, cells[c].size());
  }
  std::vector<std::vector<std::string_view>> lines(height, std::vector<std::string_view>(columns));
  for (std::size_t c = 0; c < columns; ++c) {
    for (std::size_t l = 0; l < cells[c].size(); ++l) lines[l][c] = cells[c][l];
  }
  return lines;
}

void append_border(std::string& out, const std::vector<std::size_t>& widths) {
  out += '+';
  for (std::size_t w : widths) {
    out.append(w + 2, '-');
    out += '+';
  }
  out += '\n';
}

void append_bordered_row(std::string& out, const Row& row, const std::vector<std::size_t>& widths,
                         Align align) {
  for (const auto& line : row_lines(row, widths.size())) {
    out += '|';
    for (std::size_t c = 0; c < widths.size(); ++c) {
      out += ' ';
      append_padded(out, line[c], widths[c], align);
      out += " |";
    }
    out += '\n';
  }
}

void append_compact_row(std::string& out, const Row& row, const std::vector<std::size_t>& widths) {
  for (const auto& line : row_lines(row, widths.size())) {
    std::string text;
    for (std::size_t c = 0; c < widths.size(); ++c) {
      if (c > 0) text += "  ";
      append_padded(text, line[c], widths[c], Align::kLeft);
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text;
    out += '\n';
  }
}

bool csv_needs_quotes(std::string_view field) {
  if (field.empty()) return false;
  if (field == "\\.") return true;
  if (field.find_first_of(",\"\r\n") != std::string_view::npos) return true;
  char first = field.front();
  return first == ' ' || first == '\t' || first == '\v' || first == '\f';
}

}  // namespace

Result<OutputFormat> parse_output_format(std::string_view name) {
  if (name == "table") return OutputFormat::kTable;
  if (name == "compact") return OutputFormat::kCompact;
  if (name == "csv") return OutputFormat::kCsv;
  if (name == "json") return OutputFormat::kJson;
  if (name == "yaml") return OutputFormat::kYaml;
  return make_error(Errc::kInvalidArgument, "invalid format \"" + std::string(name) + "\"");
}

bool natural_less(std::string_view a, std::string_view b) {
  std::size_t i = 0;
  std::size_t j = 0;
  int zeros_tiebreak = 0;  // equal numbers with more leading zeros sort later
  while (i < a.size() && j < b.size()) {
    if (is_digit(a[i]) && is_digit(b[j])) {
      std::size_t ie = i;
      while (ie < a.size() && is_digit(a[ie])) ++ie;
      std::size_t je = j;
      while (je < b.size() && is_digit(b[je])) ++je;
      std::string_view run_a = a.substr(i, ie - i);
      std::string_view run_b = b.substr(j, je - j);
      std::string_view num_a = run_a.substr(std::min(run_a.find_first_not_of('0'), run_a.size()));
      std::string_view num_b = run_b.substr(std::min(run_b.find_first_not_of('0'), run_b.size()));
      if (num_a.size() != num_b.size()) return num_a.size() < num_b.size();
      if (num_a != num_b) return num_a < num_b;
      if (zeros_tiebreak == 0 && run_a.size() != run_b.size()) {
        zeros_tiebreak = run_a.size() < run_b.size() ? -1 : 1;
      }
      i = ie;
      j = je;
      continue;
    }
    if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
    ++i;
    ++j;
  }
  std::size_t rest_a = a.size() - i;
  std::size_t rest_b = b.size() - j;
  if (rest_a != rest_b) return rest_a < rest_b;
  return zeros_tiebreak < 0;
}

void sort_rows_naturally(std::vector<Row>& rows) {
  std::stable_sort(rows.begin(), rows.end(), [](const Row& x, const Row& y) {
    std::size_t n = std::min(x.size(), y.size());
    for (std::size_t c = 0; c < n; ++c) {
      if (x[c] == y[c]) continue;
      return natural_less(x[c], y[c]);
    }
    return x.size() < y.size();
  });
}

std::size_t display_width(std::string_view text) {
  std::size_t width = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++width;  // skip continuation bytes
  }
  return width;
}

std::string render_table(const Table& table) {
  const std::vector<std::size_t> widths = column_widths(table);
  std::string out;
  append_border(out, widths);
  append_bordered_row(out, table.headers, widths, Align::kCenter);
  append_border(out, widths);
  for (const Row& row : table.rows) {
    append_bordered_row(out, row, widths, Align::kLeft);
    append_border(out, widths);
  }
  return out;
}

std::string render_compact(const Table& table) {
  const std::vector<std::size_t> widths = column_widths(table);
  std::string out;
  append_compact_row(out, table.headers, widths);
  for (const Row& row : table.rows) append_compact_row(out, row, widths);
  return out;
}

std::string render_csv(const std::vector<Row>& rows) {
  std::string out;
  for (const Row& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c > 0) out += ',';
      const std::string& field = row[c];
      if (!csv_needs_quotes(field)) {
        out += field;
        continue;
      }
      out += '"';
      for (char ch : field) {
        if (ch == '"') out += '"';
        out += ch;
      }
      out += '"';
    }
    out += '\n';
  }
  return out;
}

std::string render_json(const nlohmann::ordered_json& value) {
  return value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::string render(OutputFormat format, const Table& table, const nlohmann::ordered_json& raw) {
  switch (format) {
    case OutputFormat::kTable:
      return render_table(table);
    case OutputFormat::kCompact:
      return render_compact(table);
    case OutputFormat::kCsv:
      return render_csv(table.rows);
    case OutputFormat::kJson:
      return render_json(raw);
    case OutputFormat::kYaml:
      return render_yaml(raw);
  }
  return render_table(table);
}

}  // namespace movn::cli
