// Supervisor: keeps the OVN/OVS daemons of one member running. It starts each process in its
// own session with its console output in LOG_DIR/NAME-console.log, records PID_DIR/NAME.pid
// (pid, start time, boot id) so that a later Supervisor (after a daemon restart) adopts the
// process instead of starting a second one, restarts a process that exits with a bounded
// exponential backoff, and stops processes in a given order (SIGTERM, then SIGKILL).
//
// Owned by the daemon, which calls poll() from a timer (e.g. every 100 ms); no Asio, no threads.
// Not thread-safe: one thread calls every method. Time comes only from the injected Clock.
// Destroying a Supervisor forgets its processes without signalling them: the data plane
// outlives microovnd. Exits are seen through a pidfd per process, so an adopted process (not
// our child) is noticed too; our own children are reaped with waitpid(pid, WNOHANG). The daemon
// sets prctl(PR_SET_CHILD_SUBREAPER) so that anything its children leave behind is reparented to
// it rather than to a PID 1 that reaps lazily (ovn-runtime.md §0); such orphans are not the
// Supervisor's and the daemon reaps them.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "ovn/proc.h"

namespace movn::ovn {

// A monotonic Clock for the supervisor's timing (backoff, stop timeouts): unlike the wall
// clock, it does not jump when the system time is set.
class SteadyClock final : public Clock {
 public:
  std::uint64_t now_ms() const override {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::steady_clock::now().time_since_epoch())
                                          .count());
  }
};

struct ProcessSpec {
  std::string name;               // 1-64 of [A-Za-z0-9._-], not starting with '.'; names its files
  std::vector<std::string> argv;  // argv[0]: a path, or a name looked up in the PATH of env
  std::vector<std::string> env;   // the whole environment, "KEY=VALUE" (ovn/layout.h)
};

struct SupervisorOptions {
  std::filesystem::path log_dir;  // NAME-console.log (layout.logs)
  std::filesystem::path pid_dir;  // NAME.pid (layout.supervisor_run)
  std::uint64_t backoff_initial_ms = 100;
  std::uint64_t backoff_max_ms = 10'000;
  std::uint64_t stable_after_ms = 10'000;          // a run at least this long resets the backoff
  std::uint64_t stop_timeout_ms = 5'000;           // SIGTERM, then SIGKILL after this long
  std::uint64_t console_log_max_bytes = 4u << 20;  // larger: moved to NAME-console.log.1 at a start
};

enum class ProcessState {
  kRunning,   // alive (started or adopted)
  kBackoff,   // exited; restarted at next_start_ms
  kStopping,  // SIGTERM sent; waiting for the exit
  kStopped,   // stopped on request; start() starts it again
};
std::string_view process_state_name(ProcessState state);

struct ProcessStatus {
  ProcessState state = ProcessState::kStopped;
  pid_t pid = 0;                    // the current process; 0 when there is none
  bool adopted = false;             // started by an earlier Supervisor, not our child
  std::uint64_t started_ms = 0;     // when it was started or adopted
  std::uint32_t restarts = 0;       // starts after an unrequested exit
  std::uint64_t next_start_ms = 0;  // kBackoff: when it is started again
  std::uint64_t backoff_ms = 0;     // kBackoff: the delay of this restart
  int exit_code = -1;               // of the last exit: exit status, or -1
  int exit_signal = 0;              // of the last exit: the signal that ended it, or 0
  bool exit_known = false;          // false: the last process was not our child, so no status
  bool killed = false;              // kStopping: SIGKILL has been sent
  bool stop_pending = false;        // queued by stop(): never restarted again
  std::string last_error;           // why the last restart could not start it
};

enum class StartOutcome { kStarted, kAdopted, kAlreadyRunning };

class Supervisor {
 public:
  Supervisor(SupervisorOptions options, const Clock& clock);
  ~Supervisor();  // forgets; never signals
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // Makes `spec.name` run. A name already running (or in backoff) keeps its process and takes
  // the new spec for its next restart (kAlreadyRunning). Otherwise, a pidfile naming a live
  // process of this boot with the recorded start time is adopted (kAdopted); a stale pidfile is
  // removed and the program started (kStarted).
  // Errors: kInvalidArgument for a bad name or empty argv; kFailedPrecondition while the name is
  // stopping; kCorruption for a damaged pidfile (nothing is started: discard_pidfile() first);
  // kNotFound for a program that does not exist; kNotFound/kPermissionDenied/kIo when the
  // console log or the pidfile cannot be written.
  Result<StartOutcome> start(const ProcessSpec& spec);

  // Like start(), but never starts a program: true when the name runs (already managed, or
  // adopted from its pidfile), false when nothing runs under it.
  Result<bool> adopt(const ProcessSpec& spec);

  // Stops the named processes one after the other, in this order: SIGTERM, wait for the exit
  // (SIGKILL to the process and its group after stop_timeout_ms), then the next one. poll()
  // does the work; stopping() says whether it is done. Names already stopped are skipped;
  // a name that is not managed is kNotFound and nothing is stopped.
  Result<void> stop(const std::vector<std::string>& names);
  bool stopping() const { return !stop_queue_.empty(); }

  // Reaps exits, restarts what is due and advances a stop. Call it periodically.
  void poll();

  std::optional<ProcessStatus> status(std::string_view name) const;
  std::vector<std::string> names() const;

  // Removes NAME.pid (for example a damaged one that start() refused). Not for a managed name.
  Result<void> discard_pidfile(std::string_view name);

  std::filesystem::path pidfile_path(std::string_view name) const;
  std::filesystem::path console_log_path(std::string_view name) const;

 private:
  struct Process {
    ProcessSpec spec;
    ProcessStatus status;
    PidFd pidfd;
    std::uint64_t term_sent_ms = 0;
  };

  Result<void> ensure_boot_id();
  Result<bool> try_adopt(Process& p);
  Result<void> spawn(Process& p);
  bool on_exit(Process& p, std::uint64_t now_ms);
  void advance_stop(std::uint64_t now_ms);
  void remove_pidfile(const Process& p) const;

  SupervisorOptions options_;
  const Clock& clock_;
  std::string boot_id_;  // read once, when first needed
  std::map<std::string, Process, std::less<>> processes_;
  std::deque<std::string> stop_queue_;
};

}  // namespace movn::ovn
