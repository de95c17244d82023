// ProjectionApplier: a simulated member's state machine with the real fold: each committed event
// batch is decoded by the event codec and applied to projections::State, the view the member's
// commands::decide() reads. Owned by one simulated member; single-threaded.
#pragma once

#include <optional>
#include <string>

#include "projections/state.h"
#include "tests/sim/applier.h"

namespace movn::sim {

class ProjectionApplier final : public Applier {
 public:
  // An event batch is folded into the projections (a superseded batch is recorded as such); a
  // Raft no-op or configuration entry only advances the applied index. An entry that does not
  // decode, or that arrives out of order, is an error.
  Result<void> apply(const raft::Entry& entry) override;
  // SHA-256 over the applied index, the last cluster time and every projection's digest.
  std::string digest() const override;

  const projections::State& state() const { return state_; }
  // What the last apply() did with an event batch (nullopt after another kind of entry).
  struct Folded {
    std::string request_id;
    projections::ApplyOutcome outcome;
  };
  const std::optional<Folded>& last_folded() const { return last_folded_; }

 private:
  projections::State state_;
  std::optional<Folded> last_folded_;
};

}  // namespace movn::sim
