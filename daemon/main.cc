// microovnd: the MicroOVN daemon. Usage: microovnd [--state-dir DIR] [--debug] [--verbose]
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <iostream>

#include "daemon/daemon.h"
#include "daemon/member_info.h"

int main(int argc, char** argv) {
  CLI::App app{"microovnd: the MicroOVN daemon"};
  movn::daemon::DaemonOptions options;
  std::string state_dir = options.state_dir.string();
  std::string compression = "lz4";
  bool debug = false, verbose = false, version = false;
  app.add_option("--state-dir", state_dir, "State directory")->capture_default_str();
  app.add_option("--store-compression", compression, "Compression of the event store's files")
      ->check(CLI::IsMember({"none", "lz4", "zstd"}))
      ->capture_default_str();
  app.add_flag("-d,--debug", debug, "Show debug messages");
  app.add_flag("-v,--verbose", verbose, "Show information messages");
  app.add_flag("--version", version, "Print the version and exit");
  bool rebuild = false;
  std::int64_t clock_offset_s = 0;
  bool without_ovn = false;
  app.add_flag("--without-ovn", without_ovn,
               "Run the control plane alone: start no OVN/OVS processes (tests and benchmarks of the "
               "control plane)")
      ->envname("MICROOVN_WITHOUT_OVN")
      ->group("Testing");
  app.add_option("--clock-offset", clock_offset_s,
                 "For tests: run the daemon's clock this many seconds ahead of the system clock")
      ->group("Testing");
  app.add_flag("--rebuild", rebuild,
               "Drop the projection checkpoints and replay the whole log, verifying the hash chain");
  auto* rebuild_cmd = app.add_subcommand(
      "rebuild", "Rebuild a stopped member's projections from its log, print their digests and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "Error: " << e.what() << "\n";
    return 1;
  }
  if (version) {
    std::cout << "microovnd: " << MICROOVN_VERSION << "\n";
    return 0;
  }
  // Logs go to stderr (stdout stays free for command output such as `microovnd rebuild`).
  spdlog::set_default_logger(spdlog::stderr_color_mt("microovnd"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  spdlog::set_level(debug ? spdlog::level::debug : spdlog::level::info);
  (void)verbose;
  options.state_dir = state_dir;
  options.compression = compression == "none"   ? movn::eventlog::Compression::kNone
                        : compression == "zstd" ? movn::eventlog::Compression::kZstd
                                                : movn::eventlog::Compression::kLz4;
  options.rebuild = rebuild;
  options.clock_offset_s = clock_offset_s;
  options.without_ovn = without_ovn;
  if (rebuild_cmd->parsed()) {
    spdlog::set_level(spdlog::level::warn);
    auto out = movn::daemon::rebuild_offline(options);
    if (!out.ok()) {
      std::cerr << "Error: " << out.error().message << "\n";
      return 1;
    }
    std::cout << *out << "\n";
    return 0;
  }
  auto r = movn::daemon::run_daemon(options);
  // The daemon has stopped: its signal handling ended with it. A second SIGTERM or SIGINT while
  // the process winds down (destructors, a sanitizer's exit checks) must not turn a clean stop
  // into a death by that signal (exit status 143 instead of 0).
  std::signal(SIGTERM, SIG_IGN);
  std::signal(SIGINT, SIG_IGN);
  if (!r.ok()) {
    spdlog::shutdown();
    std::cerr << "Error: " << r.error().message << "\n";
    return 1;
  }
  if (*r == movn::daemon::DaemonExit::kRemoved) {
    // Removed from its cluster: the state moves into a backup and the daemon starts again in the
    // same process (same pid), uninitialised, ready to bootstrap or join.
    const auto now = static_cast<std::uint64_t>(std::time(nullptr));
    auto backup = movn::daemon::retire_member_state(options.state_dir, now);
    if (!backup.ok()) {
      spdlog::critical("failed to move the removed member's state aside: {}", backup.error().message);
      spdlog::shutdown();
      return 1;
    }
    spdlog::info("the removed member's state is in {}; starting again", backup->string());
    spdlog::shutdown();
    // Ignored signals stay ignored across exec: the new image must be stoppable while it starts.
    std::signal(SIGTERM, SIG_DFL);
    std::signal(SIGINT, SIG_DFL);
    ::execv("/proc/self/exe", argv);
    std::cerr << "Error: failed to start again: " << std::strerror(errno) << "\n";
    return 1;
  }
  return 0;
}
