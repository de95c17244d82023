// `microovn certificates list [-f text|json]`: this member's OVN certificates as the daemon finds
// them in data/pki, in upstream's layout (reference-behaviour §1.7); `reissue`, `regenerate-ca`
// and `set-ca`, with upstream's flags, errors and output (§1.1, §1.8).
#include <algorithm>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>

#include "cli/commands.h"
#include "cli/http_client.h"

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

constexpr const char* kReissueServices[] = {"client", "ovnnb", "ovnsb", "ovn-controller", "ovn-northd", "all"};

// The CA's operations wait for every member's certificates (the daemon gives up after 20 s).
constexpr std::chrono::milliseconds kCaCallTimeout{45'000};

ApiClient ca_client(const GlobalOptions& global) {
  return ApiClient(ApiOptions{global.state_dir, global.request_id, std::max(global.timeout, kCaCallTimeout),
                              global.debug});
}

Error command_failed(Error e) {
  e.message = "command failed: " + e.message;
  return e;
}

Result<std::string> run_reissue(const GlobalOptions& global, const std::string& service) {
  if (std::find_if(std::begin(kReissueServices), std::end(kReissueServices),
                   [&](const char* s) { return service == s; }) == std::end(kReissueServices))
    return make_error(Errc::kInvalidArgument,
                      "invalid argument \"" + service + "\" for \"microovn certificates reissue\"");
  const std::string target = service == "all" ? "/1.0/certificates" : "/1.0/certificates/" + url_encode(service);
  auto answer = global.client().put(target, Json::object());
  if (!answer.ok()) return command_failed(std::move(answer).error());
  return render_reissue(*answer);
}

Result<std::string> run_regenerate_ca(const GlobalOptions& global) {
  auto answer = ca_client(global).put("/1.0/ca", Json::object());
  if (!answer.ok()) return command_failed(std::move(answer).error());
  return render_ca_report(*answer);
}

struct SetCaFlags {
  std::string cert_path;
  std::string key_path;
  bool combined = false;
};

Result<std::string> read_pem_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::kInvalidArgument, std::string("failed to read ") + what + " file: cannot open " + path);
  std::string data;
  char buf[4096];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    data.append(buf, static_cast<std::size_t>(in.gcount()));
    if (data.size() > kMaxPemInputBytes)
      return make_error(Errc::kInvalidArgument, std::string("failed to read ") + what + " file: " + path +
                                                    " is larger than " + std::to_string(kMaxPemInputBytes) + " bytes");
  }
  if (in.bad()) return make_error(Errc::kInvalidArgument, std::string("failed to read ") + what + " file: " + path);
  return data;
}

Result<std::string> run_set_ca(const GlobalOptions& global, const SetCaFlags& flags) {
  const bool have_cert = !flags.cert_path.empty(), have_key = !flags.key_path.empty();
  if (flags.combined == (have_cert || have_key))
    return make_error(Errc::kInvalidArgument, "you must use --combined xor (--key and --cert)");
  if (have_cert != have_key)
    return make_error(Errc::kInvalidArgument, "you must use either both or none of --key and --cert");
  PemBundle bundle;
  if (flags.combined) {
    std::string input;
    char buf[4096];
    while (std::cin.read(buf, sizeof buf) || std::cin.gcount() > 0) {
      input.append(buf, static_cast<std::size_t>(std::cin.gcount()));
      if (input.size() > kMaxPemInputBytes)
        return make_error(Errc::kInvalidArgument,
                          "failed to read stdin: more than " + std::to_string(kMaxPemInputBytes) + " bytes");
    }
    auto split = split_combined_pem(input);
    if (!split.ok())
      return make_error(Errc::kInvalidArgument,
                        "failed to parse certificates and keys from stdin: " + split.error().message);
    bundle = std::move(split).value();
  } else {
    MOVN_ASSIGN_OR_RETURN(bundle.certificates, read_pem_file(flags.cert_path, "certificate"));
    MOVN_ASSIGN_OR_RETURN(bundle.private_key, read_pem_file(flags.key_path, "private key"));
  }
  Json body = Json::object();
  body["certificate"] = std::move(bundle.certificates);
  body["private_key"] = std::move(bundle.private_key);
  auto answer = ca_client(global).post("/1.0/ca", body);
  if (!answer.ok()) return command_failed(std::move(answer).error());
  return render_ca_report(*answer);
}

}  // namespace

Result<PemBundle> split_combined_pem(std::string_view text) {
  PemBundle out;
  constexpr std::string_view kBegin = "-----BEGIN ", kDashes = "-----";
  std::size_t pos = 0;
  while ((pos = text.find(kBegin, pos)) != std::string_view::npos) {
    const std::size_t label_at = pos + kBegin.size();
    const std::size_t label_end = text.find(kDashes, label_at);
    if (label_end == std::string_view::npos) break;
    const std::string_view label = text.substr(label_at, label_end - label_at);
    const std::string end_line = "-----END " + std::string(label) + "-----";
    const std::size_t end_at = text.find(end_line, label_end);
    if (label.find('\n') != std::string_view::npos || end_at == std::string_view::npos) {
      pos = label_at;  // not a block: look further
      continue;
    }
    const std::string block = std::string(text.substr(pos, end_at + end_line.size() - pos)) + "\n";
    if (label == "CERTIFICATE") {
      out.certificates += block;
    } else if ((label == "RSA PRIVATE KEY" || label == "PRIVATE KEY" || label == "EC PRIVATE KEY") &&
               out.private_key.empty()) {
      out.private_key = block;  // only the first key is kept
    }
    pos = end_at + end_line.size();
  }
  if (out.certificates.empty()) return make_error(Errc::kInvalidArgument, "no certificates found");
  if (out.private_key.empty()) return make_error(Errc::kInvalidArgument, "no private key found");
  return out;
}

