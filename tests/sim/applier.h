// Applier: the state machine a simulated member folds committed entries into. BytesApplier treats
// entry bytes as opaque commands (scripted Raft tests); ProjectionApplier (projection_applier.h)
// decodes event batches and folds them into the real projections. Owned by one simulated member;
// single-threaded.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"
#include "eventlog/raft/message.h"

namespace movn::sim {

class Applier {
 public:
  virtual ~Applier() = default;
  // Entries arrive in index order, each exactly once per incarnation of the member. An error (an
  // entry the state machine cannot read) is a violation.
  virtual Result<void> apply(const raft::Entry& entry) = 0;
  // A digest of the state after the last applied entry: equal on every member at equal index.
  virtual std::string digest() const = 0;
};

// Folds (index, term, type, bytes) into a running FNV-1a-64 hash.
class BytesApplier final : public Applier {
 public:
  Result<void> apply(const raft::Entry& e) override {
    mix(e.index.value);
    mix(e.term.value);
    mix(static_cast<std::uint64_t>(e.type));
    for (char c : e.data) byte(static_cast<unsigned char>(c));
    mix(e.data.size());
    return {};
  }
  std::string digest() const override {
    return std::string(reinterpret_cast<const char*>(&hash_), sizeof(hash_));
  }

 private:
  void byte(unsigned char b) { hash_ = (hash_ ^ b) * 0x100000001b3ULL; }
  void mix(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) byte(static_cast<unsigned char>(v >> (8 * i)));
  }
  std::uint64_t hash_ = 0xcbf29ce484222325ULL;
};

}  // namespace movn::sim
