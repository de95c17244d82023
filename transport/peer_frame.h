// The peer wire format: host::PeerMessage as a FlatBuffers Frame (transport/peer.fbs), sent as a
// 4-byte little-endian length and then that many bytes. A frame is size-limited, verified, and
// then every field is checked before the host sees it: a union without a value, text that is not
// UTF-8, an unknown message or entry type, entries that do not follow their append's previous
// index, a zero member id. A frame that fails is an error (kInvalidArgument, or kTooLarge for
// its length); the link that carried it is closed, and nothing reaches the host loop.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "host/peer_message.h"

namespace movn::transport {

// The largest frame body. An append carries at most max_append_bytes (256 KiB in microovnd) but
// always one entry, and an entry holds at most one event batch (bounded by the API's body limit).
inline constexpr std::size_t kMaxFrameBytes = 16 << 20;
inline constexpr std::size_t kFrameHeaderBytes = 4;

// The frame body of a message (no length prefix).
std::string encode_peer_message(const host::PeerMessage& message);
// Decodes and checks a frame body.
Result<host::PeerMessage> decode_peer_message(std::string_view body);

// The length prefix of a body of `size` bytes, and the body's length from a prefix: an error
// for 0 (kInvalidArgument) or over kMaxFrameBytes (kTooLarge).
std::string frame_header(std::size_t size);
Result<std::size_t> parse_frame_header(std::string_view header);

}  // namespace movn::transport
