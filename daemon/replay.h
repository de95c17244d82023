// Replay: reads the committed log of a member's store back into the projections at start-up, for
// the host loop (host::Recovered). Loads the projection checkpoint (unless `rebuild`) and replays
// the committed log after it, verifying the hash chain of every replayed entry and completing
// missing links; with `rebuild`, drops the checkpoints and replays the whole committed log. Writes
// a fresh checkpoint when it replayed anything. Runs before the storage thread starts.
#pragma once

#include "eventlog/store.h"
#include "host/node.h"

namespace movn::daemon {

// Busy time of the two replay stages (read + verify + decode, and apply).
struct ReplayStats {
  double read_seconds = 0;
  double apply_seconds = 0;
};

Result<host::Recovered> replay(eventlog::Store& store, bool rebuild, ReplayStats* stats = nullptr);

}  // namespace movn::daemon
