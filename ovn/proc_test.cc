#include "ovn/proc.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/temp_dir.h"

namespace movn::ovn {
namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Waits for a child and returns its wait status (kills it first after 5 s).
int wait_child(pid_t pid) {
  int status = 0;
  for (int i = 0; i < 500; ++i) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return -1;
}

TEST(ProcStat, ParsesStateAndStartTimeWhateverTheCommandName) {
  const std::string rest =
      " S 1 2 3 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 200 18446744073709551615\n";
  auto st = parse_proc_stat("42 (sleep) " + rest.substr(1));
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(st->state, 'S');
  EXPECT_EQ(st->start_time_ticks, 987654u);
  auto odd = parse_proc_stat("42 (a) b) (c d)" + rest);
  ASSERT_TRUE(odd.ok());
  EXPECT_EQ(odd->start_time_ticks, 987654u);
  EXPECT_FALSE(parse_proc_stat("").ok());
  EXPECT_FALSE(parse_proc_stat("42 sleep S 1 2").ok());
  EXPECT_EQ(parse_proc_stat("42 (x) S 1 2 3").error().code, Errc::kCorruption);
  EXPECT_FALSE(parse_proc_stat("42 (x) S 1 2 3 0 -1 4 1 0 0 0 1 2 0 0 20 0 1 0 notanumber 1").ok());
}

TEST(ProcStat, ReadsOurOwnProcessAndReportsAMissingOne) {
  auto self = read_proc_stat(::getpid());
  ASSERT_TRUE(self.ok()) << self.error().message;
  EXPECT_EQ(self->state, 'R');
  EXPECT_GT(self->start_time_ticks, 0u);
  auto missing = read_proc_stat(0x3ffffff);  // above pid_max on any usual system
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::kNotFound);
}

TEST(BootId, IsAUuid) {
  auto id = read_boot_id();
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(id->size(), 36u);
  EXPECT_EQ(id->find_first_not_of("0123456789abcdef-"), std::string::npos);
}

TEST(PidRecord, RoundTrips) {
  PidRecord r{1234, 98765, "ca09286d-6baa-42fa-92e2-0bc86d34ef17"};
  const std::string text = format_pid_record(r);
  EXPECT_EQ(text, "pid=1234\nstart_time=98765\nboot_id=ca09286d-6baa-42fa-92e2-0bc86d34ef17\n");
  auto back = parse_pid_record(text);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->pid, 1234);
  EXPECT_EQ(back->start_time_ticks, 98765u);
  EXPECT_EQ(back->boot_id, r.boot_id);
}

TEST(PidRecord, RefusesGarbage) {
  for (const char* text :
       {"", "1234\n", "pid=1234", "pid=abc\nstart_time=1\nboot_id=ab\n",
        "pid=0\nstart_time=1\nboot_id=ab\n", "pid=-5\nstart_time=1\nboot_id=ab\n",
        "pid=1\nstart_time=1\n", "pid=1\npid=2\nstart_time=1\nboot_id=ab\n",
        "pid=1\nstart_time=x\nboot_id=ab\n", "pid=1\nstart_time=1\nboot_id=AB;rm\n",
        "pid=1\nstart_time=1\nboot_id=ab\nextra=1\n", "pid=99999999999\nstart_time=1\nboot_id=ab\n",
        "\x01\x02\x03\n"}) {
    auto r = parse_pid_record(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code, Errc::kCorruption) << text;
    EXPECT_NE(r.error().message.find("damaged pidfile"), std::string::npos);
  }
}

