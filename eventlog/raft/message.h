// Raft messages, hard state and Ready: the values that cross the boundary of the pure Raft core.
// Owned by eventlog/raft. Plain value types; thread-safe as values.
// The FlatBuffers wire format comes with the transport; the core only sees these structs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ids.h"
#include "eventlog/entry.h"
#include "eventlog/raft/configuration.h"

namespace movn::raft {

using eventlog::Entry;
using eventlog::EntryType;

// NodeId 0 means "nobody" (no vote, no known leader).
inline constexpr NodeId kNoNode{};

enum class MessageType : std::uint8_t {
  kPreVote,        // "would you vote for me in term+1?"; never changes the receiver's term
  kPreVoteResp,
  kVote,           // RequestVote
  kVoteResp,
  kApp,            // AppendEntries: index/log_term = the previous entry, entries follow it
  kAppResp,        // index = prev + n_entries on success; on reject, index = rejected prev
  kHeartbeat,      // an empty AppendEntries: index/log_term = the previous entry, commit;
                   // context = the newest ReadIndex round waiting for acknowledgements (or 0)
  kHeartbeatResp,  // index = the heartbeat's index if it matched (reject otherwise); context echoed
  kTimeoutNow,     // leadership transfer: the receiver campaigns at once, without pre-vote
};

std::string_view message_type_name(MessageType type);

// Replies that acknowledge what their sender holds (entries, a match, a vote): the host sends them
// only once the Ready that produced them is durable. Every other message of a Ready (the leader's
// appends and heartbeats, which carry entries still being written) may leave while the Ready's
// write runs, unless that Ready changes the term or the vote: then every message waits for it.
inline bool must_follow_persist(MessageType type) {
  return type == MessageType::kAppResp || type == MessageType::kHeartbeatResp ||
         type == MessageType::kVoteResp || type == MessageType::kPreVoteResp;
}

struct Message {
  MessageType type = MessageType::kApp;
  NodeId from;
  NodeId to;
  Term term;
  Term log_term;
  LogIndex index;
  std::vector<Entry> entries;
  LogIndex commit;
  bool reject = false;
  LogIndex reject_hint;
  // kVote of a leadership transfer: receivers grant it even within a leader's check-quorum lease.
  bool transfer = false;
  // kHeartbeat/kHeartbeatResp: the ReadIndex round being confirmed (0: none).
  std::uint64_t context = 0;
  bool operator==(const Message&) const = default;
};

// One line, for traces: "App 1->2 t=3 i=5 lt=2 n=1 c=4".
std::string to_string(const Message& m);

// What must be durable before any message that depends on it leaves the member.
struct HardState {
  Term term;
  NodeId vote;
  LogIndex commit;
  bool operator==(const HardState&) const = default;
};

// A confirmed ReadIndex request: the host may serve the read once it has applied up to index.
struct ReadState {
  std::uint64_t request_ctx = 0;  // as given to Core::read_index()
  LogIndex index;
  bool operator==(const ReadState&) const = default;
};

// The core's output. The host must, in order: persist hard_state, committed_config and
// entries_to_persist (entries_to_persist may start at or below the last persisted index:
// truncate from its first index, then append) and sync; then send messages; then apply
// committed; then call advance(). A read in read_states may be served once applied >= its index.
struct Ready {
  std::optional<HardState> hard_state;
  // The last configuration at or below the commit index, when it changed. The host keeps it
  // outside the log, in the same write as hard_state, and hands both back to the Core constructor
  // after a restart. Like the commit index it can be derived from the log again, so it needs no
  // sync of its own.
  std::optional<IndexedConfiguration> committed_config;
  std::vector<Entry> entries_to_persist;
  std::vector<Message> messages;
  std::vector<Entry> committed;
  std::vector<ReadState> read_states;
};

// Size of an entry as counted against byte limits (data plus a fixed header).
inline std::uint64_t entry_bytes(const Entry& e) { return e.data.size() + 24; }

}  // namespace movn::raft
