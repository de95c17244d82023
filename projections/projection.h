// The projection interface: a pure fold of the event log into a view (docs/design.md §2, §4).
// apply() never fails and never does I/O; digest() and snapshot() are deterministic, so every
// member that applied the same log holds the same digests. Single-threaded (core thread).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "common/cbor_check.h"
#include "common/ids.h"
#include "common/result.h"
#include "common/sha256.h"
#include "eventlog/events.h"

namespace movn::projections {

// Checkpoints nest a few levels deep; bytes nested deeper are damaged (common/cbor_check.h).
inline constexpr std::size_t kMaxCheckpointDepth = 8;

// An unsigned integer field of a snapshot being restored. Snapshots only ever hold unsigned
// integers there; a float or a negative number is damage, refused with an exception the restore
// turns into kCorruption (converting a float that does not fit would be undefined behaviour).
template <class Json>
std::uint64_t snapshot_u64(const Json& v) {
  if (!v.is_number_unsigned()) throw std::invalid_argument("expected an unsigned integer, found " + v.dump());
  return v.template get<std::uint64_t>();
}

struct ApplyContext {
  LogIndex index;
  Term term;
  ClusterTimeMs time;
  const events::EventBatch& batch;
};

class Projection {
 public:
  virtual ~Projection() = default;
  virtual std::string_view name() const = 0;
  virtual void apply(const events::Event& e, const ApplyContext& ctx) = 0;
  // Canonical bytes of the state: equal states give equal bytes.
  virtual std::string snapshot() const = 0;
  virtual Result<void> restore(std::string_view bytes) = 0;
  Digest digest() const { return sha256(snapshot()); }
};

}  // namespace movn::projections
