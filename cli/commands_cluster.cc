// `microovn cluster ...`: bootstrap, add, list, tokens list|revoke.
#include <cmath>
#include <iostream>

#include "cli/commands.h"
#include "cli/http_client.h"

namespace movn::cli {
namespace {

constexpr double kDefaultTokenExpirySeconds = 3 * 60 * 60;

struct BootstrapFlags {
  std::string name;
  std::string address;
  std::string encap_ip;
  CLI::Option* name_option = nullptr;
  CLI::Option* address_option = nullptr;
};

struct JoinFlags {
  std::string token;
  std::string name;
  std::string address;
  std::string encap_ip;
  CLI::Option* name_option = nullptr;
  CLI::Option* address_option = nullptr;
};

struct RemoveFlags {
  std::string name;
  bool force = false;
};

struct AddFlags {
  std::string name;
  double expire_after_seconds = kDefaultTokenExpirySeconds;
};

struct ListFlags {
  std::string format = "table";
};

struct RevokeFlags {
  std::string name;
};

Result<std::string> run_bootstrap(const GlobalOptions& global, const BootstrapFlags& flags) {
  Json body = Json::object();
  if (flags.name_option->count() > 0) body["name"] = flags.name;
  if (flags.address_option->count() > 0) body["address"] = flags.address;
  if (!flags.encap_ip.empty()) body["encap_ip"] = flags.encap_ip;
  auto answer = global.client().post("/1.0/cluster/bootstrap", body);
  if (!answer.ok()) return std::move(answer).error();
  return std::string();  // upstream prints nothing
}

Result<std::string> run_join(const GlobalOptions& global, const JoinFlags& flags) {
  Json body = Json::object();
  body["token"] = flags.token;
  if (flags.name_option->count() > 0) body["name"] = flags.name;
  if (flags.address_option->count() > 0) body["address"] = flags.address;
  if (!flags.encap_ip.empty()) body["encap_ip"] = flags.encap_ip;
  auto answer = global.client().post("/1.0/cluster/join", body);
  if (!answer.ok()) return std::move(answer).error();
  return std::string();  // upstream prints nothing
}

Result<std::string> run_remove(const GlobalOptions& global, const RemoveFlags& flags) {
  std::string target = "/1.0/cluster/" + url_encode(flags.name);
  if (flags.force) target += "?force=1";
  auto answer = global.client().del(target);
  if (!answer.ok()) return std::move(answer).error();
  // Upstream prints nothing on stdout; the note goes to stderr (docs/cli.md).
  std::cerr << "Note: " << flags.name
            << " keeps the cluster key and the log it had, so it can still open the cluster CA's key it saw. "
               "If it is no longer trusted, run 'microovn certificates regenerate-ca'.\n";
  return std::string();
}

Result<std::string> run_add(const GlobalOptions& global, const AddFlags& flags) {
  if (!std::isfinite(flags.expire_after_seconds)) {
    return make_error(Errc::kInvalidArgument, "--timeout must be a finite number of seconds");
  }
  Json body = Json::object();
  body["name"] = flags.name;
  // A whole number of seconds goes out as a JSON integer (10800, not 10800.0).
  const double seconds = flags.expire_after_seconds;
  if (std::trunc(seconds) == seconds && std::fabs(seconds) < 9.0e15) {
    body["expire_after_seconds"] = static_cast<std::int64_t>(seconds);
  } else {
    body["expire_after_seconds"] = seconds;
  }
  auto answer = global.client().post("/1.0/tokens", body);
  if (!answer.ok()) return std::move(answer).error();
  if (!answer->is_string()) return invalid_response("the join token is not a string");
  return answer->get<std::string>() + "\n";
}

Result<std::string> run_list(const GlobalOptions& global, const ListFlags& flags) {
  auto format = parse_output_format(flags.format);
  if (!format.ok()) return std::move(format).error();
  auto members = global.client().get("/1.0/cluster");
  if (!members.ok()) return std::move(members).error();
  return render_cluster_list(*members, *format);
}

Result<std::string> run_tokens_list(const GlobalOptions& global, const ListFlags& flags) {
  auto format = parse_output_format(flags.format);
  if (!format.ok()) return std::move(format).error();
  auto tokens = global.client().get("/1.0/tokens");
  if (!tokens.ok()) return std::move(tokens).error();
  return render_token_list(*tokens, *format);
}

Result<std::string> run_tokens_revoke(const GlobalOptions& global, const RevokeFlags& flags) {
  auto answer = global.client().del("/1.0/tokens/" + url_encode(flags.name));
  if (!answer.ok()) return std::move(answer).error();
  return std::string();
}

const std::vector<std::string> kListFormats = {"table", "compact", "json", "yaml", "csv"};

void add_format_flag(CLI::App* cmd, std::string& target) {
  cmd->add_option("-f,--format", target, "Format (table|compact|json|yaml|csv)")
      ->capture_default_str()
      ->check(format_validator(kListFormats));
}

}  // namespace

Result<std::string> render_cluster_list(const Json& members, OutputFormat format) {
  if (!members.is_array()) return invalid_response("the member list is not an array");
  Table table{{"NAME", "ADDRESS", "ROLE", "FINGERPRINT", "STATUS"}, {}};
  Json raw = Json::array();
  for (std::size_t i = 0; i < members.size(); ++i) {
    const Json& member = members[i];
    const std::string what = "member " + std::to_string(i);
    if (!member.is_object()) return invalid_response(what + " is not an object");
    Row row;
    for (const char* key : {"name", "address", "role", "fingerprint", "status"}) {
      auto value = string_field(member, key, what);
      if (!value.ok()) return std::move(value).error();
      row.push_back(std::move(*value));
    }
    table.rows.push_back(std::move(row));
    // json/yaml show upstream's ClusterMember, which has no fingerprint.
    Json copy = member;
    copy.erase("fingerprint");
    raw.push_back(std::move(copy));
  }
  sort_rows_naturally(table.rows);
  return render(format, table, raw);
}

Result<std::string> render_token_list(const Json& tokens, OutputFormat format) {
  if (!tokens.is_array()) return invalid_response("the token list is not an array");
  Table table{{"NAME", "EXPIRES AT"}, {}};
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string what = "token " + std::to_string(i);
    auto name = string_field(tokens[i], "name", what);
    if (!name.ok()) return std::move(name).error();
    auto expires_at = string_field(tokens[i], "expires_at", what);
    if (!expires_at.ok()) return std::move(expires_at).error();
    auto expired = bool_field(tokens[i], "expired", what);
    if (!expired.ok()) return std::move(expired).error();
    std::string when = std::move(*expires_at);
    if (*expired) when += " (expired)";
    table.rows.push_back({std::move(*name), std::move(when)});
  }
  sort_rows_naturally(table.rows);
  return render(format, table, tokens);
}

