// What this member knows about itself: its name, address and identity, and the record of the
// cluster it belongs to (STATE_DIR/daemon.json). Owned by the core thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "common/result.h"
#include "pki/identity.h"

namespace movn::daemon {

struct DaemonRecord {
  std::string name;
  std::string address;
  std::string cluster_id;
};

Result<std::optional<DaemonRecord>> read_daemon_record(const std::filesystem::path& file);
Result<void> write_daemon_record(const std::filesystem::path& file, const DaemonRecord& rec);

// A member that was admitted to a cluster but has not yet received the log entry that names it
// (STATE_DIR/joining.json): who it joined as, so that a restart goes on as that member. Removed
// once daemon.json is written.
struct JoiningRecord {
  std::string name;
  std::string address;
  std::uint64_t raft_id = 0;
  // The members its token pinned (address -> certificate fingerprint): the only peers it trusts
  // until its own log names the members.
  std::map<std::string, std::string> pins;
};
Result<std::optional<JoiningRecord>> read_joining_record(const std::filesystem::path& file);
Result<void> write_joining_record(const std::filesystem::path& file, const JoiningRecord& rec);

// What a member keeps of its cluster state: the store, the identity, the records.
inline constexpr const char* kMemberStateEntries[] = {"store", "identity", "daemon.json", "joining.json"};
// The directory beside the state directory that holds what OVN reads (reference-behaviour
// §3.3): `<parent of state_dir>/data`, with pki/ (the certificates) in it.
std::filesystem::path member_data_dir(const std::filesystem::path& state_dir);
// Moves a removed member's state (kMemberStateEntries found in `state_dir`) into
// `<parent of state_dir>/backup_<unix_seconds>/state/`, and its certificates (data/pki) into
// `backup_<unix_seconds>/data/pki/` (the directory is 0750; a suffix is added when that name is
// taken), so the state directory is uninitialised again. Returns the backup directory. Nothing is
// deleted.
Result<std::filesystem::path> retire_member_state(const std::filesystem::path& state_dir, std::uint64_t unix_seconds);

// The host name, as the default member name.
std::string host_name();
// The name a member that is in no cluster yet goes by, and makes its first identity under: the
// host name when it is a member name (commands::validate_member_name), else "microovn". Bootstrap
// makes the identity again under the member's own name.
std::string provisional_member_name();
// The first global IPv4 address of this host with the default port, or an error asking for
// --address when there is none.
Result<std::string> default_address();

}  // namespace movn::daemon
