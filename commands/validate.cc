#include "commands/validate.h"

#include <arpa/inet.h>

#include <charconv>

namespace movn::commands {

Result<void> validate_member_name(std::string_view name) {
  if (name.empty() || name.size() > 63)
    return make_error(Errc::kInvalidArgument,
                      "invalid member name \"" + std::string(name) + "\": it must be 1 to 63 characters");
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok)
      return make_error(Errc::kInvalidArgument, "invalid member name \"" + std::string(name) +
                                                    "\": only lower-case letters, digits and '-' are allowed");
  }
  if (name.front() == '-' || name.back() == '-')
    return make_error(Errc::kInvalidArgument,
                      "invalid member name \"" + std::string(name) + "\": it must not start or end with '-'");
  return {};
}

bool is_ip_address(std::string_view text) {
  if (text.empty() || text.size() > 45 || text.find('\0') != std::string_view::npos) return false;
  std::string s(text);
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

namespace {
bool is_ipv6(std::string_view text) {
  if (text.empty() || text.size() > 45 || text.find('\0') != std::string_view::npos) return false;
  std::string s(text);
  unsigned char buf[16];
  return inet_pton(AF_INET6, s.c_str(), buf) == 1;
}
bool is_ipv4(std::string_view text) {
  if (text.empty() || text.size() > 15 || text.find('\0') != std::string_view::npos) return false;
  std::string s(text);
  unsigned char buf[4];
  return inet_pton(AF_INET, s.c_str(), buf) == 1;
}
}  // namespace

Result<std::string> normalize_address(std::string_view addr, std::uint16_t default_port) {
  auto bad = [&](std::string_view why) {
    return make_error(Errc::kInvalidArgument, "invalid address \"" + std::string(addr) + "\": " + std::string(why));
  };
  std::string_view host = addr, port_text;
  bool bracketed = false;
  if (!addr.empty() && addr.front() == '[') {
    auto close = addr.find(']');
    if (close == std::string_view::npos) return bad("missing ']'");
    host = addr.substr(1, close - 1);
    bracketed = true;
    auto rest = addr.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return bad("expected ':' after ']'");
      port_text = rest.substr(1);
      if (port_text.empty()) return bad("empty port");
    }
    if (!is_ipv6(host)) return bad("not an IPv6 address");
  } else if (is_ipv6(addr)) {
    host = addr;
    bracketed = true;
  } else {
    auto colon = addr.rfind(':');
    if (colon != std::string_view::npos) {
      host = addr.substr(0, colon);
      port_text = addr.substr(colon + 1);
      if (port_text.empty()) return bad("empty port");
    }
    if (!is_ipv4(host)) return bad("not an IP address");
  }
  std::uint32_t port = default_port;
  if (!port_text.empty()) {
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || p != port_text.data() + port_text.size() || port == 0 || port > 65535)
      return bad("port must be a number from 1 to 65535");
  }
  std::string out = bracketed ? "[" + std::string(host) + "]" : std::string(host);
  return out + ":" + std::to_string(port);
}

const std::vector<std::string>& allowed_config_keys() {
  static const std::vector<std::string> keys = {"ovn.central-ips"};
  return keys;
}

Result<void> validate_config_key(std::string_view key) {
  for (const auto& k : allowed_config_keys())
    if (k == key) return {};
  return make_error(Errc::kInvalidArgument, "unknown config key '" + std::string(key) +
                                                "' (see 'microovn config list')");
}

Result<void> validate_config(std::string_view key, std::string_view value) {
  MOVN_TRY(validate_config_key(key));
  if (key == "ovn.central-ips") {
    // Comma-separated IPv4/IPv6 addresses without brackets or ports, no empty items.
    if (value.empty()) return make_error(Errc::kInvalidArgument, "value must not be empty");
    std::size_t start = 0;
    while (true) {
      auto comma = value.find(',', start);
      auto item = value.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
      if (item.empty()) return make_error(Errc::kInvalidArgument, "empty item in the address list");
      if (!is_ip_address(item))
        return make_error(Errc::kInvalidArgument, "'" + std::string(item) + "' is not a valid IP address");
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
  }
  return {};
}

}  // namespace movn::commands
