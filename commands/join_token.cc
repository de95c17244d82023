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

std::map<std::string, std::string> JoinToken::pins() const {
  std::map<std::string, std::string> out;
  if (members.empty()) {
    for (const auto& a : join_addresses) out[a] = fingerprint;
  }
  for (const auto& m : members) out[m.address] = m.fingerprint;
  return out;
}

std::string encode_join_token(const JoinToken& token) {
  ordered_json t{{"secret", token.secret},
                 {"fingerprint", token.fingerprint},
                 {"join_addresses", token.join_addresses}};
  if (!token.members.empty()) {
    ordered_json members = ordered_json::array();
    for (const auto& m : token.members) members.push_back({{"address", m.address}, {"fingerprint", m.fingerprint}});
    t["members"] = std::move(members);
  }
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
  if (!json_depth_within(*raw, 3)) return bad("not a token (nested too deeply)");
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
  if (auto members = j.find("members"); members != j.end()) {
    if (!members->is_array() || members->empty() || members->size() > kMaxJoinAddresses)
      return bad("field 'members' must list 1 to " + std::to_string(kMaxJoinAddresses) + " members");
    for (const auto& m : *members) {
      if (!m.is_object()) return bad("field 'members' must hold objects");
      auto a = m.find("address");
      auto f = m.find("fingerprint");
      if (a == m.end() || !a->is_string()) return bad("a member's 'address' must be a string");
      if (f == m.end() || !f->is_string() || !is_lower_hex(f->get_ref<const std::string&>(), 64))
        return bad("a member's 'fingerprint' must be 64 hex characters (a SHA-256)");
      auto n = normalize_address(a->get_ref<const std::string&>());
      if (!n.ok()) return bad("member address: " + n.error().message);
      for (const auto& seen : out.members) {
        if (seen.address == *n) return bad("member address " + *n + " is listed twice");
      }
      out.members.push_back(TokenMember{std::move(n).value(), f->get<std::string>()});
    }
  }
  return out;
}

}  // namespace movn::commands
