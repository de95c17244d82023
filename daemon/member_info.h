// What this member knows about itself: its name, address and identity, and the record of the
// cluster it belongs to (STATE_DIR/daemon.json). Owned by the core thread.
#pragma once

#include <filesystem>
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
