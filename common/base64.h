// Base64 (RFC 4648, standard alphabet, padded). Used for join tokens. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace movn {

std::string base64_encode(std::string_view bytes);
// Returns nullopt for anything that is not canonical padded base64 (whitespace is not skipped).
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace movn