TEST(ResolveProgram, SearchesThePathOfTheEnvironment) {
  testing::TempDir tmp;
  auto r = resolve_program("sh", {"PATH=" + tmp.path().string() + ":/bin"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, "/bin/sh");
  auto missing = resolve_program("no-such-program-movn", {"PATH=/bin:/usr/bin"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::kNotFound);
  EXPECT_NE(missing.error().message.find("no-such-program-movn"), std::string::npos);
  EXPECT_NE(missing.error().message.find("/bin:/usr/bin"), std::string::npos);
  const auto plain = tmp.path() / "plain";
  std::ofstream(plain) << "#!/bin/sh\n";
  std::filesystem::permissions(plain, std::filesystem::perms(0644));
  EXPECT_FALSE(resolve_program(plain.string(), {}).ok());  // not executable
  EXPECT_FALSE(resolve_program("/bin", {}).ok());          // a directory
  EXPECT_TRUE(resolve_program("/bin/sleep", {}).ok());
}

TEST(Spawn, RunsInItsOwnSessionWithOnlyTheGivenEnvironment) {
  testing::TempDir tmp;
  const auto log = tmp.path() / "out.log";
  auto pid =
      spawn_process({"/bin/sh", "-c",
                     "echo \"sid=$(cut -d' ' -f6 /proc/$$/stat) x=$X home=$HOME\"; echo err >&2"},
                    {"X=42", "PATH=/bin:/usr/bin"}, log);
  ASSERT_TRUE(pid.ok()) << pid.error().message;
  const int status = wait_child(*pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(slurp(log), "sid=" + std::to_string(*pid) + " x=42 home=\nerr\n");
}

TEST(Spawn, AppendsToTheConsoleLog) {
  testing::TempDir tmp;
  const auto log = tmp.path() / "out.log";
  for (int i = 0; i < 2; ++i) {
    auto pid = spawn_process({"/bin/sh", "-c", "echo run"}, {}, log);
    ASSERT_TRUE(pid.ok());
    wait_child(*pid);
  }
  EXPECT_EQ(slurp(log), "run\nrun\n");
}

TEST(Spawn, BadInputIsAnError) {
  testing::TempDir tmp;
  auto missing = spawn_process({"/nonexistent/program"}, {}, tmp.path() / "log");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::kNotFound);
  EXPECT_FALSE(spawn_process({}, {}, tmp.path() / "log").ok());
  auto no_log = spawn_process({"/bin/sleep", "1"}, {}, tmp.path() / "no" / "dir" / "log");
  ASSERT_FALSE(no_log.ok());
  EXPECT_NE(no_log.error().message.find("console log"), std::string::npos);
}

TEST(PidFd, SeesTheExitOfAChildAndSignalsIt) {
  testing::TempDir tmp;
  auto pid = spawn_process({"/bin/sleep", "30"}, {}, tmp.path() / "log");
  ASSERT_TRUE(pid.ok());
  auto fd = PidFd::open(*pid);
  if (!fd.ok()) {
    ::kill(*pid, SIGKILL);
    wait_child(*pid);
    FAIL() << fd.error().message;
  }
  EXPECT_FALSE(fd->exited());
  EXPECT_TRUE(fd->send_signal(SIGTERM).ok());
  const int status = wait_child(*pid);
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGTERM);
  EXPECT_TRUE(fd->exited());
  EXPECT_TRUE(fd->send_signal(SIGTERM).ok());  // gone: not an error
  EXPECT_EQ(PidFd::open(0x3ffffff).error().code, Errc::kNotFound);
}

TEST(ProcCmdline, GivesTheArgvAProcessWasStartedWith) {
  testing::TempDir tmp;
  const std::vector<std::string> started{"sh", "-c", "sleep 30; true", "name", "an argument with spaces", ""};
  auto pid = spawn_process(started, {"PATH=/bin:/usr/bin"}, tmp.path() / "log");
  ASSERT_TRUE(pid.ok()) << pid.error().message;
  // Empty until the child has called exec.
  auto argv = read_proc_cmdline(*pid);
  for (int i = 0; i < 200 && argv.ok() && argv->empty(); ++i) {
    ::usleep(10'000);
    argv = read_proc_cmdline(*pid);
  }
  ::kill(*pid, SIGKILL);
  wait_child(*pid);
  ASSERT_TRUE(argv.ok()) << argv.error().message;
  EXPECT_EQ(*argv, started);
  EXPECT_EQ(read_proc_cmdline(0x3ffffff).error().code, Errc::kNotFound);
}

}  // namespace
}  // namespace movn::ovn