void add_cluster_commands(CLI::App& root, CommandRegistry& registry, const GlobalOptions& global) {
  CLI::App* cluster = add_group(root, "cluster", "Manage the MicroOVN cluster");

  {
    auto flags = std::make_shared<BootstrapFlags>();
    CLI::App* cmd = cluster->add_subcommand("bootstrap", "Bootstrap a new cluster on this member");
    flags->name_option =
        cmd->add_option("--name", flags->name, "Name of this member (default: the hostname)");
    flags->address_option = cmd->add_option(
        "--address", flags->address,
        "Address to listen on, IP[:PORT] (default: the first global address, port 6686)");
    cmd->add_option("--encap-ip", flags->encap_ip,
                    "IP address of this chassis' geneve tunnel endpoint (default: the address's IP)");
    registry.add(cmd, [&global, flags]() { return run_bootstrap(global, *flags); });
  }
  {
    auto flags = std::make_shared<JoinFlags>();
    CLI::App* cmd = cluster->add_subcommand("join", "Join an existing cluster with a token from `cluster add`");
    cmd->add_option("TOKEN", flags->token, "Join token")->required();
    flags->name_option =
        cmd->add_option("--name", flags->name, "Name of this member (default: the hostname)");
    flags->address_option = cmd->add_option(
        "--address", flags->address,
        "Address to listen on, IP[:PORT] (default: the first global address, port 6686)");
    cmd->add_option("--encap-ip", flags->encap_ip,
                    "IP address of this chassis' geneve tunnel endpoint (default: the address's IP)");
    registry.add(cmd, [&global, flags]() { return run_join(global, *flags); });
  }
  {
    auto flags = std::make_shared<RemoveFlags>();
    CLI::App* cmd = cluster->add_subcommand("remove", "Remove a member from the cluster");
    cmd->add_option("NAME", flags->name, "Name of the member")->required();
    cmd->add_flag("-f,--force", flags->force, "Remove the member even if it cannot be reached");
    registry.add(cmd, [&global, flags]() { return run_remove(global, *flags); });
  }
  {
    auto flags = std::make_shared<AddFlags>();
    CLI::App* cmd = cluster->add_subcommand("add", "Generate a join token for a new member");
    cmd->add_option("NAME", flags->name, "Name of the new member")->required();
    cmd->add_option("--timeout", flags->expire_after_seconds, "Seconds until the token expires")
        ->capture_default_str();
    registry.add(cmd, [&global, flags]() { return run_add(global, *flags); });
  }
  {
    auto flags = std::make_shared<ListFlags>();
    CLI::App* cmd = cluster->add_subcommand("list", "List the members of the cluster");
    add_format_flag(cmd, flags->format);
    registry.add(cmd, [&global, flags]() { return run_list(global, *flags); });
  }

  CLI::App* tokens = add_group(*cluster, "tokens", "Manage join tokens");
  {
    auto flags = std::make_shared<ListFlags>();
    CLI::App* cmd = tokens->add_subcommand("list", "List the pending join tokens");
    add_format_flag(cmd, flags->format);
    registry.add(cmd, [&global, flags]() { return run_tokens_list(global, *flags); });
  }
  {
    auto flags = std::make_shared<RevokeFlags>();
    CLI::App* cmd = tokens->add_subcommand("revoke", "Revoke a join token");
    cmd->add_option("NAME", flags->name, "Name the token was issued for")->required();
    registry.add(cmd, [&global, flags]() { return run_tokens_revoke(global, *flags); });
  }
}

}  // namespace movn::cli
