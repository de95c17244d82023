#include "daemon/member_info.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "commands/validate.h"
#include "pki/files.h"

namespace movn::daemon {

Result<std::optional<DaemonRecord>> read_daemon_record(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return std::optional<DaemonRecord>();
  MOVN_ASSIGN_OR_RETURN(std::string text, pki::read_file(file, 64 * 1024, std::nullopt));
  try {
    auto j = nlohmann::json::parse(text);
    return std::optional<DaemonRecord>(DaemonRecord{j.at("name").get<std::string>(),
                                                    j.at("address").get<std::string>(),
                                                    j.at("cluster_id").get<std::string>()});
  } catch (const std::exception& ex) {
    return make_error(Errc::kCorruption, "daemon record " + file.string() + " is damaged: " + ex.what());
  }
}

Result<void> write_daemon_record(const std::filesystem::path& file, const DaemonRecord& rec) {
  nlohmann::ordered_json j{{"name", rec.name}, {"address", rec.address}, {"cluster_id", rec.cluster_id}};
  return pki::write_file_atomic(file, j.dump(2) + "\n", 0600);
}

Result<std::optional<JoiningRecord>> read_joining_record(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return std::optional<JoiningRecord>();
  MOVN_ASSIGN_OR_RETURN(std::string text, pki::read_file(file, 64 * 1024, std::nullopt));
  try {
    auto j = nlohmann::json::parse(text);
    JoiningRecord rec{j.at("name").get<std::string>(), j.at("address").get<std::string>(),
                      j.at("raft_id").get<std::uint64_t>(),
                      j.at("pins").get<std::map<std::string, std::string>>()};
    MOVN_TRY(commands::validate_member_name(rec.name));
    auto a = commands::normalize_address(rec.address);
    bool pins_ok = !rec.pins.empty();
    for (const auto& [address, fp] : rec.pins) {
      auto pa = commands::normalize_address(address);
      pins_ok = pins_ok && pa.ok() && *pa == address && fp.size() == 64 &&
                fp.find_first_not_of("0123456789abcdef") == std::string::npos;
    }
    if (!a.ok() || *a != rec.address || rec.raft_id == 0 || !pins_ok)
      return make_error(Errc::kCorruption, "joining record " + file.string() + " is damaged");
    return std::optional<JoiningRecord>(std::move(rec));
  } catch (const std::exception& ex) {
    return make_error(Errc::kCorruption, "joining record " + file.string() + " is damaged: " + ex.what());
  }
}

Result<void> write_joining_record(const std::filesystem::path& file, const JoiningRecord& rec) {
  nlohmann::ordered_json j{{"name", rec.name}, {"address", rec.address}, {"raft_id", rec.raft_id}, {"pins", rec.pins}};
  return pki::write_file_atomic(file, j.dump(2) + "\n", 0600);
}

namespace {
// The state directory, absolute, without a trailing separator.
std::filesystem::path normal_state_dir(const std::filesystem::path& state_dir) {
  std::filesystem::path dir = std::filesystem::absolute(state_dir).lexically_normal();
  if (!dir.has_filename() && dir.has_relative_path()) dir = dir.parent_path();
  return dir;
}
}  // namespace

std::filesystem::path member_data_dir(const std::filesystem::path& state_dir) {
  const std::filesystem::path dir = normal_state_dir(state_dir);
  return (dir.has_relative_path() ? dir.parent_path() : dir) / "data";
}

Result<std::filesystem::path> retire_member_state(const std::filesystem::path& state_dir, std::uint64_t unix_seconds) {
  namespace fs = std::filesystem;
  const fs::path dir = normal_state_dir(state_dir);
  const fs::path parent = dir.has_relative_path() ? dir.parent_path() : dir;
  fs::path backup = parent / ("backup_" + std::to_string(unix_seconds));
  std::error_code ec;
  for (int n = 1; fs::exists(backup, ec); ++n)
    backup = parent / ("backup_" + std::to_string(unix_seconds) + "." + std::to_string(n));
  if (!fs::create_directory(backup, ec) || ec)
    return make_error(Errc::kIo, "cannot create " + backup.string() + ": " + ec.message());
  fs::permissions(backup, fs::perms(0750), ec);
  const fs::path target = backup / "state";
  if (!fs::create_directory(target, ec) || ec)
    return make_error(Errc::kIo, "cannot create " + target.string() + ": " + ec.message());
  fs::permissions(target, fs::perms(0700), ec);
  for (const char* entry : kMemberStateEntries) {
    const fs::path from = dir / entry;
    if (!fs::exists(fs::symlink_status(from, ec))) continue;
    MOVN_TRY(pki::rename_durable(from, target / entry));
  }
  // The member's OVN goes with it: its data (the certificates issued to its identity, the NB and
  // SB database files, the Open_vSwitch database, ovn.env) and the OVN/OVS logs.
  for (const fs::path& from : {member_data_dir(dir), parent / "logs"}) {
    if (!fs::exists(fs::symlink_status(from, ec))) continue;
    MOVN_TRY(pki::rename_durable(from, backup / from.filename()));
  }
  return backup;
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "microovn";
  std::string name(buf);
  // Use the first label of a fully qualified name.
  if (auto dot = name.find('.'); dot != std::string::npos) name.resize(dot);
  return name;
}

std::string provisional_member_name() {
  std::string name = host_name();
  return commands::validate_member_name(name).ok() ? name : std::string("microovn");
}

Result<std::string> default_address() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0)
    return make_error(Errc::kUnavailable, "failed to list network interfaces; pass --address");
  std::optional<std::string> found;
  for (ifaddrs* it = list; it != nullptr && !found; it = it->ifa_next) {
    if (it->ifa_addr == nullptr || it->ifa_addr->sa_family != AF_INET) continue;
    if ((it->ifa_flags & IFF_UP) == 0 || (it->ifa_flags & IFF_LOOPBACK) != 0) continue;
    auto* sin = reinterpret_cast<sockaddr_in*>(it->ifa_addr);
    std::uint32_t a = ntohl(sin->sin_addr.s_addr);
    if ((a >> 24) == 127 || (a >> 16) == 0xA9FE || a == 0) continue;  // loopback, link-local
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &sin->sin_addr, text, sizeof text);
    found = std::string(text) + ":" + std::to_string(commands::kDefaultPort);
  }
  freeifaddrs(list);
  if (!found)
    return make_error(Errc::kFailedPrecondition,
                      "this host has no global IPv4 address: pass --address ADDR[:PORT]");
  return *found;
}

}  // namespace movn::daemon