namespace {
// A list of service names that upstream sends as null when empty.
Result<std::vector<std::string>> service_list(const Json& object, const char* key, const std::string& what) {
  std::vector<std::string> out;
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return out;
  if (!it->is_array()) return invalid_response(what + ": '" + key + "' is not a list");
  for (const auto& v : *it) {
    if (!v.is_string()) return invalid_response(what + ": '" + key + "' holds something other than a name");
    out.push_back(v.get<std::string>());
  }
  return out;
}
}  // namespace

Result<std::string> render_reissue(const Json& answer) {
  if (!answer.is_object()) return invalid_response("the reissue answer is not an object");
  MOVN_ASSIGN_OR_RETURN(auto success, service_list(answer, "success", "the reissue answer"));
  MOVN_ASSIGN_OR_RETURN(auto failed, service_list(answer, "failed", "the reissue answer"));
  std::string out = "Local certificates reissued successfully:\n";
  if (success.empty()) out += "None\n";
  for (const auto& s : success) out += s + "\n";
  if (!failed.empty()) {
    out += "\nLocal certificates reissue failed:\n";
    for (const auto& s : failed) out += s + "\n";
  }
  return out;
}

Result<std::string> render_ca_report(const Json& answer) {
  if (!answer.is_object()) return invalid_response("the CA answer is not an object");
  MOVN_ASSIGN_OR_RETURN(bool new_ca, bool_field(answer, "newCa", "the CA answer"));
  std::string out = std::string("New CA certificate: ") + (new_ca ? "Issued" : "Not Issued") + "\n\n";
  out += "Service certificate re-issued for following services:";
  bool any_failure = false, anything = false;
  const auto hosts = answer.find("reissuedCertificates");
  if (hosts != answer.end() && !hosts->is_null()) {
    if (!hosts->is_object()) return invalid_response("the CA answer: 'reissuedCertificates' is not an object");
    std::map<std::string, const Json*> by_name;  // hosts in name order
    for (const auto& [host, result] : hosts->items()) by_name.emplace(host, &result);
    for (const auto& [host, result_ptr] : by_name) {
      const Json& result = *result_ptr;
      const std::string what = "the CA answer for " + host;
      if (!result.is_object()) return invalid_response(what + " is not an object");
      MOVN_ASSIGN_OR_RETURN(auto success, service_list(result, "success", what));
      MOVN_ASSIGN_OR_RETURN(auto failed, service_list(result, "failed", what));
      out += "\n[Host " + host + "]\n";
      anything = true;
      for (const auto& s : success) out += s + ": Success\n";
      for (const auto& s : failed) out += s + ": Failed!\n";
      any_failure = any_failure || !failed.empty();
    }
  }
  MOVN_ASSIGN_OR_RETURN(auto errors, service_list(answer, "error", "the CA answer"));
  if (!errors.empty()) {
    any_failure = anything = true;
    out += "\n[Errors]\n";
    for (const auto& e : errors) out += e + "\n";
  }
  if (any_failure)
    out += "\n Some of the service certificates failed to be re-issued. You can inspect logs and attempt to "
           "re-issue these certificates using microovn CLI on affected cluster members.\n";
  if (!anything) out += "\n";
  return out;
}

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

  {
    auto service = std::make_shared<std::string>();
    std::string valid;
    for (const char* s : kReissueServices) valid += std::string(valid.empty() ? "" : ", ") + s;
    CLI::App* reissue = certificates->add_subcommand(
        "reissue", "Reissue the certificate of SERVICE on this member (valid service names: " + valid + ")");
    reissue->add_option("SERVICE", *service, "The service, or all")->required();
    registry.add(reissue, [&global, service]() { return run_reissue(global, *service); });
  }
  CLI::App* regenerate = certificates->add_subcommand(
      "regenerate-ca", "Make a new CA and reissue every service certificate across the cluster");
  registry.add(regenerate, [&global]() { return run_regenerate_ca(global); });
  {
    auto set = std::make_shared<SetCaFlags>();
    CLI::App* cmd = certificates->add_subcommand("set-ca", "Set a new CA certificate and reissue all service certificates");
    cmd->add_option("--cert", set->cert_path, "Path to the CA certificate file");
    cmd->add_option("--key", set->key_path, "Path to the CA private key file");
    cmd->add_flag("--combined", set->combined, "CA certificate and CA private key are being fed in via stdin");
    registry.add(cmd, [&global, set]() { return run_set_ca(global, *set); });
  }
}

}  // namespace movn::cli
