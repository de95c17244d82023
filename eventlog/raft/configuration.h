// Configuration: the members of the Raft group and their roles, and the binary encoding that an
// EntryType::kConfig entry carries (docs/adr/0006). Owned by eventlog/raft; value types,
// thread-safe as values. Decoding never trusts its input: every error is a Result, never a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ids.h"
#include "common/result.h"

namespace movn::raft {

// Every role receives the whole log (the log is the product); only voters vote and count toward
// a quorum. Stand-bys are kept current and promoted first; spares only when no stand-by is left.
enum class MemberRole : std::uint8_t { kVoter = 1, kStandby = 2, kSpare = 3 };
std::string_view member_role_name(MemberRole role);  // "voter", "stand-by", "spare"

struct Configuration {
  std::map<NodeId, MemberRole> members;

  bool contains(NodeId id) const { return members.contains(id); }
  std::optional<MemberRole> role(NodeId id) const;
  bool is_voter(NodeId id) const { return role(id) == MemberRole::kVoter; }
  std::size_t voter_count() const;
  std::vector<NodeId> voters() const;
  // Votes (or acknowledgements) needed among the voters: a majority.
  std::size_t quorum() const { return voter_count() / 2 + 1; }
  // This configuration with one member set to role, or removed when role is nullopt.
  Configuration with(NodeId id, std::optional<MemberRole> role) const;
  bool operator==(const Configuration&) const = default;
};

// Every id a voter: the initial configuration given by Config::voters.
Configuration voters_configuration(const std::vector<NodeId>& voters);
// "1:voter 2:stand-by 3:spare", for messages and traces.
std::string to_string(const Configuration& c);

// A configuration and the index of the kConfig entry that carries it (0: the initial one, which
// is not in the log).
struct IndexedConfiguration {
  LogIndex index;
  Configuration configuration;
  bool operator==(const IndexedConfiguration&) const = default;
};

// Encoding, version 1 (all integers big-endian):
//   u8 version = 1 | u32 n | n × (u64 member id | u8 role)
// exactly 5 + 9n bytes; ids non-zero and strictly ascending (one encoding per configuration);
// roles 1..3; 1 <= n <= kMaxConfigurationMembers; at least one voter.
inline constexpr std::uint8_t kConfigurationVersion = 1;
inline constexpr std::size_t kMaxConfigurationMembers = 1024;

std::string encode_configuration(const Configuration& c);
// kCorruption with the reason ("configuration: unsupported version 7") on any malformed input.
Result<Configuration> decode_configuration(std::string_view bytes);

}  // namespace movn::raft
