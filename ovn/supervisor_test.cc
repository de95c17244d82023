#include "ovn/supervisor.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ovn/supervisor_test_util.h"

namespace movn::ovn {
namespace {

using testing::slurp;
using testing::spit;
using State = ProcessState;
using Supervise = testing::SupervisorTest;

TEST_F(Supervise, StartsInItsOwnSessionAndRecordsAPidfile) {
  Supervisor sup(options_, clock_);
  auto r = start(sup, spec("sleeper", {"sleep", "30"}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, StartOutcome::kStarted);
  const ProcessStatus st = *sup.status("sleeper");
  EXPECT_EQ(st.state, State::kRunning);
  EXPECT_FALSE(st.adopted);
  EXPECT_EQ(st.started_ms, clock_.now_ms());
  ASSERT_GT(st.pid, 0);
  EXPECT_EQ(::getsid(st.pid), st.pid);

  auto record = parse_pid_record(slurp(sup.pidfile_path("sleeper")));
  ASSERT_TRUE(record.ok()) << record.error().message;
  EXPECT_EQ(record->pid, st.pid);
  EXPECT_EQ(record->start_time_ticks, read_proc_stat(st.pid)->start_time_ticks);
  EXPECT_EQ(record->boot_id, read_boot_id().value());
  EXPECT_EQ(sup.pidfile_path("sleeper"), options_.pid_dir / "sleeper.pid");
  EXPECT_TRUE(std::filesystem::exists(options_.log_dir / "sleeper-console.log"));

  auto again = start(sup, spec("sleeper", {"sleep", "30"}));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, StartOutcome::kAlreadyRunning);
  EXPECT_EQ(sup.status("sleeper")->pid, st.pid);
}

TEST_F(Supervise, ConsoleOutputGoesToTheLog) {
  Supervisor sup(options_, clock_);
  ASSERT_TRUE(
      start(sup, spec("talker", {"/bin/sh", "-c", "echo out; echo err >&2; exec sleep 30"})).ok());
  const auto log = sup.console_log_path("talker");
  ASSERT_TRUE(poll_until(sup, [&] { return slurp(log) == "out\nerr\n"; })) << slurp(log);
}

TEST_F(Supervise, RestartsACrashWithADoublingBoundedBackoff) {
  Supervisor sup(options_, clock_);
  ASSERT_TRUE(start(sup, spec("crasher", {"/bin/sh", "-c", "exit 3"})).ok());
  ASSERT_TRUE(poll_until(sup, [&] { return state(sup, "crasher") == State::kBackoff; }));
  ProcessStatus st = *sup.status("crasher");
  EXPECT_TRUE(st.exit_known);
  EXPECT_EQ(st.exit_code, 3);
  EXPECT_EQ(st.exit_signal, 0);
  EXPECT_EQ(st.pid, 0);
  EXPECT_EQ(st.backoff_ms, 100u);
  EXPECT_EQ(st.next_start_ms, clock_.now_ms() + 100);
  EXPECT_FALSE(std::filesystem::exists(sup.pidfile_path("crasher")));

  clock_.advance(99);
  poll(sup);
  EXPECT_EQ(state(sup, "crasher"), State::kBackoff);  // not yet
  EXPECT_EQ(sup.status("crasher")->restarts, 0u);
  clock_.advance(1);
  poll(sup);
  EXPECT_EQ(state(sup, "crasher"), State::kRunning);
  EXPECT_EQ(sup.status("crasher")->restarts, 1u);

  std::uint32_t restarts = 1;
  for (std::uint64_t want : {200, 400, 800, 1600, 3200, 6400, 10000, 10000}) {
    ASSERT_TRUE(poll_until(sup, [&] { return state(sup, "crasher") == State::kBackoff; }));
    EXPECT_EQ(sup.status("crasher")->backoff_ms, want);
    clock_.advance(want);
    poll(sup);
    EXPECT_EQ(sup.status("crasher")->restarts, ++restarts);
  }
}

TEST_F(Supervise, ALongRunResetsTheBackoff) {
  Supervisor sup(options_, clock_);
  const auto marker = tmp_.path() / "stay";
  ASSERT_TRUE(start(sup, spec("flaky", {"/bin/sh", "-c",
                                        "if [ -e " + marker.string() +
                                            " ]; then exec sleep 30; fi; exit 1"}))
                  .ok());
  ASSERT_TRUE(poll_until(sup, [&] { return state(sup, "flaky") == State::kBackoff; }));
  clock_.advance(100);
  poll(sup);
  ASSERT_TRUE(poll_until(sup, [&] { return state(sup, "flaky") == State::kBackoff; }));
  ASSERT_EQ(sup.status("flaky")->backoff_ms, 200u);

  spit(marker, "");
  clock_.advance(200);
  poll(sup);
  const pid_t pid = sup.status("flaky")->pid;
  ASSERT_GT(pid, 0);
  clock_.advance(options_.stable_after_ms);
  ASSERT_EQ(::kill(pid, SIGKILL), 0);  // our child, not yet reaped: the pid is still its own
  ASSERT_TRUE(poll_until(sup, [&] { return state(sup, "flaky") == State::kBackoff; }));
  EXPECT_EQ(sup.status("flaky")->backoff_ms, 100u);
  EXPECT_EQ(sup.status("flaky")->exit_signal, SIGKILL);
}

TEST_F(Supervise, StopsInTheGivenOrderOneAfterTheOther) {
  const auto order = tmp_.path() / "order";
  Supervisor sup(options_, clock_);
  for (const char* name : {"a", "b", "c"}) {
    // Each shell says when its trap is set: a SIGTERM before that would end it silently.
    const auto ready = tmp_.path() / (std::string("ready-") + name);
    const std::string script = std::string("trap 'echo ") + name + " >> " + order.string() +
                               "; exit 0' TERM; : > " + ready.string() + "; while :; do sleep 0.02; done";
    ASSERT_TRUE(start(sup, spec(name, {"/bin/sh", "-c", script})).ok());
    ASSERT_TRUE(poll_until(sup, [&] { return std::filesystem::exists(ready); }));
  }
  ASSERT_TRUE(sup.stop({"c", "a", "b"}).ok());
  EXPECT_TRUE(sup.stopping());
  EXPECT_EQ(state(sup, "c"), State::kStopping);
  EXPECT_EQ(state(sup, "a"), State::kRunning);  // waits for c
  EXPECT_TRUE(sup.status("a")->stop_pending);
  ASSERT_TRUE(poll_until(sup, [&] { return !sup.stopping(); }));
  EXPECT_EQ(slurp(order), "c\na\nb\n");
  for (const char* name : {"a", "b", "c"}) {
    EXPECT_EQ(state(sup, name), State::kStopped) << name;
    EXPECT_EQ(sup.status(name)->exit_code, 0) << name;
    EXPECT_FALSE(std::filesystem::exists(sup.pidfile_path(name))) << name;
  }
  clock_.advance(60'000);
  poll(sup);
  EXPECT_EQ(state(sup, "a"), State::kStopped);  // a stopped process is not restarted

  auto r = start(sup, spec("a", {"sleep", "30"}));  // and start() brings it back
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, StartOutcome::kStarted);
  EXPECT_EQ(sup.status("a")->restarts, 0u);
}

TEST_F(Supervise, SigkillsAProcessThatIgnoresSigterm) {
  Supervisor sup(options_, clock_);
  ASSERT_TRUE(
      start(sup, spec("stubborn", {"/bin/sh", "-c", "trap '' TERM; sleep 30; exit 0"})).ok());
  const pid_t pid = sup.status("stubborn")->pid;
  // Let the shell install its trap before the stop.
  ASSERT_TRUE(poll_until(sup, [&] {
    auto st = read_proc_stat(pid);
    return st.ok() && st->state == 'S';
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(sup.stop({"stubborn"}).ok());
  for (int i = 0; i < 20; ++i) {
    poll(sup);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(state(sup, "stubborn"), State::kStopping);
  EXPECT_FALSE(sup.status("stubborn")->killed);
  EXPECT_TRUE(alive(pid));

  clock_.advance(options_.stop_timeout_ms);
  poll(sup);
  EXPECT_TRUE(sup.status("stubborn")->killed);
  ASSERT_TRUE(poll_until(sup, [&] { return state(sup, "stubborn") == State::kStopped; }));
  EXPECT_EQ(sup.status("stubborn")->exit_signal, SIGKILL);
  // The whole group is gone, the shell's sleep too (it may linger as a zombie until PID 1
  // reaps it).
  EXPECT_TRUE(poll_until(sup, [&] { return live_group_members(pid) == 0; }));
}

TEST_F(Supervise, StoppingAProcessInBackoffCancelsTheRestart) {
  Supervisor sup(options_, clock_);
  ASSERT_TRUE(start(sup, spec("crasher", {"/bin/sh", "-c", "exit 1"})).ok());
  ASSERT_TRUE(poll_until(sup, [&] { return state(sup, "crasher") == State::kBackoff; }));
  ASSERT_TRUE(sup.stop({"crasher"}).ok());
  EXPECT_EQ(state(sup, "crasher"), State::kStopped);
  EXPECT_FALSE(sup.stopping());
  clock_.advance(60'000);
  poll(sup);
  EXPECT_EQ(state(sup, "crasher"), State::kStopped);
  EXPECT_EQ(sup.status("crasher")->restarts, 0u);
}

TEST_F(Supervise, StopAndStartRefuseWhatTheyCannotDo) {
  Supervisor sup(options_, clock_);
  ASSERT_TRUE(start(sup, spec("stubborn", {"/bin/sh", "-c", "trap '' TERM; sleep 30"})).ok());
  auto unknown = sup.stop({"stubborn", "nobody"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, Errc::kNotFound);
  EXPECT_FALSE(sup.stopping());  // nothing was stopped
  EXPECT_EQ(state(sup, "stubborn"), State::kRunning);

  ASSERT_TRUE(sup.stop({"stubborn"}).ok());
  auto while_stopping = sup.start(spec("stubborn", {"sleep", "30"}));
  ASSERT_FALSE(while_stopping.ok());
  EXPECT_EQ(while_stopping.error().code, Errc::kFailedPrecondition);
}

TEST_F(Supervise, BadInputIsAClearError) {
  Supervisor sup(options_, clock_);
  for (const char* name : {"", ".hidden", "a/b", "a b"}) {
    auto r = sup.start(spec(name, {"sleep", "1"}));
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.error().code, Errc::kInvalidArgument) << name;
  }
  EXPECT_EQ(sup.start(spec("x", {})).error().code, Errc::kInvalidArgument);

  auto missing = sup.start(spec("ghost", {"/nonexistent/ovsdb-server"}));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::kNotFound);
  EXPECT_NE(missing.error().message.find("/nonexistent/ovsdb-server"), std::string::npos);
  auto not_in_path = sup.start(spec("ghost", {"no-such-program-movn"}));
  ASSERT_FALSE(not_in_path.ok());
  EXPECT_NE(not_in_path.error().message.find("not found in PATH"), std::string::npos);
  EXPECT_FALSE(sup.status("ghost").has_value());

  SupervisorOptions bad_logs = options_;
  bad_logs.log_dir = tmp_.path() / "no-logs";
  Supervisor no_logs(bad_logs, clock_);
  auto r = no_logs.start(spec("db", {"sleep", "30"}));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("console log"), std::string::npos) << r.error().message;

  SupervisorOptions bad_pids = options_;
  bad_pids.pid_dir = tmp_.path() / "no-run";
  Supervisor no_pids(bad_pids, clock_);
  auto p = no_pids.start(spec("db", {"sleep", "30"}));
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("pidfile"), std::string::npos) << p.error().message;
  EXPECT_FALSE(no_pids.status("db").has_value());
}

TEST_F(Supervise, ARestartThatCannotStartKeepsBackingOff) {
  const auto program = tmp_.path() / "crash.sh";
  spit(program, "#!/bin/sh\nexit 2\n");
  ASSERT_EQ(::chmod(program.c_str(), 0755), 0);
  Supervisor sup(options_, clock_);
  ASSERT_TRUE(start(sup, spec("vanishing", {program.string()})).ok());
  ASSERT_TRUE(poll_until(sup, [&] { return state(sup, "vanishing") == State::kBackoff; }));
  EXPECT_EQ(sup.status("vanishing")->exit_code, 2);
  std::filesystem::remove(program);
  clock_.advance(100);
  poll(sup);
  const ProcessStatus st = *sup.status("vanishing");
  EXPECT_EQ(st.state, State::kBackoff);
  EXPECT_EQ(st.restarts, 0u);
  EXPECT_EQ(st.backoff_ms, 200u);
  EXPECT_NE(st.last_error.find(program.string()), std::string::npos) << st.last_error;
}

TEST_F(Supervise, ALargeConsoleLogIsRotatedAtStart) {
  options_.console_log_max_bytes = 10;
  Supervisor sup(options_, clock_);
  const auto log = sup.console_log_path("db");
  spit(log, "old output that is too long\n");
  ASSERT_TRUE(start(sup, spec("db", {"sleep", "30"})).ok());
  EXPECT_EQ(slurp(log.string() + ".1"), "old output that is too long\n");
  EXPECT_EQ(slurp(log), "");
}

}  // namespace
}  // namespace movn::ovn
