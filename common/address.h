// The IP part of a member address as the log records it ("ip:port", IPv6 in brackets): what
// ovn.env, the OVN command lines and `status` show. Header-only (the CLI uses it too).
#pragma once

#include <string>

namespace movn {

// "10.0.0.1:6686" -> "10.0.0.1"; "[fd00::1]:6686" -> "fd00::1"; without a port, as it is.
inline std::string ip_of_address(const std::string& address) {
  if (!address.empty() && address.front() == '[') {
    const auto end = address.find(']');
    return end == std::string::npos ? address : address.substr(1, end - 1);
  }
  const auto colon = address.rfind(':');
  return colon == std::string::npos ? address : address.substr(0, colon);
}

}  // namespace movn
