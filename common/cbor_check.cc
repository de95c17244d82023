#include "common/cbor_check.h"

#include <cstdint>
#include <string>
#include <vector>

#include "common/utf8.h"

namespace movn {
namespace {
Error bad(std::size_t at, std::string what) {
  return make_error(Errc::kCorruption, "CBOR " + what + " at byte " + std::to_string(at));
}
}  // namespace

Result<void> check_cbor(std::string_view bytes, std::size_t max_depth) {
  const std::size_t n = bytes.size();
  std::size_t pos = 0;
  // Items still expected in each open array or map; the first entry is the top-level item.
  std::vector<std::uint64_t> open{1};
  while (!open.empty()) {
    if (open.back() == 0) {
      open.pop_back();
      continue;
    }
    --open.back();
    const std::size_t at = pos;
    if (pos >= n) return bad(at, "ends inside an item");
    const auto initial = static_cast<unsigned char>(bytes[pos++]);
    const unsigned major = initial >> 5;
    const unsigned info = initial & 0x1f;
    std::uint64_t arg = info;
    if (info >= 24 && info <= 27) {
      const std::size_t width = std::size_t{1} << (info - 24);
      if (n - pos < width) return bad(at, "ends inside an item header");
      arg = 0;
      for (std::size_t k = 0; k < width; ++k) arg = (arg << 8) | static_cast<unsigned char>(bytes[pos++]);
    } else if (info >= 28) {
      return bad(at, info == 31 ? "indefinite length or break (not used here)" : "reserved additional information");
    }
    const std::uint64_t left = n - pos;
    switch (major) {
      case 0:  // unsigned integer
      case 1:  // negative integer
        break;
      case 2:  // byte string
      case 3:  // text string
        if (arg > left) return bad(at, "string longer than the input");
        if (major == 3 && !is_valid_utf8(bytes.substr(pos, arg))) return bad(at, "text string that is not UTF-8");
        pos += arg;
        break;
      case 4:  // array
      case 5:  // map
        // Every item takes at least one byte, so a count beyond the input cannot be right.
        if (arg > left || (major == 5 && arg > left / 2)) return bad(at, "container larger than the input");
        if (arg > 0) {
          if (open.size() > max_depth) return bad(at, "nested deeper than " + std::to_string(max_depth));
          open.push_back(major == 5 ? arg * 2 : arg);
        }
        break;
      case 6:
        return bad(at, "tag (not used here)");
      case 7:  // simple values and floats: the header already covered their bytes
        break;
    }
  }
  if (pos != n) return bad(pos, "trailing bytes after the item");
  return {};
}

}  // namespace movn
