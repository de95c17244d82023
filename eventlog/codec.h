// Encodes and decodes EventBatch values to and from their FlatBuffers bytes (eventlog/events.fbs).
// decode() runs the FlatBuffers verifier first, so bytes from disk or network never crash it.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "eventlog/events.h"

namespace movn::eventlog {

// Upper bound for one encoded batch; larger input is refused before verification.
inline constexpr std::size_t kMaxBatchBytes = 4 * 1024 * 1024;

std::string encode_batch(const events::EventBatch& batch);
Result<events::EventBatch> decode_batch(std::string_view bytes);

}  // namespace movn::eventlog
