// Low-level process primitives for the supervisor: /proc/PID/stat, the boot id, the supervisor's
// pidfile record, process file descriptors (pidfd) and spawning a program in its own session.
// Owned by ovn/ (used by ovn/supervisor.h). Thread-safe: no shared state; spawn_process uses
// posix_spawn, which is safe in a multi-threaded daemon.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace movn::ovn {

// What /proc/PID/stat says: the state letter (field 3; 'Z' for a zombie) and the start time in
// clock ticks after boot (field 22), which tells a process from a later one with the same pid.
struct ProcStat {
  char state = '?';
  std::uint64_t start_time_ticks = 0;
};
// Parses the text of /proc/PID/stat (the command name may hold spaces and parentheses).
// kCorruption when it does not have the expected shape.
Result<ProcStat> parse_proc_stat(std::string_view text);
// kNotFound when there is no such process (reaped, or never existed).
Result<ProcStat> read_proc_stat(pid_t pid);

// The command line of a process (/proc/PID/cmdline split at its NULs): how an adopted process
// was started. kNotFound when there is no such process; empty for a process that has not called
// exec yet, or has exited (a zombie).
Result<std::vector<std::string>> read_proc_cmdline(pid_t pid);

// /proc/sys/kernel/random/boot_id: a pid and start time mean something only within one boot.
Result<std::string> read_boot_id();

// The supervisor's pidfile: "pid=N\nstart_time=TICKS\nboot_id=UUID\n".
struct PidRecord {
  pid_t pid = 0;
  std::uint64_t start_time_ticks = 0;
  std::string boot_id;
};
std::string format_pid_record(const PidRecord& record);
// Strict: exactly these three keys, once each, decimal numbers, pid > 0, a boot id of hex digits
// and dashes. kCorruption naming what is wrong otherwise.
Result<PidRecord> parse_pid_record(std::string_view text);

// A pidfd (pidfd_open(2)): it names one process for as long as it is open, so signals sent
// through it never reach a later process that reuses the pid, and it polls readable once the
// process has exited, also for a process that is not our child.
class PidFd {
 public:
  PidFd() = default;
  ~PidFd();
  PidFd(PidFd&& other) noexcept;
  PidFd& operator=(PidFd&& other) noexcept;
  PidFd(const PidFd&) = delete;
  PidFd& operator=(const PidFd&) = delete;

  // kNotFound when no process has that pid.
  static Result<PidFd> open(pid_t pid);

  bool valid() const { return fd_ >= 0; }
  pid_t pid() const { return pid_; }
  // True once the process has terminated (it may still be an unreaped zombie).
  bool exited() const;
  // Sends `signal` to this process (not to a later one with the same pid). A process that has
  // already exited is not an error.
  Result<void> send_signal(int signal) const;
  void reset();

 private:
  int fd_ = -1;
  pid_t pid_ = 0;
};

// Finds `program` the way execvp would, but in the PATH of `env` ("KEY=VALUE" entries; the
// default PATH of ovn/layout.h when it has none). A name with a '/' is taken as it is. Returns an
// executable regular file, or kNotFound naming the program and the PATH searched.
Result<std::string> resolve_program(std::string_view program, const std::vector<std::string>& env);

// Starts argv (argv[0] resolved by resolve_program) with exactly `env`, in a new session
// (setsid: its own process group, no controlling terminal), default signal dispositions and an
// empty signal mask, stdin from /dev/null, stdout and stderr appended to `console_log` (created
// 0640 if missing), and no other file descriptor of ours. Returns the child's pid; a program
// that cannot be executed is an error here, not a child that dies at once.
Result<pid_t> spawn_process(const std::vector<std::string>& argv,
                            const std::vector<std::string>& env,
                            const std::filesystem::path& console_log);

}  // namespace movn::ovn
