// The join token codec: what `cluster add` prints and `cluster join` reads (reference §2.4):
// base64 of a JSON object {"secret", "fingerprint", "join_addresses", "members"}: upstream's
// fields, plus one {"address", "fingerprint"} pair per member, so a joiner can pin the
// certificate of whichever member it reaches (a token without "members" pins the one
// fingerprint at every address). Decoding takes text a
// user pasted, so every input gives a token or a clear error (tests/fuzz/fuzz_join_token.cc).
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace movn::commands {

inline constexpr std::size_t kMaxJoinTokenBytes = 16 * 1024;
inline constexpr std::size_t kMaxJoinAddresses = 64;

struct TokenMember {
  std::string address;      // ip:port
  std::string fingerprint;  // SHA-256 hex of its certificate
  bool operator==(const TokenMember&) const = default;
};

struct JoinToken {
  std::string secret;                       // 64 lower-case hex characters
  std::string fingerprint;                  // SHA-256 hex of the issuing member's certificate
  std::vector<std::string> join_addresses;  // ip:port of every member when it was issued
  std::vector<TokenMember> members;         // every member when it was issued (may be empty)
  bool operator==(const JoinToken&) const = default;
  // What a joiner pins: each address with the certificate expected there.
  std::map<std::string, std::string> pins() const;
};

std::string encode_join_token(const JoinToken& token);
// kInvalidArgument naming what is wrong ("join token: field 'secret' must be 64 hex characters").
// Unknown fields are ignored, so a later token format can add some.
Result<JoinToken> decode_join_token(std::string_view text);

}  // namespace movn::commands
