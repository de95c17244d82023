#include "ovn/supervisor.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "ovn/file_util.h"

namespace movn::ovn {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kPidfileMaxBytes = 4096;
constexpr mode_t kPidfileMode = 0644;

Result<void> validate_spec(const ProcessSpec& spec) {
  const std::string& n = spec.name;
  if (n.empty() || n.size() > 64 || n.front() == '.' ||
      n.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") !=
          std::string::npos) {
    return make_error(Errc::kInvalidArgument,
                      "'" + n.substr(0, 64) +
                          "' is not a process name (1-64 of A-Z a-z 0-9 . _ -, no leading '.')");
  }
  if (spec.argv.empty() || spec.argv.front().empty()) {
    return make_error(Errc::kInvalidArgument, "process " + n + " has no command line");
  }
  return ok_result();
}

// Ends a child we just started and could not record, so that no unrecorded process is left.
void kill_and_reap(pid_t pid) {
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

std::string_view process_state_name(ProcessState state) {
  switch (state) {
    case ProcessState::kRunning:
      return "running";
    case ProcessState::kBackoff:
      return "backoff";
    case ProcessState::kStopping:
      return "stopping";
    case ProcessState::kStopped:
      return "stopped";
  }
  return "unknown";
}

Supervisor::Supervisor(SupervisorOptions options, const Clock& clock)
    : options_(std::move(options)), clock_(clock) {}

Result<void> Supervisor::ensure_boot_id() {
  if (!boot_id_.empty()) return ok_result();
  auto boot = read_boot_id();
  if (!boot.ok()) return std::move(boot).error().wrap("cannot tell this boot from another");
  boot_id_ = std::move(boot).value();
  return ok_result();
}

// PidFds close; the processes keep running and their pidfiles stay for the next Supervisor.
Supervisor::~Supervisor() = default;

fs::path Supervisor::pidfile_path(std::string_view name) const {
  return options_.pid_dir / (std::string(name) + ".pid");
}
fs::path Supervisor::console_log_path(std::string_view name) const {
  return options_.log_dir / (std::string(name) + "-console.log");
}

void Supervisor::remove_pidfile(const Process& p) const {
  ::unlink(pidfile_path(p.spec.name).c_str());
}

Result<StartOutcome> Supervisor::start(const ProcessSpec& spec) {
  MOVN_TRY(validate_spec(spec));
  auto it = processes_.find(spec.name);
  if (it != processes_.end()) {
    Process& p = it->second;
    if (p.status.stop_pending || p.status.state == ProcessState::kStopping) {
      return make_error(Errc::kFailedPrecondition, "process " + spec.name + " is being stopped");
    }
    if (p.status.state != ProcessState::kStopped) {
      p.spec = spec;
      return StartOutcome::kAlreadyRunning;
    }
  }
  Process fresh;
  fresh.spec = spec;
  auto adopted = try_adopt(fresh);
  if (!adopted.ok()) return std::move(adopted).error().wrap("cannot start " + spec.name);
  if (!*adopted) {
    auto spawned = spawn(fresh);
    if (!spawned.ok()) return std::move(spawned).error().wrap("cannot start " + spec.name);
  }
  processes_.insert_or_assign(spec.name, std::move(fresh));
  return *adopted ? StartOutcome::kAdopted : StartOutcome::kStarted;
}

Result<bool> Supervisor::adopt(const ProcessSpec& spec) {
  MOVN_TRY(validate_spec(spec));
  auto it = processes_.find(spec.name);
  if (it != processes_.end() && it->second.status.state != ProcessState::kStopped) {
    return it->second.status.state != ProcessState::kBackoff;
  }
  Process fresh;
  fresh.spec = spec;
  auto adopted = try_adopt(fresh);
  if (!adopted.ok()) return std::move(adopted).error().wrap("cannot adopt " + spec.name);
  if (*adopted) processes_.insert_or_assign(spec.name, std::move(fresh));
  return *adopted;
}

Result<bool> Supervisor::try_adopt(Process& p) {
  const fs::path path = pidfile_path(p.spec.name);
  auto text = read_small_file(path, kPidfileMaxBytes);
  if (!text.ok()) {
    if (text.error().code == Errc::kNotFound) return false;
    return std::move(text).error();
  }
  auto record = parse_pid_record(*text);
  if (!record.ok()) {
    return std::move(record).error().wrap(path.string() +
                                          " (remove it to start the process again)");
  }
  auto stale = [&] {
    remove_pidfile(p);
    return false;
  };
  MOVN_TRY(ensure_boot_id());
  if (record->boot_id != boot_id_) return stale();
  // Open the pidfd before reading the start time: if the start time matches, the pidfd
  // names that very process, even if it exits and its pid is reused later.
  auto fd = PidFd::open(record->pid);
  if (!fd.ok()) {
    if (fd.error().code == Errc::kNotFound) return stale();
    return std::move(fd).error();
  }
  auto st = read_proc_stat(record->pid);
  if (!st.ok()) {
    if (st.error().code == Errc::kNotFound) return stale();
    return std::move(st).error();
  }
  if (st->state == 'Z' || st->start_time_ticks != record->start_time_ticks || fd->exited())
    return stale();

  p.pidfd = std::move(fd).value();
  p.status = ProcessStatus{};
  p.status.state = ProcessState::kRunning;
  p.status.pid = record->pid;
  p.status.adopted = true;
  p.status.started_ms = clock_.now_ms();
  return true;
}

Result<void> Supervisor::spawn(Process& p) {
  MOVN_TRY(ensure_boot_id());
  const fs::path log = console_log_path(p.spec.name);
  struct stat st {};
  if (::stat(log.c_str(), &st) == 0 &&
      static_cast<std::uint64_t>(st.st_size) > options_.console_log_max_bytes) {
    ::rename(log.c_str(), (log.string() + ".1").c_str());
  }
  MOVN_ASSIGN_OR_RETURN(const pid_t pid, spawn_process(p.spec.argv, p.spec.env, log));
  // Until we reap it, the child (even if it has exited already) keeps its pid and /proc entry.
  auto fd = PidFd::open(pid);
  auto proc = read_proc_stat(pid);
  if (!fd.ok() || !proc.ok()) {
    kill_and_reap(pid);
    return (!fd.ok() ? std::move(fd).error() : std::move(proc).error())
        .wrap("cannot watch the new process");
  }
  auto written = write_file_atomic(
      pidfile_path(p.spec.name),
      format_pid_record(PidRecord{pid, proc->start_time_ticks, boot_id_}), kPidfileMode);
  if (!written.ok()) {
    kill_and_reap(pid);
    return std::move(written).error().wrap("cannot record the pidfile");
  }
  p.pidfd = std::move(fd).value();
  p.status.state = ProcessState::kRunning;
  p.status.pid = pid;
  p.status.adopted = false;
  p.status.killed = false;
  p.status.started_ms = clock_.now_ms();
  return ok_result();
}

bool Supervisor::on_exit(Process& p, std::uint64_t now_ms) {
  int wstatus = 0;
  pid_t r;
  do {
    r = ::waitpid(p.status.pid, &wstatus, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == 0) return false;  // not yet reapable; seen again at the next poll
  p.status.exit_known = r == p.status.pid;
  p.status.exit_code = p.status.exit_known && WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
  p.status.exit_signal = p.status.exit_known && WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
  p.pidfd.reset();
  remove_pidfile(p);
  p.status.pid = 0;
  p.status.killed = false;
  if (p.status.stop_pending || p.status.state == ProcessState::kStopping) {
    p.status.state = ProcessState::kStopped;
    return true;
  }
  const bool stable = now_ms - p.status.started_ms >= options_.stable_after_ms;
  p.status.backoff_ms = (stable || p.status.backoff_ms == 0)
                            ? options_.backoff_initial_ms
                            : std::min(p.status.backoff_ms * 2, options_.backoff_max_ms);
  p.status.next_start_ms = now_ms + p.status.backoff_ms;
  p.status.state = ProcessState::kBackoff;
  return true;
}

void Supervisor::poll() {
  const std::uint64_t now = clock_.now_ms();
  for (auto& [name, p] : processes_) {
    const bool live =
        p.status.state == ProcessState::kRunning || p.status.state == ProcessState::kStopping;
    if (live && p.pidfd.exited()) on_exit(p, now);
  }
  for (auto& [name, p] : processes_) {
    if (p.status.state != ProcessState::kBackoff || p.status.stop_pending ||
        now < p.status.next_start_ms)
      continue;
    auto spawned = spawn(p);
    if (spawned.ok()) {
      ++p.status.restarts;
      p.status.last_error.clear();
    } else {
      p.status.last_error = spawned.error().message;
      p.status.backoff_ms = std::min(p.status.backoff_ms * 2, options_.backoff_max_ms);
      p.status.next_start_ms = now + p.status.backoff_ms;
    }
  }
  advance_stop(now);
}

Result<void> Supervisor::stop(const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    if (!processes_.contains(name))
      return make_error(Errc::kNotFound, "no process " + name + " to stop");
  }
  for (const std::string& name : names) {
    Process& p = processes_.find(name)->second;
    if (p.status.state == ProcessState::kStopped || p.status.stop_pending) continue;
    p.status.stop_pending = true;
    stop_queue_.push_back(name);
  }
  advance_stop(clock_.now_ms());
  return ok_result();
}

void Supervisor::advance_stop(std::uint64_t now_ms) {
  while (!stop_queue_.empty()) {
    auto it = processes_.find(stop_queue_.front());
    if (it == processes_.end()) {
      stop_queue_.pop_front();
      continue;
    }
    Process& p = it->second;
    switch (p.status.state) {
      case ProcessState::kStopped:
      case ProcessState::kBackoff:
        p.status.state = ProcessState::kStopped;
        p.status.stop_pending = false;
        stop_queue_.pop_front();
        continue;
      case ProcessState::kRunning:
        (void)p.pidfd.send_signal(SIGTERM);
        p.status.state = ProcessState::kStopping;
        p.term_sent_ms = now_ms;
        return;
      case ProcessState::kStopping:
        if (!p.status.killed && now_ms - p.term_sent_ms >= options_.stop_timeout_ms) {
          // The group too: with setsid the process leads its own group, and a child it leaves
          // behind (a shell's sleep) must not outlive the stop.
          if (!p.pidfd.exited()) ::kill(-p.status.pid, SIGKILL);
          (void)p.pidfd.send_signal(SIGKILL);
          p.status.killed = true;
        }
        return;
    }
  }
}

std::optional<ProcessStatus> Supervisor::status(std::string_view name) const {
  auto it = processes_.find(name);
  if (it == processes_.end()) return std::nullopt;
  return it->second.status;
}

std::vector<std::string> Supervisor::names() const {
  std::vector<std::string> out;
  for (const auto& [name, p] : processes_) out.push_back(name);
  return out;
}

Result<void> Supervisor::discard_pidfile(std::string_view name) {
  auto it = processes_.find(name);
  if (it != processes_.end() && it->second.status.state != ProcessState::kStopped) {
    return make_error(Errc::kFailedPrecondition,
                      "process " + std::string(name) + " is managed; stop it first");
  }
  const fs::path path = pidfile_path(name);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    return errno_error(errno, "cannot remove", path);
  return ok_result();
}

}  // namespace movn::ovn
