// How deeply JSON text nests, found without recursion and without parsing. nlohmann's parser is
// iterative, but rendering (dump, YAML) recurses once per level, so text read from a socket is
// refused before it is parsed when it nests deeper than its use needs. Header-only (the CLI uses it).
// Pure; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

namespace movn {

// True when no array or object in `text` is nested more than `max_depth` deep. Brackets inside
// strings do not count. Text that is not JSON may pass; the parser refuses it afterwards.
constexpr bool json_depth_within(std::string_view text, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

}  // namespace movn
