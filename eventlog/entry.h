// A log entry: the unit Raft replicates and the store keeps forever (docs/design.md §2a),
// and the hash-chain link computed over it when it is applied. Value types; thread-safe as values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/ids.h"
#include "common/sha256.h"

namespace movn::eventlog {

enum class EntryType : std::uint8_t {
  kEventBatch = 1,  // data is an encoded events::EventBatch
  kNoop = 2,        // appended by a new leader; data is empty
  kConfig = 3,      // a Raft configuration change
};

struct Entry {
  LogIndex index;
  Term term;
  EntryType type = EntryType::kEventBatch;
  std::string data;
  bool operator==(const Entry&) const = default;
};

// An entry read in place (its data points into the store's buffers).
struct EntryView {
  LogIndex index;
  Term term;
  EntryType type = EntryType::kEventBatch;
  std::string_view data;
};

// The link of the entry before the first one.
inline constexpr Digest kGenesisLink{};

// link(i) = SHA-256(link(i-1) || index || term || type || length || data).
Digest chain_link(const Digest& prev, const Entry& e);
Digest chain_link(const Digest& prev, const EntryView& e);

}  // namespace movn::eventlog
