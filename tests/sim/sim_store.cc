#include "tests/sim/sim_store.h"

#include <algorithm>

namespace movn::sim {

void SimStore::write(const raft::Ready& ready) {
  if (!ready.hard_state && !ready.committed_config && ready.entries_to_persist.empty()) return;
  view_.persist(ready);
  pending_.push_back(Write{ready.hard_state, ready.committed_config, ready.entries_to_persist});
}

void SimStore::sync() {
  for (Write& w : pending_) {
    if (w.hard_state) durable_.set_hard_state(*w.hard_state);
    if (w.committed_config) durable_.set_committed_config(std::move(w.committed_config));
    durable_.append(w.entries);
  }
  pending_.clear();
}

LogIndex SimStore::synced_through() const {
  LogIndex through = durable_.last_index();
  for (const Write& w : pending_) {
    if (!w.entries.empty()) through = std::min(through, w.entries.front().index.prev());
  }
  return through;
}

void SimStore::crash() {
  if (pending_.empty()) return;
  pending_.clear();
  view_ = durable_;
}

}  // namespace movn::sim
