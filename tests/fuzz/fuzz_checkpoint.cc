// Fuzz target: projection checkpoints read from disk at start. A damaged checkpoint must be
// refused (the daemon then replays the log), never crash; one that restores must snapshot,
// checkpoint again and restore to the same digests.
#include <cstdint>

#include "projections/state.h"
#include "tests/fuzz/fuzz_util.h"

using namespace movn;

namespace {
template <class P>
void restore_one(std::string_view bytes) {
  P p;
  if (!p.restore(bytes).ok()) return;
  P again;
  MOVN_FUZZ_CHECK(again.restore(p.snapshot()).ok(), "a restored projection's snapshot restores");
  MOVN_FUZZ_CHECK(again.digest() == p.digest(), "snapshot is a fixed point");
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = fuzz::as_view(data, size);
  projections::State state;
  if (state.restore_checkpoint(bytes).ok()) {
    auto info = state.describe();
    projections::State again;
    MOVN_FUZZ_CHECK(again.restore_checkpoint(state.checkpoint()).ok(), "a checkpoint of a restored state restores");
    auto info2 = again.describe();
    for (std::size_t i = 0; i < info.size(); ++i)
      MOVN_FUZZ_CHECK(info[i].digest_hex == info2[i].digest_hex, "checkpoint is a fixed point");
  }
  // Each projection's own snapshot format, on the same bytes.
  restore_one<projections::Membership>(bytes);
  restore_one<projections::Tokens>(bytes);
  restore_one<projections::Config>(bytes);
  restore_one<projections::Requests>(bytes);
  restore_one<projections::Certificates>(bytes);
  return 0;
}
