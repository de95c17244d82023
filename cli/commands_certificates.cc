// `microovn certificates list [-f text|json]`: this member's OVN certificates as the daemon finds
// them in data/pki, in upstream's layout (reference-behaviour §1.7).
#include "cli/commands.h"

namespace movn::cli {
namespace {

struct ListFlags {
  std::string format = "text";
};

// The bundles in upstream's order: JSON key and text section title.
constexpr std::pair<const char*, const char*> kBundles[] = {
    {"ovnnb", "OVN Northbound Database"}, {"ovnsb", "OVN Southbound Database"},
    {"ovn-northd", "OVN Northd Service"}, {"ovn-controller", "OVN Chassis Service"},
    {"client", "Client"},
};

// "<path> (OK: Present)" or "<path> (Error: Missing file)".
Result<std::string> file_line(const Json& bundle, const char* field, const char* present_field,
                              const std::string& what) {
  auto path = string_field(bundle, field, what);
  if (!path.ok()) return std::move(path).error();
  auto present = bool_field(bundle, present_field, what);
  if (!present.ok()) return std::move(present).error();
  return *path + (*present ? " (OK: Present)" : " (Error: Missing file)") + "\n";
}

Result<std::string> run_list(const GlobalOptions& global, const ListFlags& flags) {
  auto answer = global.client().get("/1.0/certificates");
  if (!answer.ok()) return std::move(answer).error();
  return render_certificate_list(*answer, flags.format == "json");
}

}  // namespace

Result<std::string> render_certificate_list(const Json& answer, bool json) {
  if (!answer.is_object()) return invalid_response("the certificate list is not an object");
  // JSON: exactly upstream's keys, in its order, with no trailing newline.
  Json out = Json::object();
  std::string text;
  {
    const auto it = answer.find("ca");
    if (it == answer.end() || !it->is_object()) return invalid_response("the certificate list has no CA");
    auto cert = string_field(*it, "cert", "the CA");
    if (!cert.ok()) return std::move(cert).error();
    auto renew = bool_field(*it, "auto_renew", "the CA");
    if (!renew.ok()) return std::move(renew).error();
    auto expiry = string_field(*it, "expiration_date", "the CA");
    if (!expiry.ok()) return std::move(expiry).error();
    out["ca"] = Json{{"cert", *cert}, {"auto_renew", *renew}, {"expiration_date", *expiry}};
    auto line = file_line(*it, "cert", "cert_present", "the CA");
    if (!line.ok()) return std::move(line).error();
    text += "[OVN CA]\n" + *line + "expiration date: " + *expiry + "\nAuto-renew: " + (*renew ? "true" : "false") +
            "\n";
  }
  for (const auto& [key, title] : kBundles) {
    const std::string what = std::string("the ") + key + " bundle";
    const auto it = answer.find(key);
    if (it == answer.end()) return invalid_response("the certificate list has no " + std::string(key) + " entry");
    text += "\n[" + std::string(title) + "]\n";
    if (it->is_null()) {
      out[key] = nullptr;
      text += "Not present.\n";
      continue;
    }
    if (!it->is_object()) return invalid_response(what + " is not an object");
    auto cert = string_field(*it, "cert", what);
    if (!cert.ok()) return std::move(cert).error();
    auto key_path = string_field(*it, "key", what);
    if (!key_path.ok()) return std::move(key_path).error();
    auto expiry = string_field(*it, "expiration_date", what);
    if (!expiry.ok()) return std::move(expiry).error();
    out[key] = Json{{"cert", *cert}, {"key", *key_path}, {"expiration_date", *expiry}};
    auto cert_line = file_line(*it, "cert", "cert_present", what);
    if (!cert_line.ok()) return std::move(cert_line).error();
    auto key_line = file_line(*it, "key", "key_present", what);
    if (!key_line.ok()) return std::move(key_line).error();
    text += *cert_line + "expiration date: " + *expiry + "\n" + *key_line;
  }
  if (json) return out.dump();
  return text;
}

void add_certificates_commands(CLI::App& root, CommandRegistry& registry, const GlobalOptions& global) {
  CLI::App* certificates = add_group(root, "certificates", "Manage the OVN certificates");
  auto flags = std::make_shared<ListFlags>();
  CLI::App* cmd = certificates->add_subcommand("list", "List this member's OVN certificates");
  cmd->add_option("-f,--format", flags->format, "Format (text|json)")
      ->capture_default_str()
      ->check(format_validator({"text", "json"}));
  registry.add(cmd, [&global, flags]() { return run_list(global, *flags); });
}

}  // namespace movn::cli
