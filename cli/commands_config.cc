// `microovn config set|get|delete|list`.
#include "cli/commands.h"
#include "cli/http_client.h"

namespace movn::cli {
namespace {

struct KeyValueFlags {
  std::string key;
  std::string value;
};

std::string config_target(const std::string& key) { return "/1.0/config/" + url_encode(key); }

std::string quoted_key(const std::string& key) { return "'" + key + "'"; }

Result<std::string> run_set(const GlobalOptions& global, const KeyValueFlags& flags) {
  Json body = Json::object();
  body["value"] = flags.value;
  auto answer = global.client().put(config_target(flags.key), body);
  if (!answer.ok()) {
    return std::move(answer).error().wrap("failed to set config option " + quoted_key(flags.key));
  }
  return "Successfully set config option " + quoted_key(flags.key) + "\n";
}

Result<std::string> run_get(const GlobalOptions& global, const KeyValueFlags& flags) {
  auto answer = global.client().get(config_target(flags.key));
  if (!answer.ok()) {
    return std::move(answer).error().wrap("failed to get config option " + quoted_key(flags.key));
  }
  return render_config_get(*answer, flags.key);
}

Result<std::string> run_delete(const GlobalOptions& global, const KeyValueFlags& flags) {
  auto answer = global.client().del(config_target(flags.key));
  if (!answer.ok()) {
    return std::move(answer).error().wrap("failed to delete config option " +
                                          quoted_key(flags.key));
  }
  return "Successfully deleted config option " + quoted_key(flags.key) + "\n";
}

Result<std::string> run_list(const GlobalOptions& global) {
  auto answer = global.client().get("/1.0/config");
  if (!answer.ok()) return std::move(answer).error();
  return render_config_list(*answer);
}

}  // namespace

Result<std::string> render_config_get(const Json& answer, const std::string& key) {
  const std::string what = "config option " + quoted_key(key);
  if (auto it = answer.find("error"); answer.is_object() && it != answer.end()) {
    if (!it->is_string()) return invalid_response(what + ": field 'error' is not a string");
    if (!it->get_ref<const std::string&>().empty()) {
      return make_error(Errc::kInvalidArgument, "failed to get config option " + quoted_key(key) +
                                                    ": " + it->get<std::string>());
    }
  }
  auto is_set = bool_field(answer, "isSet", what);
  if (!is_set.ok()) return std::move(is_set).error();
  auto value = string_field(answer, "value", what);
  if (!value.ok()) return std::move(value).error();
  if (!*is_set) return std::string();
  return *value + "\n";
}

Result<std::string> render_config_list(const Json& keys) {
  if (!keys.is_array()) return invalid_response("the config key list is not an array");
  std::string out = "Available options:\n";
  for (const Json& key : keys) {
    if (!key.is_string()) return invalid_response("a config key is not a string");
    out += key.get_ref<const std::string&>();
    out += '\n';
  }
  return out;
}

void add_config_commands(CLI::App& root, CommandRegistry& registry, const GlobalOptions& global) {
  CLI::App* config = add_group(root, "config", "Manage MicroOVN configuration");
  {
    auto flags = std::make_shared<KeyValueFlags>();
    CLI::App* cmd = config->add_subcommand("set", "Set the value of a configuration option");
    cmd->add_option("KEY", flags->key, "Option name")->required();
    cmd->add_option("VALUE", flags->value, "New value")->required();
    registry.add(cmd, [&global, flags]() { return run_set(global, *flags); });
  }
  {
    auto flags = std::make_shared<KeyValueFlags>();
    CLI::App* cmd = config->add_subcommand("get", "Get the value of a configuration option");
    cmd->add_option("KEY", flags->key, "Option name")->required();
    registry.add(cmd, [&global, flags]() { return run_get(global, *flags); });
  }
  {
    auto flags = std::make_shared<KeyValueFlags>();
    CLI::App* cmd = config->add_subcommand("delete", "Unset a configuration option");
    cmd->add_option("KEY", flags->key, "Option name")->required();
    registry.add(cmd, [&global, flags]() { return run_delete(global, *flags); });
  }
  {
    CLI::App* cmd =
        config->add_subcommand("list", "List the configuration options that may be set");
    registry.add(cmd, [&global]() { return run_list(global); });
  }
}

}  // namespace movn::cli
