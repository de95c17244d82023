// Daemon: microovnd's wiring. It owns the io_context (the core thread), the store and its
// storage thread, this member's identity, the Node and the local API server. The only place that
// wires I/O (docs/design.md §3). Created and run on the main thread, which becomes the core thread.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "common/result.h"
#include "eventlog/store.h"

namespace movn::daemon {

struct DaemonOptions {
  std::filesystem::path state_dir = "/var/lib/microovn/state";
  eventlog::Compression compression = eventlog::Compression::kLz4;
  bool rebuild = false;  // drop the projection checkpoints and replay the whole log
  // Seconds the daemon's clock runs ahead of the system clock (negative: behind). For tests of
  // expiry and renewal; 0 in use.
  std::int64_t clock_offset_s = 0;
  // No OVN/OVS: the service reconciler does not run (tests and benchmarks of the control plane,
  // many members on one host's loopback).
  bool without_ovn = false;
};

enum class DaemonExit {
  kStopped,  // SIGINT or SIGTERM
  kRemoved,  // this member was removed from its cluster: its state is to be retired
             // (retire_member_state) and the daemon started again, uninitialised
};

// Runs until SIGINT or SIGTERM, or until this member is removed from its cluster. Returns an
// error for anything that stops the daemon from starting.
Result<DaemonExit> run_daemon(const DaemonOptions& options);

// Offline rebuild of a stopped member's store: drops the checkpoints, replays the whole log with
// hash-chain verification, writes a fresh checkpoint. Returns the projections (name, applied
// index, digest) as a JSON array.
Result<std::string> rebuild_offline(const DaemonOptions& options);

}  // namespace movn::daemon
