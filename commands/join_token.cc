#include "commands/join_token.h"

#include <nlohmann/json.hpp>

#include "commands/validate.h"
#include "common/base64.h"
#include "common/json_depth.h"

namespace movn::commands {
namespace {
using nlohmann::ordered_json;

Error bad(std::string what) { return make_error(Errc::kInvalidArgument, "join token: " + std::move(what)); }

bool is_lower_hex(std::string_view s, std::size_t n) {
  if (s.size() != n) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}
}  // namespace

std::string encode_join_token(const JoinToken& token) {
  ordered_json t{{"secret", token.secret},
                 {"fingerprint", token.fingerprint},
                 {"join_addresses", token.join_addresses}};
  return base64_encode(t.dump());
}

Result<JoinToken> decode_join_token(std::string_view text) {
  if (text.size() > kMaxJoinTokenBytes)
    return bad("longer than " + std::to_string(kMaxJoinTokenBytes) + " characters");
  // A token pasted from a terminal may carry surrounding whitespace; nothing else is forgiven.
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n' || text.front() == '\r' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\r' || text.back() == '\t'))
    text.remove_suffix(1);
  if (text.empty()) return bad("empty");
  auto raw = base64_decode(text);
  if (!raw) return bad("not base64");
  if (!json_depth_within(*raw, 2)) return bad("not a token (nested too deeply)");
  auto j = ordered_json::parse(*raw, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return bad("not a token (not a JSON object)");
  JoinToken out;
  auto secret = j.find("secret");
  if (secret == j.end() || !secret->is_string() || !is_lower_hex(secret->get_ref<const std::string&>(), 64))
    return bad("field 'secret' must be 64 hex characters");
  out.secret = secret->get<std::string>();
  auto fp = j.find("fingerprint");
  if (fp == j.end() || !fp->is_string() || !is_lower_hex(fp->get_ref<const std::string&>(), 64))
    return bad("field 'fingerprint' must be 64 hex characters (a SHA-256)");
  out.fingerprint = fp->get<std::string>();
  auto addrs = j.find("join_addresses");
  if (addrs == j.end() || !addrs->is_array() || addrs->empty() || addrs->size() > kMaxJoinAddresses)
    return bad("field 'join_addresses' must list 1 to " + std::to_string(kMaxJoinAddresses) + " addresses");
  for (const auto& a : *addrs) {
    if (!a.is_string()) return bad("field 'join_addresses' must hold strings");
    auto n = normalize_address(a.get_ref<const std::string&>());
    if (!n.ok()) return bad("join address: " + n.error().message);
    out.join_addresses.push_back(std::move(n).value());
  }
  return out;
}

}  // namespace movn::commands
