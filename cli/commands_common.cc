// Shared command helpers and `microovn waitready`.
#include <algorithm>
#include <thread>

#include "cli/commands.h"

namespace movn::cli {
namespace {

constexpr auto kReadyPollInterval = std::chrono::milliseconds(50);

struct WaitreadyFlags {
  int timeout_seconds = 0;  // 0 or less: wait forever (as upstream)
};

Result<std::string> run_waitready(const GlobalOptions& global, const WaitreadyFlags& flags) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  const bool bounded = flags.timeout_seconds > 0;
  const Clock::time_point deadline =
      start + std::chrono::seconds(std::max(flags.timeout_seconds, 0));
  ApiClient client = global.client();
  while (true) {
    std::chrono::milliseconds per_call = global.timeout;
    if (bounded) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
      if (left <= std::chrono::milliseconds::zero()) break;
      per_call = std::min(per_call, left);
    }
    auto response = client.call_raw("GET", "/1.0/ready", per_call);
    if (response.ok() && response->status == 200) return std::string();
    if (global.debug) {
      std::fprintf(stderr, "DEBUG: not ready yet: %s\n",
                   response.ok() ? ("HTTP " + std::to_string(response->status)).c_str()
                                 : response.error().message.c_str());
    }
    // Waiting cannot fix a socket we may not open.
    if (!response.ok() && client.last_failure() == TransportFailure::kPermission) {
      return std::move(response).error();
    }
    auto pause = kReadyPollInterval;
    if (bounded) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
      if (left <= std::chrono::milliseconds::zero()) break;
      pause = std::min(pause, left);
    }
    std::this_thread::sleep_for(pause);
  }
  return make_error(Errc::kTimeout, "timed out waiting for microovnd to be ready");
}

}  // namespace

CLI::App* add_group(CLI::App& parent, const std::string& name, const std::string& description) {
  CLI::App* group = parent.add_subcommand(name, description);
  group->require_subcommand(0, 1);
  group->fallthrough();
  return group;
}

CLI::Validator format_validator(std::vector<std::string> allowed) {
  std::string list;
  for (const auto& name : allowed) list += (list.empty() ? "" : ", ") + name;
  return CLI::Validator(
      [allowed = std::move(allowed), list](std::string& value) -> std::string {
        if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return {};
        return "invalid format \"" + value + "\" (want one of: " + list + ")";
      },
      "FORMAT", "format");
}

void add_waitready_command(CLI::App& root, CommandRegistry& registry, const GlobalOptions& global) {
  auto flags = std::make_shared<WaitreadyFlags>();
  CLI::App* cmd =
      root.add_subcommand("waitready", "Wait for the daemon to be ready to process requests");
  cmd->fallthrough();
  cmd->add_option("-t,--timeout", flags->timeout_seconds,
                  "Number of seconds to wait before giving up (0 = forever)")
      ->capture_default_str();
  registry.add(cmd, [&global, flags]() { return run_waitready(global, *flags); });
}

}  // namespace movn::cli
