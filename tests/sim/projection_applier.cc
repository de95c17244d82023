#include "tests/sim/projection_applier.h"

#include "common/sha256.h"
#include "eventlog/codec.h"

namespace movn::sim {

Result<void> ProjectionApplier::apply(const raft::Entry& e) {
  if (e.index <= state_.applied_index()) {
    return make_error(Errc::kInternal, "entry " + std::to_string(e.index.value) +
                                           " applied after entry " +
                                           std::to_string(state_.applied_index().value));
  }
  last_folded_.reset();
  if (e.type != raft::EntryType::kEventBatch) {
    state_.skip(e.index);
    return {};
  }
  auto batch = eventlog::decode_batch(e.data);
  if (!batch.ok()) {
    // Consumed all the same, so the next entry still follows in order.
    state_.skip(e.index);
    return std::move(batch).error().wrap("entry " + std::to_string(e.index.value) +
                                         " is not an event batch");
  }
  last_folded_ = Folded{batch->request_id, state_.apply_batch(*batch, e.index, e.term)};
  return {};
}

std::string ProjectionApplier::digest() const {
  Sha256 h;
  h.update_u64(state_.applied_index().value).update_u64(state_.last_time_ms());
  for (const projections::ProjectionInfo& p : state_.describe()) {
    h.update_field(p.name).update_field(p.digest_hex);
  }
  Digest d = h.finish();
  return std::string(d.begin(), d.end());
}

}  // namespace movn::sim
