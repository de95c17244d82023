// Fuzz target: the peer wire format (transport/peer_frame.h), what any TLS peer can send: every
// input is a clear error or a message whose fields were checked; an accepted frame re-encodes to
// bytes that decode to the same message.
#include <cstdint>

#include "tests/fuzz/fuzz_util.h"
#include "transport/peer_frame.h"

using namespace movn;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto m = transport::decode_peer_message(fuzz::as_view(data, size));
  if (!m.ok()) {
    MOVN_FUZZ_CHECK(m.error().code == Errc::kInvalidArgument || m.error().code == Errc::kTooLarge,
                    "a bad frame is the peer's error");
    return 0;
  }
  if (const auto* r = std::get_if<raft::Message>(&*m)) {
    MOVN_FUZZ_CHECK(r->from.value != 0 && r->to.value != 0, "member ids are not zero");
    for (std::size_t i = 0; i < r->entries.size(); ++i)
      MOVN_FUZZ_CHECK(r->entries[i].index.value == r->index.value + 1 + i, "entries follow the previous index");
  }
  const std::string bytes = transport::encode_peer_message(*m);
  auto again = transport::decode_peer_message(bytes);
  MOVN_FUZZ_CHECK(again.ok(), "a decoded frame re-encodes to one that decodes");
  MOVN_FUZZ_CHECK(transport::encode_peer_message(*again) == bytes, "a decoded frame round-trips");
  return 0;
}
