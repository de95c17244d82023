#include "ovn/run_tool.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "ovn/proc.h"

namespace movn::ovn {
namespace {

std::uint64_t steady_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

std::string errno_text(int e) { return std::strerror(e); }

}  // namespace

Result<ToolResult> run_tool(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                            std::uint64_t timeout_ms) {
  if (argv.empty()) return make_error(Errc::kInvalidArgument, "no program to run");
  MOVN_ASSIGN_OR_RETURN(std::string program, resolve_program(argv.front(), env));
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return make_error(Errc::kIo, "pipe: " + errno_text(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> args, envp;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, program.c_str(), &actions, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    return make_error(Errc::kIo, "cannot run " + program + ": " + errno_text(rc));
  }
  ToolResult out;
  const std::uint64_t deadline = steady_ms() + timeout_ms;
  bool timed_out = false;
  char buf[4096];
  for (;;) {
    const std::uint64_t now = steady_ms();
    if (now >= deadline) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    const int n = ::poll(&p, 1, static_cast<int>(std::min<std::uint64_t>(deadline - now, 1000)));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;
    const ssize_t got = ::read(fds[0], buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;  // EOF: the program (and whatever holds its output) is done writing
    if (out.output.size() < kMaxToolOutput)
      out.output.append(buf, std::min<std::size_t>(static_cast<std::size_t>(got), kMaxToolOutput - out.output.size()));
  }
  ::close(fds[0]);
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return make_error(Errc::kIo, "waiting for " + program + ": " + errno_text(errno));
  }
  if (timed_out)
    return make_error(Errc::kTimeout, program + " did not finish within " + std::to_string(timeout_ms) + " ms");
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

Result<std::string> run_tool_checked(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                                     std::uint64_t timeout_ms) {
  MOVN_ASSIGN_OR_RETURN(auto r, run_tool(argv, env, timeout_ms));
  if (r.exit_code == 0) return std::move(r.output);
  std::string tail = r.output.size() > 400 ? r.output.substr(r.output.size() - 400) : r.output;
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == ' ')) tail.pop_back();
  return make_error(Errc::kInternal, argv.front() + " " + (argv.size() > 1 ? argv[1] : std::string()) + " failed (" +
                                         (r.exit_code < 0 ? std::string("killed by a signal")
                                                          : "exit status " + std::to_string(r.exit_code)) +
                                         (tail.empty() ? std::string(")") : "): " + tail));
}

}  // namespace movn::ovn
