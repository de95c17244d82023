// Fuzz target: validation of member names, addresses and config values (commands/validate.h),
// which every API body and decide() rely on. Input: key NUL value. A normalized address must be
// a fixed point, and a value accepted for a key must be text the JSON renderers can carry.
#include <cstdint>

#include "commands/validate.h"
#include "common/utf8.h"
#include "tests/fuzz/fuzz_util.h"

using namespace movn;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto all = fuzz::as_view(data, size);
  auto fields = fuzz::split(all, '\0', 2);
  const auto key = fields.front(), value = fields.back();
  if (commands::validate_member_name(all).ok()) {
    MOVN_FUZZ_CHECK(!all.empty() && all.size() <= 63, "a member name is a DNS label");
    MOVN_FUZZ_CHECK(is_valid_utf8(all), "a member name is text");
  }
  if (auto a = commands::normalize_address(all); a.ok()) {
    auto again = commands::normalize_address(*a);
    MOVN_FUZZ_CHECK(again.ok() && *again == *a, "normalizing is a fixed point");
  }
  (void)commands::is_ip_address(all);
  (void)commands::validate_config_key(key);
  if (commands::validate_config(key, value).ok()) {
    MOVN_FUZZ_CHECK(commands::validate_config_key(key).ok(), "an accepted value has a known key");
    MOVN_FUZZ_CHECK(is_valid_utf8(value), "an accepted value is text");
  }
  return 0;
}
