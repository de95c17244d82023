// Fuzz target: the join token codec (commands/join_token.h): garbage, truncated, wrong-typed and
// oversized tokens are clear errors; an accepted token re-encodes to one that decodes the same.
#include <cstdint>

#include "commands/join_token.h"
#include "commands/validate.h"
#include "tests/fuzz/fuzz_util.h"

using namespace movn;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto t = commands::decode_join_token(fuzz::as_view(data, size));
  if (!t.ok()) {
    MOVN_FUZZ_CHECK(t.error().code == Errc::kInvalidArgument, "a bad token is the caller's error");
    return 0;
  }
  MOVN_FUZZ_CHECK(t->secret.size() == 64 && t->fingerprint.size() == 64, "hex fields have their length");
  MOVN_FUZZ_CHECK(!t->join_addresses.empty() && t->join_addresses.size() <= commands::kMaxJoinAddresses,
                  "addresses are bounded");
  for (const auto& a : t->join_addresses) MOVN_FUZZ_CHECK(commands::normalize_address(a).ok(), "addresses are valid");
  MOVN_FUZZ_CHECK(t->members.size() <= commands::kMaxJoinAddresses, "members are bounded");
  for (const auto& m : t->members) {
    MOVN_FUZZ_CHECK(commands::normalize_address(m.address).ok() && m.fingerprint.size() == 64, "members are valid");
  }
  MOVN_FUZZ_CHECK(!t->pins().empty(), "a token pins at least one address");
  auto again = commands::decode_join_token(commands::encode_join_token(*t));
  MOVN_FUZZ_CHECK(again.ok() && *again == *t, "a decoded token round-trips");
  return 0;
}
