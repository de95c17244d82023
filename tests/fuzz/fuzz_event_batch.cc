// Fuzz target: the event batch decoder (bytes of a log entry, from disk or, later, a peer), the
// JSON rendering of `events list`, and folding into the projections. Whatever decode accepts must
// render, fold and snapshot without throwing, and re-encode to a batch that decodes the same.
#include <cstdint>

#include "common/time.h"
#include "eventlog/codec.h"
#include "eventlog/event_json.h"
#include "projections/state.h"
#include "tests/fuzz/fuzz_util.h"

using namespace movn;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto batch = eventlog::decode_batch(fuzz::as_view(data, size));
  if (!batch.ok()) {
    MOVN_FUZZ_CHECK(!batch.error().message.empty(), "an error says what is wrong");
    return 0;
  }
  // What GET /1.0/events renders for each event (daemon/api.cc).
  nlohmann::ordered_json rendered = nlohmann::ordered_json::array();
  for (const auto& ev : batch->events) {
    rendered.push_back({{"time", format_rfc3339(batch->cluster_time.value, true)},
                        {"type", events::type_name(ev)},
                        {"actor", eventlog::actor_string(batch->actor)},
                        {"request_id", batch->request_id},
                        {"summary", eventlog::event_summary(ev)},
                        {"event", eventlog::event_to_json(ev)}});
    (void)events::member_of(ev);
  }
  (void)rendered.dump();  // throws on text JSON cannot carry: decode must have refused it
  auto again = eventlog::decode_batch(eventlog::encode_batch(*batch));
  MOVN_FUZZ_CHECK(again.ok(), "a decoded batch re-encodes");
  MOVN_FUZZ_CHECK(*again == *batch, "re-encoding is a fixed point");
  projections::State state;
  (void)state.apply_batch(*batch, LogIndex(1), Term(1));
  (void)state.describe();
  projections::State restored;
  MOVN_FUZZ_CHECK(restored.restore_checkpoint(state.checkpoint()).ok(), "a checkpoint restores");
  MOVN_FUZZ_CHECK(restored.describe()[0].digest_hex == state.describe()[0].digest_hex, "same digests");
  return 0;
}
