// Test-only helpers for supervisor_test.cc: a manual clock and a fixture that kills, by pid,
// every process a test started, even when the test fails. Not thread-safe; one per test.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <thread>

#include "ovn/supervisor.h"
#include "tests/support/temp_dir.h"

namespace movn::ovn::testing {

class ManualClock final : public Clock {
 public:
  std::uint64_t now_ms() const override { return now_ms_; }
  void advance(std::uint64_t ms) { now_ms_ += ms; }

 private:
  std::uint64_t now_ms_ = 1'000'000;
};

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void spit(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

class SupervisorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.log_dir = tmp_.path() / "logs";
    options_.pid_dir = tmp_.path() / "run";
    std::filesystem::create_directory(options_.log_dir);
    std::filesystem::create_directory(options_.pid_dir);
  }

  // Kills every tracked process and its group through its pidfd (never a later process with
  // the same pid), then reaps the ones that are our children.
  void TearDown() override {
    for (auto& [pid, fd] : tracked_) {
      if (!fd.exited()) {
        ::kill(-pid, SIGKILL);
        (void)fd.send_signal(SIGKILL);
      }
    }
    for (auto& [pid, fd] : tracked_) {
      for (int i = 0; i < 500; ++i) {
        const pid_t r = ::waitpid(pid, nullptr, WNOHANG);
        if (r == pid || (r < 0 && errno == ECHILD)) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
  }

  // Records a pid to kill at TearDown. Call it while the process cannot have been reaped yet.
  void track(pid_t pid) {
    if (pid <= 0 || tracked_.contains(pid)) return;
    auto fd = PidFd::open(pid);
    if (fd.ok()) tracked_.emplace(pid, std::move(fd).value());
  }
  void track_all(const Supervisor& sup) {
    for (const std::string& name : sup.names()) track(sup.status(name)->pid);
  }

  ProcessSpec spec(std::string name, std::vector<std::string> argv) {
    return ProcessSpec{std::move(name), std::move(argv), {"PATH=/bin:/usr/bin"}};
  }

  ProcessState state(const Supervisor& sup, const std::string& name) {
    return sup.status(name)->state;
  }

  // Polls (without moving the clock) until `done` holds, for at most 5 s of real time.
  bool poll_until(Supervisor& sup, const std::function<bool()>& done) {
    for (int i = 0; i < 2500; ++i) {
      sup.poll();
      track_all(sup);
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return false;
  }

  void poll(Supervisor& sup) {
    sup.poll();
    track_all(sup);
  }
  Result<StartOutcome> start(Supervisor& sup, const ProcessSpec& s) {
    auto r = sup.start(s);
    track_all(sup);
    return r;
  }
  // Processes of process group `pgid` that have not exited.
  static int live_group_members(pid_t pgid) {
    int n = 0;
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
      const std::string text = slurp(entry.path() / "stat");
      const std::size_t close = text.rfind(')');
      if (close == std::string::npos) continue;
      char st = 0;
      long ppid = 0, pgrp = 0;
      if (std::sscanf(text.c_str() + close + 1, " %c %ld %ld", &st, &ppid, &pgrp) == 3 &&
          pgrp == pgid && st != 'Z') {
        ++n;
      }
    }
    return n;
  }
  static bool alive(pid_t pid) {
    auto st = read_proc_stat(pid);
    return st.ok() && st->state != 'Z';
  }

  movn::testing::TempDir tmp_;
  ManualClock clock_;
  SupervisorOptions options_;
  std::map<pid_t, PidFd> tracked_;
};

}  // namespace movn::ovn::testing
