#include "eventlog/raft/configuration.h"

#include <cassert>

namespace movn::raft {

namespace {

constexpr std::size_t kHeaderBytes = 1 + 4;
constexpr std::size_t kRecordBytes = 8 + 1;

void put_be(std::string& out, std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint64_t get_be(std::string_view in, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(in[at + i]);
  return v;
}

Error corrupt(std::string what) {
  return make_error(Errc::kCorruption, "configuration: " + std::move(what));
}

bool valid_role(std::uint64_t role) {
  return role >= static_cast<std::uint64_t>(MemberRole::kVoter) &&
         role <= static_cast<std::uint64_t>(MemberRole::kSpare);
}

}  // namespace

std::string_view member_role_name(MemberRole role) {
  switch (role) {
    case MemberRole::kVoter:
      return "voter";
    case MemberRole::kStandby:
      return "stand-by";
    case MemberRole::kSpare:
      return "spare";
  }
  return "?";
}

std::optional<MemberRole> Configuration::role(NodeId id) const {
  auto it = members.find(id);
  if (it == members.end()) return std::nullopt;
  return it->second;
}

std::size_t Configuration::voter_count() const {
  std::size_t n = 0;
  for (const auto& [id, role] : members) n += role == MemberRole::kVoter ? 1 : 0;
  return n;
}

std::vector<NodeId> Configuration::voters() const {
  std::vector<NodeId> out;
  for (const auto& [id, role] : members) {
    if (role == MemberRole::kVoter) out.push_back(id);
  }
  return out;
}

Configuration Configuration::with(NodeId id, std::optional<MemberRole> role) const {
  Configuration c = *this;
  if (role) {
    c.members[id] = *role;
  } else {
    c.members.erase(id);
  }
  return c;
}

Configuration voters_configuration(const std::vector<NodeId>& voters) {
  Configuration c;
  for (NodeId id : voters) c.members.emplace(id, MemberRole::kVoter);
  return c;
}

std::string to_string(const Configuration& c) {
  std::string s;
  for (const auto& [id, role] : c.members) {
    if (!s.empty()) s += ' ';
    s += std::to_string(id.value);
    s += ':';
    s += member_role_name(role);
  }
  return s.empty() ? "(no members)" : s;
}

std::string encode_configuration(const Configuration& c) {
  assert(!c.members.empty() && c.members.size() <= kMaxConfigurationMembers);
  std::string out;
  out.reserve(kHeaderBytes + kRecordBytes * c.members.size());
  out.push_back(static_cast<char>(kConfigurationVersion));
  put_be(out, c.members.size(), 4);
  for (const auto& [id, role] : c.members) {  // std::map: ascending ids
    assert(id.value != 0);
    put_be(out, id.value, 8);
    out.push_back(static_cast<char>(role));
  }
  return out;
}

Result<Configuration> decode_configuration(std::string_view bytes) {
  if (bytes.size() < kHeaderBytes) {
    return corrupt("truncated: " + std::to_string(bytes.size()) + " bytes, the header alone is " +
                   std::to_string(kHeaderBytes));
  }
  auto version = static_cast<std::uint8_t>(bytes[0]);
  if (version != kConfigurationVersion) {
    return corrupt("unsupported version " + std::to_string(version));
  }
  std::uint64_t n = get_be(bytes, 1, 4);
  if (n == 0 || n > kMaxConfigurationMembers) {
    return corrupt(std::to_string(n) + " members (1 to " +
                   std::to_string(kMaxConfigurationMembers) + " allowed)");
  }
  std::uint64_t want = kHeaderBytes + kRecordBytes * n;
  if (bytes.size() != want) {
    return corrupt(std::to_string(bytes.size()) + " bytes for " + std::to_string(n) + " members (" +
                   std::to_string(want) + " expected)");
  }
  Configuration c;
  NodeId prev;
  for (std::uint64_t i = 0; i < n; ++i) {
    std::size_t at = kHeaderBytes + kRecordBytes * i;
    NodeId id(get_be(bytes, at, 8));
    std::uint64_t role = static_cast<unsigned char>(bytes[at + 8]);
    if (id.value == 0) return corrupt("member " + std::to_string(i) + " has id 0");
    if (i > 0 && id <= prev) {
      return corrupt("member ids not strictly ascending at member " + std::to_string(i));
    }
    if (!valid_role(role)) {
      return corrupt("unknown role " + std::to_string(role) + " for member " +
                     std::to_string(id.value));
    }
    c.members.emplace(id, static_cast<MemberRole>(role));
    prev = id;
  }
  if (c.voter_count() == 0) return corrupt("no voter");
  return c;
}

}  // namespace movn::raft
