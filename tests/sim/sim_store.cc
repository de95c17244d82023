#include "tests/sim/sim_store.h"

namespace movn::sim {

void SimStore::write(const raft::Ready& ready) {
  if (!ready.hard_state && ready.entries_to_persist.empty()) return;
  if (ready.hard_state) view_.set_hard_state(*ready.hard_state);
  view_.append(ready.entries_to_persist);
  pending_.push_back(Write{ready.hard_state, ready.entries_to_persist});
}

void SimStore::sync() {
  for (Write& w : pending_) {
    if (w.hard_state) durable_.set_hard_state(*w.hard_state);
    durable_.append(w.entries);
  }
  pending_.clear();
}

void SimStore::crash() {
  if (pending_.empty()) return;
  pending_.clear();
  view_ = durable_;
}

}  // namespace movn::sim
