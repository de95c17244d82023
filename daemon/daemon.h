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
};

// Runs until SIGINT or SIGTERM. Returns an error for anything that stops the daemon from starting.
Result<void> run_daemon(const DaemonOptions& options);

// Offline rebuild of a stopped member's store: drops the checkpoints, replays the whole log with
// hash-chain verification, writes a fresh checkpoint. Returns the projections (name, applied
// index, digest) as a JSON array.
Result<std::string> rebuild_offline(const DaemonOptions& options);

}  // namespace movn::daemon
