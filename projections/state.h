// State: every projection together, folded batch by batch, with the applied index.
// It is the "view" decide() reads. Copyable (the daemon keeps a speculative copy that includes
// proposed batches). Single-threaded (core thread).
#pragma once

#include <string>
#include <vector>

#include "projections/certificates.h"
#include "projections/services.h"
#include "projections/config.h"
#include "projections/membership.h"
#include "projections/requests.h"
#include "projections/tokens.h"

namespace movn::projections {

struct ProjectionInfo {
  std::string name;
  LogIndex applied_index;
  std::string digest_hex;
};

// What folding one batch did.
enum class ApplyOutcome : std::uint8_t {
  kApplied,     // its events changed the state
  kSuperseded,  // its preconditions no longer held (a concurrent batch won): recorded, nothing else
  kDuplicate,   // its request id was applied before with the same parameters: nothing changes
  kReusedId,    // its request id was applied before for another request: nothing changes
  kExpired,     // its request id is older than the dedup window remembers: it may have been
                // applied and forgotten, so it is refused, nothing changes (Requests::expired)
};

class State {
 public:
  // Folds one batch stored at `index`. Never fails. A request id that is already recorded (a
  // retry that a new leader proposed again, or an id reused for another request) changes
  // nothing but the applied index, on every member alike, so no request is applied twice; the
  // first record stands (requests().find()).
  ApplyOutcome apply_batch(const events::EventBatch& batch, LogIndex index, Term term);
  // The deterministic re-check of a batch's preconditions against this state.
  bool preconditions_hold(const events::EventBatch& batch) const;
  // Advances the applied index over an entry that carries no events (a Raft no-op or config).
  void skip(LogIndex index);

  LogIndex applied_index() const { return applied_index_; }
  std::uint64_t last_time_ms() const { return last_time_ms_; }
  const Membership& membership() const { return membership_; }
  const Tokens& tokens() const { return tokens_; }
  const Config& config() const { return config_; }
  const Requests& requests() const { return requests_; }
  const Certificates& certificates() const { return certificates_; }
  const Services& services() const { return services_; }

  std::vector<ProjectionInfo> describe() const;
  // Checkpoint of every projection plus the applied index, and its inverse.
  std::string checkpoint() const;
  Result<void> restore_checkpoint(std::string_view bytes);

 private:
  std::vector<const Projection*> all() const {
    return {&membership_, &tokens_, &config_, &requests_, &certificates_, &services_};
  }

  Membership membership_;
  Tokens tokens_;
  Config config_;
  Requests requests_;
  Certificates certificates_;
  Services services_;
  LogIndex applied_index_;
  std::uint64_t last_time_ms_ = 0;
};

}  // namespace movn::projections
