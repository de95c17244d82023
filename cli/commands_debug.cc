// `microovn debug projections|rebuild`: inspect the projections of the running daemon, or
// rebuild a stopped member's projections from its log (runs `microovnd rebuild`, so the CLI
// itself links no storage code).
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <filesystem>

#include "cli/commands.h"

namespace movn::cli {
namespace {

const std::vector<std::string> kDebugFormats = {"table", "compact", "csv", "json", "yaml"};

struct DebugFlags {
  std::string format = "table";
};

Result<std::string> render_projection_rows(const Json& list, const std::string& format_name) {
  if (!list.is_array()) return invalid_response("the projection list is not an array");
  Table t{{"NAME", "APPLIED INDEX", "DIGEST"}, {}};
  for (const Json& p : list) {
    auto name = string_field(p, "name", "projection");
    if (!name.ok()) return std::move(name).error();
    auto index = uint_field(p, "applied_index", "projection " + *name);
    if (!index.ok()) return std::move(index).error();
    auto digest = string_field(p, "digest", "projection " + *name);
    if (!digest.ok()) return std::move(digest).error();
    t.rows.push_back({*name, std::to_string(*index), *digest});
  }
  auto format = parse_output_format(format_name);
  if (!format.ok()) return std::move(format).error();
  return render(*format, t, list);
}

// The microovnd binary next to this one, else the one on PATH.
std::string daemon_binary() {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto sibling = self.parent_path() / "microovnd";
    if (std::filesystem::exists(sibling, ec)) return sibling.string();
  }
  return "microovnd";
}

// Runs `microovnd --state-dir DIR rebuild` and returns its stdout; its stderr passes through.
Result<std::string> run_offline_rebuild(const std::string& state_dir) {
  int fds[2];
  if (pipe(fds) != 0) return make_error(Errc::kIo, "failed to create a pipe");
  std::string bin = daemon_binary();
  pid_t pid = fork();
  if (pid < 0) return make_error(Errc::kIo, "failed to start microovnd");
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    std::array<const char*, 5> argv = {bin.c_str(), "--state-dir", state_dir.c_str(), "rebuild", nullptr};
    execvp(bin.c_str(), const_cast<char* const*>(argv.data()));
    _exit(127);
  }
  close(fds[1]);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
    return make_error(Errc::kNotFound, "failed to run " + bin + " (is microovnd installed?)");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return make_error(Errc::kFailedPrecondition, "rebuild failed (see the message above)");
  return out;
}

Result<std::string> run_projections(const GlobalOptions& global, const DebugFlags& flags) {
  auto answer = global.client().get("/1.0/projections");
  if (!answer.ok()) return std::move(answer).error();
  return render_projection_rows(*answer, flags.format);
}

Result<std::string> run_rebuild(const GlobalOptions& global, const DebugFlags& flags) {
  // Refuse while the daemon serves this state directory: its store is in use.
  auto probe = global.client().call_raw("GET", "/1.0/ready", std::chrono::milliseconds(500));
  if (probe.ok())
    return make_error(Errc::kFailedPrecondition,
                      "microovnd is running on " + global.state_dir +
                          ": stop it first, or restart it with 'microovnd --rebuild'");
  auto out = run_offline_rebuild(global.state_dir);
  if (!out.ok()) return std::move(out).error();
  Json list = Json::parse(*out, nullptr, false);
  if (list.is_discarded()) return invalid_response("microovnd rebuild printed no projection list");
  auto rendered = render_projection_rows(list, flags.format);
  if (!rendered.ok()) return std::move(rendered).error();
  if (flags.format == "table" || flags.format == "compact")
    return "Projections rebuilt from the log (hash chain verified):\n" + *rendered;
  return rendered;
}

}  // namespace

void add_debug_commands(CLI::App& root, CommandRegistry& registry, const GlobalOptions& global) {
  CLI::App* debug = add_group(root, "debug", "Inspect and repair this member's event store");
  {
    auto flags = std::make_shared<DebugFlags>();
    CLI::App* cmd = debug->add_subcommand("projections", "Show each projection's applied index and digest");
    cmd->add_option("-f,--format", flags->format, "Format (table|compact|csv|json|yaml)")
        ->capture_default_str()
        ->check(format_validator(kDebugFormats));
    registry.add(cmd, [&global, flags]() { return run_projections(global, *flags); });
  }
  {
    auto flags = std::make_shared<DebugFlags>();
    CLI::App* cmd = debug->add_subcommand(
        "rebuild", "Rebuild a stopped member's projections from its log, verifying the hash chain");
    cmd->add_option("-f,--format", flags->format, "Format (table|compact|csv|json|yaml)")
        ->capture_default_str()
        ->check(format_validator(kDebugFormats));
    registry.add(cmd, [&global, flags]() { return run_rebuild(global, *flags); });
  }
}

}  // namespace movn::cli
