// Helpers shared by the fuzz targets: a check that stops the run with a message (a finding), and
// a splitter that turns one input into several fields. Test-only; thread-safe.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#define MOVN_FUZZ_CHECK(cond, what)                                                  \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      std::fprintf(stderr, "fuzz check failed: %s (%s) at %s:%d\n", #cond, (what), \
                   __FILE__, __LINE__);                                              \
      std::abort();                                                                  \
    }                                                                                \
  } while (0)

namespace movn::fuzz {

// `data` cut at each `sep`, into at most `max_parts` fields (the last keeps the rest).
inline std::vector<std::string_view> split(std::string_view data, char sep, std::size_t max_parts) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < max_parts) {
    auto at = data.find(sep);
    if (at == std::string_view::npos) break;
    out.push_back(data.substr(0, at));
    data.remove_prefix(at + 1);
  }
  out.push_back(data);
  return out;
}

inline std::string_view as_view(const unsigned char* data, std::size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

}  // namespace movn::fuzz
