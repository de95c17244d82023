// The microovn command tree: each family registers its CLI11 subcommands plus the action to run
// once parsing succeeded; render_* functions turn daemon answers into stdout text (pure, tested).
// Owned by cli/main.cc for the life of the process; single-threaded.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli/api_client.h"
#include "cli/format.h"
#include "common/result.h"

namespace movn::cli {

// Persistent flags, filled in by the parser before any action runs.
struct GlobalOptions {
  std::string state_dir{kDefaultStateDir};
  std::string request_id;  // generated when not given
  bool debug = false;
  bool verbose = false;
  std::chrono::milliseconds timeout = kDefaultCallTimeout;

  ApiClient client() const { return ApiClient(ApiOptions{state_dir, request_id, timeout, debug}); }
};

// An action returns what to print on stdout, or the error to print as "Error: ...".
using Action = std::function<Result<std::string>()>;

class CommandRegistry {
 public:
  void add(const CLI::App* command, Action action) {
    actions_.emplace_back(command, std::move(action));
  }
  const Action* find(const CLI::App* command) const {
    for (const auto& [app, action] : actions_) {
      if (app == command) return &action;
    }
    return nullptr;
  }

 private:
  std::vector<std::pair<const CLI::App*, Action>> actions_;
};

// Adds a subcommand that takes at most one further subcommand and shares the persistent flags.
CLI::App* add_group(CLI::App& parent, const std::string& name, const std::string& description);

void add_waitready_command(CLI::App& root, CommandRegistry& registry, const GlobalOptions& global);
void add_cluster_commands(CLI::App& root, CommandRegistry& registry, const GlobalOptions& global);
void add_config_commands(CLI::App& root, CommandRegistry& registry, const GlobalOptions& global);
void add_events_commands(CLI::App& root, CommandRegistry& registry, const GlobalOptions& global);
void add_debug_commands(CLI::App& root, CommandRegistry& registry, const GlobalOptions& global);
void add_certificates_commands(CLI::App& root, CommandRegistry& registry, const GlobalOptions& global);
void add_status_command(CLI::App& root, CommandRegistry& registry, const GlobalOptions& global);
void add_service_commands(CLI::App& root, CommandRegistry& registry, const GlobalOptions& global);

// Renderers of daemon answers (metadata of the success envelope). A value of the wrong shape is
// an error ("invalid response from microovnd: ..."), never a crash.
Result<std::string> render_cluster_list(const Json& members, OutputFormat format);
Result<std::string> render_token_list(const Json& tokens, OutputFormat format);
Result<std::string> render_event_list(const Json& events, OutputFormat format);
Result<std::string> render_config_get(const Json& answer, const std::string& key);
Result<std::string> render_config_list(const Json& keys);
// `certificates list`: text (upstream's sections) or JSON (upstream's keys, no trailing newline).
Result<std::string> render_certificate_list(const Json& answer, bool json);

// `certificates reissue` and `regenerate-ca`/`set-ca` answers, as upstream prints them.
Result<std::string> render_reissue(const Json& answer);
// `status`: upstream's deployment summary, database summary and certificate lines.
Result<std::string> render_status(const Json& answer);
// "Service S enabled|disabled"; upstream's central warnings (and a change this member's OVN has not
// followed yet) go to stderr.
Result<std::string> render_service_change(const Json& answer, const std::string& service, bool enable, bool verbose);
Result<std::string> render_ca_report(const Json& answer);

// `certificates set-ca --combined`: the CERTIFICATE blocks of `text`, in order, and its first
// private key block (RSA PRIVATE KEY, PRIVATE KEY or EC PRIVATE KEY); other blocks and text
// around them are ignored. Errors: "no certificates found", "no private key found".
struct PemBundle {
  std::string certificates;
  std::string private_key;
};
Result<PemBundle> split_combined_pem(std::string_view text);
// The most set-ca reads from a file or stdin.
inline constexpr std::size_t kMaxPemInputBytes = 256 * 1024;

// The query string for GET /1.0/events ("" or "?since=3&type=...").
std::string events_query(const std::optional<std::uint64_t>& since, const std::string& type,
                         const std::string& member);

// A CLI11 check for -f/--format values in `allowed`.
CLI::Validator format_validator(std::vector<std::string> allowed);

}  // namespace movn::cli
