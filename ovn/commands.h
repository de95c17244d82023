// The command lines of every OVN/OVS process microovnd supervises and of the one-shot tools it
// runs, built from a plain config. Pure functions (no I/O); thread-safe. The shapes follow the
// verified recipe in ovn-runtime.md §4-§6 with two changes for a supervisor: servers run in the
// foreground (no --detach/--no-chdir) and every path is explicit (pidfile, unixctl, log file,
// sockets), so nothing touches /var/run or /etc. Every client gets --timeout.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "ovn/layout.h"

namespace movn::ovn {

using Argv = std::vector<std::string>;

// Ports (reference-behaviour §3.8).
inline constexpr std::uint16_t kNbPort = 6641;
inline constexpr std::uint16_t kSbPort = 6642;
inline constexpr std::uint16_t kNbRaftPort = 6643;
inline constexpr std::uint16_t kSbRaftPort = 6644;

struct TlsFiles {
  std::filesystem::path private_key;
  std::filesystem::path certificate;
};

// The OVN PKI files, one key and certificate per service plus the CA (reference §3.3, §4).
struct PkiPaths {
  std::filesystem::path ca_cert;
  TlsFiles ovnnb, ovnsb, northd, controller, client;
};

// DIR/cacert.pem and DIR/SERVICE-{privkey,cert}.pem for ovnnb, ovnsb, ovn-northd,
// ovn-controller and client: the names pki/service_files.h writes.
PkiPaths pki_paths_in(const std::filesystem::path& dir);

struct OvnConfig {
  std::string member_name;               // OVS system-id and hostname of this chassis
  std::string local_ip;                  // this member: raft local address, OVN_LOCAL_IP
  std::vector<std::string> central_ips;  // the members running central, in cluster order
  std::string encap_ip;                  // geneve tunnel endpoint of this chassis
  PkiPaths pki;
  Layout layout;
  std::uint32_t election_timer_ms = 16000;  // ovsdb-tool create-cluster (reference §3.2)
  bool userspace_datapath = false;      // no openvswitch kernel module: br-int datapath_type=netdev
  std::uint32_t client_timeout_s = 30;  // --timeout of every client call (reference §3.2)
  std::filesystem::path nb_schema = "/usr/share/ovn/ovn-nb.ovsschema";
  std::filesystem::path sb_schema = "/usr/share/ovn/ovn-sb.ovsschema";
  std::filesystem::path vswitch_schema = "/usr/share/openvswitch/vswitch.ovsschema";
};

// Checks what the builders rely on: a non-empty member name without whitespace, local, encap
// and every central IP a valid IPv4/IPv6 address (no duplicate centrals), an election timer
// within ovsdb's 100..600000 ms, a client timeout of at least 1 s, an absolute layout root.
// The builders do not check again: call this once on every new config.
Result<void> validate_config(const OvnConfig& config);

// "ssl:IP:PORT", IPv6 in brackets: "ssl:[fd00::1]:6641".
std::string ssl_address(std::string_view ip, std::uint16_t port);
// The central members' client addresses, comma-separated: OVN_NB_CONNECT / ovn-remote style.
std::string connect_string(const std::vector<std::string>& ips, std::uint16_t port);

// The database a central process serves.
enum class Db { kNorthbound, kSouthbound };

// --- Central: databases, servers, northd -------------------------------------------------
// `ovsdb-tool --election-timer=MS create-cluster DB SCHEMA ssl:LOCAL:RAFT` (the founding
// member of the OVSDB cluster).
Argv create_cluster_argv(const OvnConfig& config, Db db);
// `ovsdb-tool join-cluster DB NAME ssl:LOCAL:RAFT ssl:OTHER:RAFT...`, the other centrals in
// order. The caller makes sure there is at least one other central.
Argv join_cluster_argv(const OvnConfig& config, Db db);
// ovsdb-server for NB (client port via NB_Global connections) or SB, in the foreground.
Argv db_server_argv(const OvnConfig& config, Db db);
// `ovn-nbctl|ovn-sbctl --db=unix:SOCK --no-leader-only --timeout=S set-connection
// pssl:PORT:[::]`: the shared Connection row that makes every central listen (reference §3.2).
Argv set_connection_argv(const OvnConfig& config, Db db);
// ovn-northd connected to every central over ssl, in the foreground.
Argv northd_argv(const OvnConfig& config);

// --- Switch: local Open_vSwitch database and ovs-vswitchd -------------------------------
// `ovsdb-tool create conf.db vswitch.ovsschema`, when conf.db does not exist yet.
Argv create_switch_db_argv(const OvnConfig& config);
Argv switch_db_server_argv(const OvnConfig& config);
// `ovs-vsctl --db=unix:SOCK --timeout=S --no-wait init`.
Argv switch_init_argv(const OvnConfig& config);
Argv vswitchd_argv(const OvnConfig& config);

// --- Chassis: ovn-controller and its Open_vSwitch settings ------------------------------
// ovn-controller (23.03 has no --unixctl: its socket is OVN_RUNDIR/ovn-controller.PID.ctl).
Argv controller_argv(const OvnConfig& config);
// `ovs-vsctl ... set Open_vSwitch . external_ids:system-id=NAME external_ids:hostname=NAME
// [external_ids:ovn-remote=ssl:C1:6642,...] external_ids:ovn-encap-type=geneve
// external_ids:ovn-encap-ip=IP [external_ids:ovn-bridge-datapath-type=netdev]`. ovn-remote is
// left out when there is no central (see clear_ovn_remote_argv). --no-wait: ovs-vswitchd has
// nothing to do for these keys, and it may not run yet.
Argv chassis_settings_argv(const OvnConfig& config);
// `ovs-vsctl ... remove Open_vSwitch . external_ids ovn-remote` (no central left).
Argv clear_ovn_remote_argv(const OvnConfig& config);
// `ovn-appctl --timeout=S -t ovn-controller exit`: the controller exits and deletes its Chassis
// row from SB (disable chassis; a plain SIGTERM keeps the row).
Argv controller_exit_argv(const OvnConfig& config);
// ovn-controller forgets the SB cluster it knew (its id and term), so that it accepts a new one.
Argv controller_sb_reset_argv(const OvnConfig& config);

// Paths the commands above use, for callers that wait for or clean up after a process.
std::filesystem::path db_socket(const Layout& layout, Db db);   // run/ovn/ovn{nb,sb}_db.sock
std::filesystem::path db_ctl(const Layout& layout, Db db);      // run/ovn/ovn{nb,sb}_db.ctl
std::filesystem::path db_pidfile(const Layout& layout, Db db);  // run/ovn/ovn{nb,sb}_db.pid
std::filesystem::path db_file(const Layout& layout, Db db);     // data/central/db/ovn{nb,sb}_db.db
std::string_view db_schema_name(Db db);                         // OVN_Northbound / OVN_Southbound

}  // namespace movn::ovn
