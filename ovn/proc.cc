#include "ovn/proc.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <system_error>

#include "ovn/file_util.h"
#include "ovn/layout.h"

namespace movn::ovn {

namespace fs = std::filesystem;

namespace {

std::string errno_text(int err) { return std::error_code(err, std::generic_category()).message(); }

template <class T>
bool parse_decimal(std::string_view text, T& out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

std::vector<std::string_view> split_spaces(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\n')) ++i;
    std::size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != '\n') ++j;
    if (j > i) out.push_back(text.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace

Result<ProcStat> parse_proc_stat(std::string_view text) {
  const std::size_t close = text.rfind(')');
  if (close == std::string_view::npos || text.find('(') == std::string_view::npos) {
    return make_error(Errc::kCorruption, "/proc stat has no command name in parentheses");
  }
  const auto fields = split_spaces(text.substr(close + 1));
  // fields[0] is field 3 (state), so field 22 (starttime) is fields[19].
  if (fields.size() < 20 || fields[0].size() != 1) {
    return make_error(Errc::kCorruption, "/proc stat has too few fields");
  }
  ProcStat st;
  st.state = fields[0][0];
  if (!parse_decimal(fields[19], st.start_time_ticks)) {
    return make_error(Errc::kCorruption, "/proc stat has a start time that is not a number");
  }
  return st;
}

Result<ProcStat> read_proc_stat(pid_t pid) {
  const fs::path path = "/proc/" + std::to_string(pid) + "/stat";
  auto text = read_small_file(path, 4096);
  if (!text.ok()) {
    if (text.error().code == Errc::kNotFound) {
      return make_error(Errc::kNotFound, "no process " + std::to_string(pid));
    }
    return std::move(text).error();
  }
  return parse_proc_stat(*text).wrap_error(path.string());
}

Result<std::vector<std::string>> read_proc_cmdline(pid_t pid) {
  const fs::path path = "/proc/" + std::to_string(pid) + "/cmdline";
  auto text = read_small_file(path, 256 * 1024);
  if (!text.ok()) {
    if (text.error().code == Errc::kNotFound) return make_error(Errc::kNotFound, "no process " + std::to_string(pid));
    return std::move(text).error();
  }
  std::vector<std::string> argv;
  std::size_t pos = 0;
  while (pos < text->size()) {
    auto nul = text->find('\0', pos);
    if (nul == std::string::npos) nul = text->size();
    argv.emplace_back(text->substr(pos, nul - pos));
    pos = nul + 1;
  }
  return argv;
}

Result<std::string> read_boot_id() {
  MOVN_ASSIGN_OR_RETURN(std::string text, read_small_file("/proc/sys/kernel/random/boot_id", 256));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.empty()) return make_error(Errc::kCorruption, "the kernel's boot id is empty");
  return text;
}

std::string format_pid_record(const PidRecord& r) {
  return "pid=" + std::to_string(r.pid) + "\nstart_time=" + std::to_string(r.start_time_ticks) +
         "\nboot_id=" + r.boot_id + "\n";
}

Result<PidRecord> parse_pid_record(std::string_view text) {
  auto bad = [](std::string why) {
    return make_error(Errc::kCorruption, "damaged pidfile: " + why);
  };
  PidRecord r;
  bool have_pid = false, have_start = false, have_boot = false;
  if (text.empty() || text.back() != '\n') return bad("it does not end with a newline");
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    const std::size_t eq = line.find('=');
    if (eq == std::string_view::npos)
      return bad("line '" + std::string(line.substr(0, 40)) + "' has no '='");
    const std::string_view key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "pid" && !have_pid) {
      if (!parse_decimal(value, r.pid) || r.pid <= 0)
        return bad("pid '" + std::string(value.substr(0, 40)) + "'");
      have_pid = true;
    } else if (key == "start_time" && !have_start) {
      if (!parse_decimal(value, r.start_time_ticks))
        return bad("start_time '" + std::string(value.substr(0, 40)) + "'");
      have_start = true;
    } else if (key == "boot_id" && !have_boot) {
      if (value.empty() || value.size() > 64 ||
          value.find_first_not_of("0123456789abcdef-") != std::string_view::npos) {
        return bad("boot_id '" + std::string(value.substr(0, 40)) + "'");
      }
      r.boot_id = std::string(value);
      have_boot = true;
    } else {
      return bad("unexpected or repeated key '" + std::string(key.substr(0, 40)) + "'");
    }
  }
  if (!have_pid || !have_start || !have_boot) return bad("pid, start_time or boot_id is missing");
  return r;
}

PidFd::~PidFd() { reset(); }
PidFd::PidFd(PidFd&& o) noexcept : fd_(o.fd_), pid_(o.pid_) { o.fd_ = -1; }
PidFd& PidFd::operator=(PidFd&& o) noexcept {
  if (this != &o) {
    reset();
    fd_ = o.fd_;
    pid_ = o.pid_;
    o.fd_ = -1;
  }
  return *this;
}
void PidFd::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Result<PidFd> PidFd::open(pid_t pid) {
  const long fd = ::syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0) {
    const int err = errno;
    if (err == ESRCH) return make_error(Errc::kNotFound, "no process " + std::to_string(pid));
    return make_error(Errc::kIo,
                      "pidfd_open(" + std::to_string(pid) + ") failed: " + errno_text(err));
  }
  // pidfd_open sets O_CLOEXEC on the descriptor.
  PidFd out;
  out.fd_ = static_cast<int>(fd);
  out.pid_ = pid;
  return out;
}

