// The join token codec: what `cluster add` prints and `cluster join` reads (reference §2.4):
// base64 of a JSON object {"secret", "fingerprint", "join_addresses"}. Decoding takes text a
// user pasted, so every input gives a token or a clear error (tests/fuzz/fuzz_join_token.cc).
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace movn::commands {

inline constexpr std::size_t kMaxJoinTokenBytes = 16 * 1024;
inline constexpr std::size_t kMaxJoinAddresses = 64;

struct JoinToken {
  std::string secret;                       // 64 lower-case hex characters
  std::string fingerprint;                  // SHA-256 hex of the issuing member's certificate
  std::vector<std::string> join_addresses;  // ip:port of every member when it was issued
  bool operator==(const JoinToken&) const = default;
};

std::string encode_join_token(const JoinToken& token);
// kInvalidArgument naming what is wrong ("join token: field 'secret' must be 64 hex characters").
// Unknown fields are ignored, so a later token format can add some.
Result<JoinToken> decode_join_token(std::string_view text);

}  // namespace movn::commands
