// The event catalogue as plain C++ values (the FlatBuffers schema is eventlog/events.fbs).
// Projections and commands work on these; only eventlog/codec.cc touches FlatBuffers.
// Value types; thread-safe as values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/ids.h"

namespace movn::events {

struct ClusterBootstrapped {
  std::string cluster_id;
  std::string member_name;
  bool operator==(const ClusterBootstrapped&) const = default;
};

struct MemberJoined {
  std::string name;
  std::string address;
  std::string fingerprint;
  std::string certificate;
  std::uint64_t raft_id = 0;  // 0 only in logs written before the field existed: the founder
  bool operator==(const MemberJoined&) const = default;
};

struct JoinTokenIssued {
  std::string name;
  std::string secret_sha256;  // 32 raw bytes
  std::uint64_t expires_at_ms = 0;
  bool operator==(const JoinTokenIssued&) const = default;
};

enum class RevokeReason : std::uint8_t { kRevoked = 0, kExpired = 1, kUsed = 2 };

struct JoinTokenRevoked {
  std::string name;
  RevokeReason reason = RevokeReason::kRevoked;
  bool operator==(const JoinTokenRevoked&) const = default;
};

struct ConfigSet {
  std::string key;
  std::string value;
  bool operator==(const ConfigSet&) const = default;
};

struct ConfigDeleted {
  std::string key;
  bool operator==(const ConfigDeleted&) const = default;
};

struct MemberRemoved {
  std::string name;
  std::uint64_t raft_id = 0;
  bool operator==(const MemberRemoved&) const = default;
};

using Event = std::variant<ClusterBootstrapped, MemberJoined, JoinTokenIssued, JoinTokenRevoked,
                           ConfigSet, ConfigDeleted, MemberRemoved>;

struct Actor {
  std::string member;
  std::string os_user;  // empty for member-internal actions
  bool operator==(const Actor&) const = default;
};

struct EventBatch {
  std::string request_id;
  Actor actor;
  ClusterTimeMs cluster_time;
  std::vector<Event> events;
  std::string request_digest;  // 32 raw bytes, or empty
  bool operator==(const EventBatch&) const = default;
};

// Stable names used by the API, the CLI and docs/events.md.
std::string_view type_name(const Event& e);
bool is_known_type_name(std::string_view name);
std::string_view reason_name(RevokeReason r);
// The member an event is about, if any (the `--member` filter of `events list`).
std::optional<std::string_view> member_of(const Event& e);
// The Raft id a member_joined gives its member (an absent id means the founder's, 1).
inline NodeId raft_id_of(const MemberJoined& e) { return NodeId(e.raft_id != 0 ? e.raft_id : 1); }

}  // namespace movn::events