bool PidFd::exited() const {
  if (fd_ < 0) return true;
  pollfd p{fd_, POLLIN, 0};
  int rc;
  do {
    rc = ::poll(&p, 1, 0);
  } while (rc < 0 && errno == EINTR);
  return rc > 0;
}

Result<void> PidFd::send_signal(int signal) const {
  if (fd_ < 0) return make_error(Errc::kFailedPrecondition, "no process to signal");
  if (::syscall(SYS_pidfd_send_signal, fd_, signal, nullptr, 0) != 0) {
    if (errno == ESRCH) return ok_result();
    return make_error(Errc::kIo,
                      "cannot signal process " + std::to_string(pid_) + ": " + errno_text(errno));
  }
  return ok_result();
}

Result<std::string> resolve_program(std::string_view program, const std::vector<std::string>& env) {
  auto executable = [](const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
           ::access(path.c_str(), X_OK) == 0;
  };
  if (program.empty()) return make_error(Errc::kInvalidArgument, "empty program name");
  if (program.find('/') != std::string_view::npos) {
    std::string path(program);
    if (executable(path)) return path;
    return make_error(Errc::kNotFound, "program " + path + " does not exist or is not executable");
  }
  std::string search = kDefaultPath;
  for (const std::string& e : env) {
    if (e.starts_with("PATH=")) search = e.substr(5);
  }
  std::string_view rest = search;
  while (true) {
    const std::size_t colon = rest.find(':');
    const std::string_view dir = rest.substr(0, colon);
    if (!dir.empty()) {
      std::string path = std::string(dir) + "/" + std::string(program);
      if (executable(path)) return path;
    }
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return make_error(Errc::kNotFound,
                    "program " + std::string(program) + " not found in PATH " + search);
}

Result<pid_t> spawn_process(const std::vector<std::string>& argv,
                            const std::vector<std::string>& env, const fs::path& console_log) {
  if (argv.empty()) return make_error(Errc::kInvalidArgument, "empty command line");
  MOVN_ASSIGN_OR_RETURN(const std::string program, resolve_program(argv[0], env));
  const int log_fd =
      ::open(console_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0640);
  if (log_fd < 0) return errno_error(errno, "cannot open the console log", console_log);

  std::vector<char*> c_argv, c_env;
  for (const std::string& a : argv) c_argv.push_back(const_cast<char*>(a.c_str()));
  c_argv.push_back(nullptr);
  for (const std::string& e : env) c_env.push_back(const_cast<char*>(e.c_str()));
  c_env.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  // dup2 first: if our stdin is closed, log_fd may be 0 itself.
  posix_spawn_file_actions_adddup2(&actions, log_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, log_fd, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);

  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, program.c_str(), &actions, &attr, c_argv.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(log_fd);
  if (rc != 0) {
    return make_error(rc == ENOENT ? Errc::kNotFound : Errc::kIo,
                      "cannot start " + program + ": " + errno_text(rc));
  }
  return pid;
}

}  // namespace movn::ovn
