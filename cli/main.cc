// microovn: the command-line client of microovnd. Parses the command line (CLI11), runs one action,
// prints its output, and turns every failure into "Error: <message>" on stderr with exit code 1.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "cli/commands.h"

#ifndef MICROOVN_VERSION
#define MICROOVN_VERSION "unknown"
#endif

namespace movn::cli {
namespace {

constexpr int kExitFailure = 1;

int fail(std::string_view message) {
  std::fflush(stdout);
  std::fprintf(stderr, "Error: %.*s\n", static_cast<int>(message.size()), message.data());
  return kExitFailure;
}

// The installed version of a Debian package, or "not-installed".
std::string package_version(const char* package) {
  std::string command =
      std::string("dpkg-query -W -f='${db:Status-Status} ${Version}' ") + package + " 2>/dev/null";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return "not-installed";
  std::string output;
  char buffer[256];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, n);
  int status = ::pclose(pipe);
  constexpr std::string_view kInstalled = "installed ";
  if (status != 0 || !output.starts_with(kInstalled) || output.size() == kInstalled.size()) {
    return "not-installed";
  }
  return output.substr(kInstalled.size());
}

std::string version_text() {
  return std::string("microovn: ") + MICROOVN_VERSION + "\novn: " + package_version("ovn-common") +
         "\nopenvswitch: " + package_version("openvswitch-common") + "\n";
}

bool write_stdout(const std::string& text) {
  if (text.empty()) return true;
  bool ok = std::fwrite(text.data(), 1, text.size(), stdout) == text.size();
  return std::fflush(stdout) == 0 && ok;
}

int run(int argc, char** argv) {
  CLI::App app("MicroOVN: OVN made simple", "microovn");
  app.set_help_flag("-h,--help", "Show help");
  app.require_subcommand(0, 1);
  app.fallthrough();  // persistent flags work after the subcommand too

  GlobalOptions global;
  bool show_version = false;
  app.add_option("--state-dir", global.state_dir, "Path to store state information")
      ->capture_default_str();
  app.add_flag("-d,--debug", global.debug, "Show all debug messages");
  app.add_flag("-v,--verbose", global.verbose, "Show all information messages");
  app.add_flag("--version", show_version, "Print version information and exit");
  app.add_option("--request-id", global.request_id,
                 "Request id sent as X-Request-Id (default: random); a retry with the same id is "
                 "applied once")
      ->group("");  // hidden: for tests and scripted retries

  CommandRegistry registry;
  add_waitready_command(app, registry, global);
  add_cluster_commands(app, registry, global);
  add_config_commands(app, registry, global);
  add_certificates_commands(app, registry, global);
  add_status_command(app, registry, global);
  add_service_commands(app, registry, global);
  add_events_commands(app, registry, global);
  add_debug_commands(app, registry, global);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    return fail(e.what());
  }

  if (show_version) return write_stdout(version_text()) ? 0 : fail("failed to write output");

  const CLI::App* command = &app;
  while (!command->get_subcommands().empty()) command = command->get_subcommands().front();
  const Action* action = registry.find(command);
  if (action == nullptr) {  // a group without its subcommand: help, as cobra does
    std::string path;       // "microovn cluster" for "tokens", so the usage line is complete
    for (const CLI::App* p = command->get_parent(); p != nullptr; p = p->get_parent()) {
      path = path.empty() ? p->get_name() : p->get_name() + " " + path;
    }
    return write_stdout(command->help(path)) ? 0 : fail("failed to write output");
  }

  if (global.request_id.empty()) {
    global.request_id = generate_request_id();
  } else if (!is_valid_request_id(global.request_id)) {
    return fail("invalid --request-id \"" + global.request_id +
                "\": want 1-128 characters from [A-Za-z0-9._:-]");
  }
  auto timeout = call_timeout_from_env(std::getenv("MICROOVN_CALL_TIMEOUT_MS"));
  if (!timeout.ok()) return fail(timeout.error().message);
  global.timeout = *timeout;

  auto output = (*action)();
  if (!output.ok()) return fail(output.error().message);
  if (!write_stdout(*output)) return fail("failed to write output");
  return 0;
}

}  // namespace
}  // namespace movn::cli

int main(int argc, char** argv) {
  try {
    return movn::cli::run(argc, argv);
  } catch (const std::exception& e) {
    return movn::cli::fail(e.what());
  } catch (...) {
    return movn::cli::fail("unexpected failure");
  }
}
