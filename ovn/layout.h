// Where a member's OVN/OVS files live under its root directory (the parent of --state-dir, e.g.
// /var/lib/microovn), following upstream's $SNAP_COMMON layout (reference-behaviour §3.3), and the
// environment every OVN/OVS process and tool needs so that nothing falls back to /etc or
// /var/run (ovn-runtime.md §2). Owned by ovn/. Pure values; thread-safe.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

namespace movn::ovn {

struct Layout {
  std::filesystem::path root;        // e.g. /var/lib/microovn
  std::filesystem::path central_db;  // data/central/db: ovnnb_db.db, ovnsb_db.db (OVN_DBDIR)
  std::filesystem::path
      ovn_sysconf;  // data/ovn: ovn-controller's system-id-override (OVN_SYSCONFDIR)
  std::filesystem::path
      switch_conf;  // data/switch: OVS sysconf, openvswitch/system-id.conf (OVS_SYSCONFDIR)
  std::filesystem::path switch_db;  // data/switch/db: conf.db (OVS_DBDIR)
  std::filesystem::path pki;        // data/pki: cacert.pem, SERVICE-{cert,privkey}.pem
  std::filesystem::path env;        // data/env: ovn.env
  std::filesystem::path
      logs;  // logs: every daemon's --log-file and console output (OVN_LOGDIR, OVS_LOGDIR)
  std::filesystem::path ovn_run;     // run/ovn: NB/SB/northd/controller pid, ctl, sock (OVN_RUNDIR)
  std::filesystem::path switch_run;  // run/switch: db.sock, vswitchd ctl, BRIDGE.mgmt (OVS_RUNDIR)
  std::filesystem::path supervisor_run;  // run/supervisor: the supervisor's own pidfiles

  // Files inside those directories (reference §3.2, §3.3).
  std::filesystem::path nb_db() const { return central_db / "ovnnb_db.db"; }
  std::filesystem::path sb_db() const { return central_db / "ovnsb_db.db"; }
  std::filesystem::path switch_conf_db() const { return switch_db / "conf.db"; }
  std::filesystem::path env_file() const { return env / "ovn.env"; }
  std::filesystem::path switch_db_socket() const { return switch_run / "db.sock"; }
};

// The layout under `root`. `root` should be absolute: OVS takes a relative -t/ctl path as a
// daemon name (ovn-runtime.md §12.3); make_layout refuses a relative root.
Result<Layout> make_layout(const std::filesystem::path& root);

// Every directory of the layout in creation order (parents first).
std::vector<std::filesystem::path> layout_directories(const Layout& layout);

// Creates the missing directories of the layout with mode 0700 (reference §3.3); existing ones
// are left as they are. An existing non-directory in the way is an error naming it.
Result<void> create_layout_directories(const Layout& layout);

// The variables every OVN/OVS process and tool gets, in this order: OVN_RUNDIR, OVN_LOGDIR,
// OVN_DBDIR, OVN_SYSCONFDIR, OVS_RUNDIR, OVS_LOGDIR, OVS_DBDIR, OVS_SYSCONFDIR. ovn-controller
// finds br-int.mgmt through OVS_RUNDIR, so the chassis processes must share it.
std::vector<std::pair<std::string, std::string>> ovn_environment(const Layout& layout);

inline constexpr const char* kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// A complete environment ("KEY=VALUE") for a supervised process: PATH=`path`, then
// ovn_environment(layout). Nothing is inherited from the daemon's own environment.
std::vector<std::string> process_environment(const Layout& layout,
                                             const std::string& path = kDefaultPath);

}  // namespace movn::ovn
