// YAML emitter (see yaml.h for the style).
#include "cli/yaml.h"

#include <array>

namespace movn::cli {
namespace {

using Json = nlohmann::ordered_json;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Digits (and YAML 1.1 underscores) in [first, last) of `s` matching `pred`; at least one digit.
template <class Pred>
bool all_digits(std::string_view s, Pred pred) {
  bool any = false;
  for (char c : s) {
    if (c == '_') continue;
    if (!pred(c)) return false;
    any = true;
  }
  return any;
}

// Base 60 numbers of YAML 1.1 ("1:20", "190:20:30.15"), which yaml.v2 quotes.
bool is_base60(std::string_view s) {
  if (s.empty() || !is_digit(s.front())) return false;
  std::size_t colon = s.find(':');
  if (colon == std::string_view::npos) return false;
  if (!all_digits(s.substr(0, colon), is_digit)) return false;
  std::string_view rest = s.substr(colon);
  std::size_t dot = rest.find('.');
  std::string_view groups = rest.substr(0, dot);
  if (dot != std::string_view::npos) {
    for (char c : rest.substr(dot + 1)) {
      if (!is_digit(c) && c != '_') return false;
    }
  }
  // groups: (":" [0-5]? [0-9])+
  std::size_t i = 0;
  while (i < groups.size()) {
    if (groups[i] != ':') return false;
    std::size_t j = i + 1;
    while (j < groups.size() && is_digit(groups[j])) ++j;
    std::size_t n = j - (i + 1);
    if (n == 0 || n > 2 || (n == 2 && groups[i + 1] > '5')) return false;
    i = j;
  }
  return true;
}

// Would a YAML 1.1 or 1.2 reader take this plain scalar for a number?
bool looks_like_number(std::string_view s) {
  if (s.empty()) return false;
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return true;
  std::string_view u = s;
  if (u.front() == '+' || u.front() == '-') u.remove_prefix(1);
  if (u.empty()) return false;
  if (u == ".inf" || u == ".Inf" || u == ".INF") return true;
  auto hex = [](char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); };
  if (u.size() > 2 && u[0] == '0') {
    if (u[1] == 'x' || u[1] == 'X') return all_digits(u.substr(2), hex);
    if (u[1] == 'o') return all_digits(u.substr(2), [](char c) { return c >= '0' && c <= '7'; });
    if (u[1] == 'b') return all_digits(u.substr(2), [](char c) { return c == '0' || c == '1'; });
  }
  if (is_base60(u)) return true;
  // Decimal integer or float: digits, at most one '.', optional exponent.
  std::size_t e = u.find_first_of("eE");
  std::string_view mantissa = u.substr(0, e);
  if (e != std::string_view::npos) {
    std::string_view exp = u.substr(e + 1);
    if (!exp.empty() && (exp.front() == '+' || exp.front() == '-')) exp.remove_prefix(1);
    if (exp.empty()) return false;
    for (char c : exp) {
      if (!is_digit(c)) return false;
    }
  }
  bool digit = false;
  bool dot = false;
  for (char c : mantissa) {
    if (is_digit(c)) {
      digit = true;
    } else if (c == '.' && !dot) {
      dot = true;
    } else if (c != '_') {
      return false;
    }
  }
  return digit;
}

bool is_reserved_word(std::string_view s) {
  static constexpr std::array<std::string_view, 37> kWords = {
      "~",    "null",  "Null",  "NULL",  "y",     "Y",     "yes",  "Yes",   "YES",   "n",
      "N",    "no",    "No",    "NO",    "true",  "True",  "TRUE", "false", "False", "FALSE",
      "on",   "On",    "ON",    "off",   "Off",   "OFF",   "<<",   "=",     ".inf",  ".Inf",
      ".INF", "-.inf", "-.Inf", "-.INF", "+.inf", "+.Inf", "+.INF"};
  for (std::string_view w : kWords) {
    if (s == w) return true;
  }
  return false;
}

// Unicode characters that YAML treats as line breaks or that must not appear raw: NEL, LS, PS, BOM.
bool has_special_unicode(std::string_view s) {
  return s.find("\xC2\x85") != std::string_view::npos ||
         s.find("\xE2\x80\xA8") != std::string_view::npos ||
         s.find("\xE2\x80\xA9") != std::string_view::npos ||
         s.find("\xEF\xBB\xBF") != std::string_view::npos;
}

bool has_control_chars(std::string_view s, bool allow_newline_and_tab) {
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (allow_newline_and_tab && (c == '\n' || c == '\t')) continue;
    if (c < 0x20 || c == 0x7F) return true;
  }
  return false;
}

bool can_be_plain(std::string_view s) {
  if (s.empty() || is_reserved_word(s) || looks_like_number(s)) return false;
  if (has_control_chars(s, false) || has_special_unicode(s)) return false;
  if (s.front() == ' ' || s.back() == ' ') return false;
  char first = s.front();
  if (std::string_view(",[]{}#&*!|>'\"%@`").find(first) != std::string_view::npos) return false;
  if ((first == '-' || first == '?' || first == ':') && (s.size() == 1 || s[1] == ' ')) {
    return false;
  }
  if (s.starts_with("---") || s.starts_with("...")) return false;
  if (s.back() == ':') return false;
  if (s.find(": ") != std::string_view::npos || s.find(" #") != std::string_view::npos)
    return false;
  return true;
}

