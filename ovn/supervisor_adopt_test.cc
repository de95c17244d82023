// Adoption of processes that an earlier Supervisor started (ovn/supervisor.h).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ovn/supervisor.h"
#include "ovn/supervisor_test_util.h"

namespace movn::ovn {
namespace {

using testing::slurp;
using testing::spit;
using State = ProcessState;
using Supervise = testing::SupervisorTest;

TEST_F(Supervise, ProcessesOutliveTheSupervisorAndAreAdoptedByTheNextOne) {
  pid_t pid = 0;
  {
    Supervisor first(options_, clock_);
    ASSERT_TRUE(start(first, spec("db", {"sleep", "30"})).ok());
    pid = first.status("db")->pid;
  }
  ASSERT_TRUE(alive(pid));
  ASSERT_TRUE(std::filesystem::exists(options_.pid_dir / "db.pid"));

  Supervisor second(options_, clock_);
  auto adopted = second.adopt(spec("db", {"sleep", "30"}));
  ASSERT_TRUE(adopted.ok()) << adopted.error().message;
  EXPECT_TRUE(*adopted);
  EXPECT_EQ(second.status("db")->pid, pid);
  EXPECT_TRUE(second.status("db")->adopted);

  Supervisor third(options_, clock_);
  auto r = start(third, spec("db", {"sleep", "30"}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, StartOutcome::kAdopted);
  EXPECT_EQ(third.status("db")->pid, pid);

  ASSERT_TRUE(third.stop({"db"}).ok());
  ASSERT_TRUE(poll_until(third, [&] { return state(third, "db") == State::kStopped; }));
  EXPECT_FALSE(alive(pid));
  EXPECT_FALSE(std::filesystem::exists(options_.pid_dir / "db.pid"));
}

TEST_F(Supervise, AdoptWithoutAPidfileStartsNothing) {
  Supervisor sup(options_, clock_);
  auto r = sup.adopt(spec("db", {"sleep", "30"}));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
  EXPECT_FALSE(sup.status("db").has_value());
}

TEST_F(Supervise, SeesTheExitOfAnAdoptedProcessThatIsNotItsChild) {
  // sh starts a sleep in the background and exits: the sleep is reparented away from us.
  const auto out = tmp_.path() / "orphan.out";
  auto sh = spawn_process({"/bin/sh", "-c", "sleep 30 >/dev/null 2>&1 & echo $!"},
                          {"PATH=/bin:/usr/bin"}, out);
  ASSERT_TRUE(sh.ok());
  track(*sh);
  ASSERT_EQ(::waitpid(*sh, nullptr, 0), *sh);
  const pid_t orphan = std::stoi(slurp(out));
  track(orphan);
  ASSERT_TRUE(alive(orphan));
  spit(options_.pid_dir / "orphan.pid",
       format_pid_record(
           {orphan, read_proc_stat(orphan)->start_time_ticks, read_boot_id().value()}));

  Supervisor sup(options_, clock_);
  auto r = start(sup, spec("orphan", {"sleep", "30"}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(*r, StartOutcome::kAdopted);
  ASSERT_TRUE(sup.stop({"orphan"}).ok());
  ASSERT_TRUE(poll_until(sup, [&] { return state(sup, "orphan") == State::kStopped; }));
  EXPECT_FALSE(sup.status("orphan")->exit_known);  // not our child: no wait status
  EXPECT_FALSE(alive(orphan));
}

TEST_F(Supervise, RefusesToAdoptAPidWithAnotherStartTime) {
  auto other = spawn_process({"/bin/sleep", "30"}, {}, tmp_.path() / "other.log");
  ASSERT_TRUE(other.ok());
  track(*other);
  const std::uint64_t start_time = read_proc_stat(*other)->start_time_ticks;
  spit(options_.pid_dir / "db.pid",
       format_pid_record({*other, start_time + 1, read_boot_id().value()}));

  Supervisor sup(options_, clock_);
  auto r = start(sup, spec("db", {"sleep", "30"}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, StartOutcome::kStarted);
  const pid_t pid = sup.status("db")->pid;
  EXPECT_NE(pid, *other);
  EXPECT_TRUE(alive(*other));  // the unrelated process is left alone
  EXPECT_EQ(parse_pid_record(slurp(sup.pidfile_path("db")))->pid, pid);
}

TEST_F(Supervise, RefusesToAdoptFromAnotherBootOrAZombie) {
  auto other = spawn_process({"/bin/sleep", "30"}, {}, tmp_.path() / "other.log");
  ASSERT_TRUE(other.ok());
  track(*other);
  const std::uint64_t start_time = read_proc_stat(*other)->start_time_ticks;
  spit(options_.pid_dir / "a.pid",
       format_pid_record({*other, start_time, "00000000-0000-0000-0000-000000000000"}));

  auto zombie = spawn_process({"/bin/sh", "-c", "exit 0"}, {}, tmp_.path() / "zombie.log");
  ASSERT_TRUE(zombie.ok());
  track(*zombie);
  for (int i = 0; i < 500 && read_proc_stat(*zombie)->state != 'Z'; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(read_proc_stat(*zombie)->state, 'Z');
  spit(options_.pid_dir / "b.pid",
       format_pid_record(
           {*zombie, read_proc_stat(*zombie)->start_time_ticks, read_boot_id().value()}));

  Supervisor sup(options_, clock_);
  for (const char* name : {"a", "b"}) {
    auto r = start(sup, spec(name, {"sleep", "30"}));
    ASSERT_TRUE(r.ok()) << name << ": " << r.error().message;
    EXPECT_EQ(*r, StartOutcome::kStarted) << name;
  }
  EXPECT_NE(sup.status("a")->pid, *other);
  EXPECT_NE(sup.status("b")->pid, *zombie);
}

TEST_F(Supervise, AGarbagePidfileIsAClearError) {
  spit(options_.pid_dir / "db.pid", "garbage\n");
  Supervisor sup(options_, clock_);
  auto r = start(sup, spec("db", {"sleep", "30"}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kCorruption);
  EXPECT_NE(r.error().message.find((options_.pid_dir / "db.pid").string()), std::string::npos)
      << r.error().message;
  EXPECT_FALSE(sup.status("db").has_value());  // nothing started
  EXPECT_FALSE(sup.adopt(spec("db", {"sleep", "30"})).ok());

  ASSERT_TRUE(sup.discard_pidfile("db").ok());
  auto again = start(sup, spec("db", {"sleep", "30"}));
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(*again, StartOutcome::kStarted);
  EXPECT_EQ(sup.discard_pidfile("db").error().code, Errc::kFailedPrecondition);  // managed
}

}  // namespace
}  // namespace movn::ovn
