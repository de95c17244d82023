// Input validation shared by decide() and the daemon: member names, addresses, config keys.
// Pure functions (POSIX inet_pton only); thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace movn::commands {

inline constexpr std::uint16_t kDefaultPort = 6686;

// A member name is an FQDN label in lower case: 1-63 of [a-z0-9-], not starting or ending with
// '-' (names that differ only in case would be the same host name).
Result<void> validate_member_name(std::string_view name);
// "ip", "ip:port", "[v6]", "[v6]:port" or a bare IPv6 -> "ip:port" / "[v6]:port".
Result<std::string> normalize_address(std::string_view addr, std::uint16_t default_port = kDefaultPort);
bool is_ip_address(std::string_view text);

// Keys `microovn config set` accepts (reference §2.2), in display order.
const std::vector<std::string>& allowed_config_keys();
Result<void> validate_config(std::string_view key, std::string_view value);
Result<void> validate_config_key(std::string_view key);

}  // namespace movn::commands
