// The committed Raft configuration as the store keeps it (docs/adr/0006): u64 index (big-endian)
// + the raft encoding (eventlog/raft/configuration.h). Value functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "eventlog/raft/configuration.h"

namespace movn::daemon {

std::string encode_committed_config(const raft::IndexedConfiguration& c);
Result<raft::IndexedConfiguration> decode_committed_config(std::string_view bytes);

}  // namespace movn::daemon