std::string double_quoted(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\0':
        out += "\\0";
        continue;
      default:
        break;
    }
    if (c < 0x20 || c == 0x7F) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
      continue;
    }
    std::string_view rest = s.substr(i);
    if (rest.starts_with("\xC2\x85")) {
      out += "\\N";
      i += 1;
    } else if (rest.starts_with("\xE2\x80\xA8")) {
      out += "\\L";
      i += 2;
    } else if (rest.starts_with("\xE2\x80\xA9")) {
      out += "\\P";
      i += 2;
    } else if (rest.starts_with("\xEF\xBB\xBF")) {
      out += "\\uFEFF";
      i += 2;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
  return out;
}

// A literal block scalar keeps a multi-line string readable (PEM certificates). Not usable when
// the first line starts with a space (needs an indentation indicator) or for control characters.
bool can_be_block(std::string_view s) {
  if (s.find('\n') == std::string_view::npos) return false;
  if (s.front() == ' ' || s.front() == '\n' || s.front() == '\t') return false;
  return !has_control_chars(s, true) && !has_special_unicode(s);
}

// Appends " |..." and the lines indented by `indent`, or " <inline scalar>"; then a newline.
void append_string_value(std::string& out, std::string_view s, std::size_t indent) {
  if (!can_be_block(s)) {
    out += ' ';
    out += yaml_inline_string(s);
    out += '\n';
    return;
  }
  std::size_t trailing = 0;
  while (trailing < s.size() && s[s.size() - 1 - trailing] == '\n') ++trailing;
  out += trailing == 0 ? " |-\n" : trailing == 1 ? " |\n" : " |+\n";
  std::string_view content = s.substr(0, s.size() - trailing);
  std::size_t start = 0;
  while (true) {
    std::size_t nl = content.find('\n', start);
    std::string_view line = content.substr(start, nl == std::string_view::npos ? nl : nl - start);
    if (!line.empty()) out.append(indent, ' ').append(line);
    out += '\n';
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  for (std::size_t k = 1; k < trailing; ++k) out += '\n';
}

// Appends " <scalar>\n" for scalars and empty collections.
void append_scalar(std::string& out, const Json& v, std::size_t block_indent) {
  if (v.is_string()) {
    append_string_value(out, v.get_ref<const std::string&>(), block_indent);
    return;
  }
  out += ' ';
  if (v.is_null()) {
    out += "null";
  } else if (v.is_object()) {
    out += "{}";
  } else if (v.is_array()) {
    out += "[]";
  } else {
    out += v.dump();  // numbers and booleans
  }
  out += '\n';
}

void append_sequence(std::string& out, const Json& seq, std::size_t indent, bool inline_first, std::size_t depth);

// Past kMaxYamlDepth a collection is written in flow style (JSON, which YAML reads), so the
// recursion here is bounded whatever the value; nothing is left out.
void append_flow(std::string& out, const Json& v) {
  out += ' ';
  out += v.dump(-1, ' ', false, Json::error_handler_t::replace);
  out += '\n';
}

// A non-empty mapping whose entries sit at column `indent`. With `inline_first`, the first key
// follows a "- " that is already written.
void append_mapping(std::string& out, const Json& map, std::size_t indent, bool inline_first, std::size_t depth) {
  bool first = true;
  for (const auto& [key, value] : map.items()) {
    if (!(first && inline_first)) out.append(indent, ' ');
    first = false;
    out += yaml_inline_string(key);
    out += ':';
    const bool nested = (value.is_object() || value.is_array()) && !value.empty();
    if (nested && depth + 1 >= kMaxYamlDepth) {
      append_flow(out, value);
    } else if (value.is_object() && !value.empty()) {
      out += '\n';
      append_mapping(out, value, indent + 2, false, depth + 1);
    } else if (value.is_array() && !value.empty()) {
      out += '\n';
      append_sequence(out, value, indent, false, depth + 1);  // yaml.v2: "- " at the key's column
    } else {
      append_scalar(out, value, indent + 2);
    }
  }
}

void append_sequence(std::string& out, const Json& seq, std::size_t indent, bool inline_first, std::size_t depth) {
  bool first = true;
  for (const auto& item : seq) {
    if (!(first && inline_first)) out.append(indent, ' ');
    first = false;
    out += '-';
    const bool nested = (item.is_object() || item.is_array()) && !item.empty();
    if (nested && depth + 1 >= kMaxYamlDepth) {
      append_flow(out, item);
    } else if (item.is_object() && !item.empty()) {
      out += ' ';
      append_mapping(out, item, indent + 2, true, depth + 1);
    } else if (item.is_array() && !item.empty()) {
      out += ' ';
      append_sequence(out, item, indent + 2, true, depth + 1);
    } else {
      append_scalar(out, item, indent + 2);
    }
  }
}

}  // namespace

std::string yaml_inline_string(std::string_view text) {
  return can_be_plain(text) ? std::string(text) : double_quoted(text);
}

std::string render_yaml(const nlohmann::ordered_json& value) {
  std::string out;
  if (value.is_object() && !value.empty()) {
    append_mapping(out, value, 0, false, 0);
  } else if (value.is_array() && !value.empty()) {
    append_sequence(out, value, 0, false, 0);
  } else {
    append_scalar(out, value, 2);
    out.erase(0, 1);  // no leading space at the top level
  }
  return out;
}

}  // namespace movn::cli
