// A bounded, non-recursive check of CBOR bytes (RFC 8949) before a recursive parser sees them.
// nlohmann::json::from_cbor recurses once per nesting level and does not check that text strings
// are UTF-8, so bytes read from disk (checkpoints) pass through here first. Accepts the subset
// that nlohmann::json::to_cbor writes: definite lengths, no tags. Pure; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

#include "common/result.h"

namespace movn {

// One well-formed CBOR item spanning all of `bytes`, nested at most `max_depth` arrays/maps deep,
// whose text strings are valid UTF-8. The error names the offset of the first problem.
Result<void> check_cbor(std::string_view bytes, std::size_t max_depth);

}  // namespace movn
