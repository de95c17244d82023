#include "ovn/commands.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace movn::ovn {

namespace fs = std::filesystem;

namespace {

bool is_ipv4(std::string_view ip) {
  in_addr a{};
  return ::inet_pton(AF_INET, std::string(ip).c_str(), &a) == 1;
}
bool is_ipv6(std::string_view ip) {
  in6_addr a{};
  return ::inet_pton(AF_INET6, std::string(ip).c_str(), &a) == 1;
}

Result<void> check_ip(std::string_view what, std::string_view ip) {
  if (is_ipv4(ip) || is_ipv6(ip)) return ok_result();
  return make_error(Errc::kInvalidArgument, std::string(what) + " '" + std::string(ip) +
                                                "' is not an IPv4 or IPv6 address");
}

std::string timeout_flag(const OvnConfig& c) {
  return "--timeout=" + std::to_string(c.client_timeout_s);
}

std::uint16_t raft_port(Db db) { return db == Db::kNorthbound ? kNbRaftPort : kSbRaftPort; }
std::uint16_t client_port(Db db) { return db == Db::kNorthbound ? kNbPort : kSbPort; }
std::string_view short_name(Db db) { return db == Db::kNorthbound ? "nb" : "sb"; }
const TlsFiles& db_tls(const OvnConfig& c, Db db) {
  return db == Db::kNorthbound ? c.pki.ovnnb : c.pki.ovnsb;
}
const fs::path& db_schema_file(const OvnConfig& c, Db db) {
  return db == Db::kNorthbound ? c.nb_schema : c.sb_schema;
}

// -p KEY -c CERT -C CA: the SSL options of a client or of ovn-northd/ovn-controller.
void add_client_tls(Argv& argv, const TlsFiles& tls, const PkiPaths& pki) {
  argv.insert(argv.end(), {"-p", tls.private_key.string(), "-c", tls.certificate.string(), "-C",
                           pki.ca_cert.string()});
}

// Foreground daemon options: explicit pidfile, optional unixctl, log file, no console logging.
void add_daemon_options(Argv& argv, const fs::path& pidfile, const fs::path* unixctl,
                        const fs::path& log_file) {
  argv.push_back("--pidfile=" + pidfile.string());
  if (unixctl != nullptr) argv.push_back("--unixctl=" + unixctl->string());
  argv.push_back("--log-file=" + log_file.string());
  argv.push_back("-vconsole:off");
  argv.push_back("-vfile:info");
}

Argv vsctl_prefix(const OvnConfig& c) {
  return {"ovs-vsctl", "--db=unix:" + c.layout.switch_db_socket().string(), timeout_flag(c),
          "--no-wait"};
}

}  // namespace

PkiPaths pki_paths_in(const fs::path& dir) {
  auto tls = [&](std::string_view service) {
    return TlsFiles{dir / (std::string(service) + "-privkey.pem"),
                    dir / (std::string(service) + "-cert.pem")};
  };
  return PkiPaths{dir / "cacert.pem", tls("ovnnb"),          tls("ovnsb"),
                  tls("ovn-northd"),  tls("ovn-controller"), tls("client")};
}

Result<void> validate_config(const OvnConfig& c) {
  if (c.member_name.empty() ||
      std::any_of(c.member_name.begin(), c.member_name.end(), [](unsigned char ch) {
        return std::isspace(ch) || std::iscntrl(ch) || ch == '"';
      })) {
    return make_error(Errc::kInvalidArgument,
                      "the member name '" + c.member_name + "' is not usable as an OVS system-id");
  }
  MOVN_TRY(check_ip("the local IP", c.local_ip));
  MOVN_TRY(check_ip("the encapsulation IP", c.encap_ip));
  for (std::size_t i = 0; i < c.central_ips.size(); ++i) {
    MOVN_TRY(check_ip("the central IP", c.central_ips[i]));
    for (std::size_t j = 0; j < i; ++j) {
      if (c.central_ips[j] == c.central_ips[i]) {
        return make_error(Errc::kInvalidArgument,
                          "the central IP " + c.central_ips[i] + " is listed twice");
      }
    }
  }
  if (c.election_timer_ms < 100 || c.election_timer_ms > 600000) {
    return make_error(Errc::kInvalidArgument, "the election timer must be 100..600000 ms, got " +
                                                  std::to_string(c.election_timer_ms));
  }
  if (c.client_timeout_s == 0)
    return make_error(Errc::kInvalidArgument, "the client timeout must be at least 1 s");
  if (!c.layout.root.is_absolute()) {
    return make_error(Errc::kInvalidArgument,
                      "the layout root '" + c.layout.root.string() + "' is not absolute");
  }
  return ok_result();
}

std::string ssl_address(std::string_view ip, std::uint16_t port) {
  const bool v6 = ip.find(':') != std::string_view::npos;
  std::string out = "ssl:";
  if (v6) out += '[';
  out += ip;
  if (v6) out += ']';
  out += ':';
  out += std::to_string(port);
  return out;
}

std::string connect_string(const std::vector<std::string>& ips, std::uint16_t port) {
  std::string out;
  for (const std::string& ip : ips) {
    if (!out.empty()) out += ',';
    out += ssl_address(ip, port);
  }
  return out;
}

fs::path db_socket(const Layout& l, Db db) {
  return l.ovn_run / ("ovn" + std::string(short_name(db)) + "_db.sock");
}
fs::path db_ctl(const Layout& l, Db db) {
  return l.ovn_run / ("ovn" + std::string(short_name(db)) + "_db.ctl");
}
fs::path db_pidfile(const Layout& l, Db db) {
  return l.ovn_run / ("ovn" + std::string(short_name(db)) + "_db.pid");
}
fs::path db_file(const Layout& l, Db db) { return db == Db::kNorthbound ? l.nb_db() : l.sb_db(); }
std::string_view db_schema_name(Db db) {
  return db == Db::kNorthbound ? "OVN_Northbound" : "OVN_Southbound";
}

Argv create_cluster_argv(const OvnConfig& c, Db db) {
  return {"ovsdb-tool",
          "--election-timer=" + std::to_string(c.election_timer_ms),
          "create-cluster",
          db_file(c.layout, db).string(),
          db_schema_file(c, db).string(),
          ssl_address(c.local_ip, raft_port(db))};
}

Argv join_cluster_argv(const OvnConfig& c, Db db) {
  Argv argv{"ovsdb-tool", "join-cluster", db_file(c.layout, db).string(),
            std::string(db_schema_name(db)), ssl_address(c.local_ip, raft_port(db))};
  for (const std::string& ip : c.central_ips) {
    if (ip != c.local_ip) argv.push_back(ssl_address(ip, raft_port(db)));
  }
  return argv;
}

Argv db_server_argv(const OvnConfig& c, Db db) {
  const std::string table = db == Db::kNorthbound ? "NB_Global" : "SB_Global";
  const TlsFiles& tls = db_tls(c, db);
  const fs::path ctl = db_ctl(c.layout, db);
  Argv argv{"ovsdb-server",
            db_file(c.layout, db).string(),
            "--remote=punix:" + db_socket(c.layout, db).string(),
            "--remote=db:" + std::string(db_schema_name(db)) + "," + table + ",connections",
            "--private-key=" + tls.private_key.string(),
            "--certificate=" + tls.certificate.string(),
            "--ca-cert=" + c.pki.ca_cert.string()};
  add_daemon_options(argv, db_pidfile(c.layout, db), &ctl,
                     c.layout.logs / ("ovsdb-server-" + std::string(short_name(db)) + ".log"));
  return argv;
}

Argv set_connection_argv(const OvnConfig& c, Db db) {
  return {db == Db::kNorthbound ? "ovn-nbctl" : "ovn-sbctl",
          "--db=unix:" + db_socket(c.layout, db).string(),
          "--no-leader-only",
          timeout_flag(c),
          "set-connection",
          "pssl:" + std::to_string(client_port(db)) + ":[::]"};
}

Argv northd_argv(const OvnConfig& c) {
  Argv argv{"ovn-northd", "--ovnnb-db=" + connect_string(c.central_ips, kNbPort),
            "--ovnsb-db=" + connect_string(c.central_ips, kSbPort)};
  add_client_tls(argv, c.pki.northd, c.pki);
  const fs::path ctl = c.layout.ovn_run / "ovn-northd.ctl";
  add_daemon_options(argv, c.layout.ovn_run / "ovn-northd.pid", &ctl,
                     c.layout.logs / "ovn-northd.log");
  return argv;
}

Argv create_switch_db_argv(const OvnConfig& c) {
  return {"ovsdb-tool", "create", c.layout.switch_conf_db().string(), c.vswitch_schema.string()};
}

Argv switch_db_server_argv(const OvnConfig& c) {
  Argv argv{"ovsdb-server", c.layout.switch_conf_db().string(),
            "--remote=punix:" + c.layout.switch_db_socket().string()};
  const fs::path ctl = c.layout.switch_run / "ovsdb-server.ctl";
  add_daemon_options(argv, c.layout.switch_run / "ovsdb-server.pid", &ctl,
                     c.layout.logs / "ovsdb-server-local.log");
  return argv;
}

Argv switch_init_argv(const OvnConfig& c) {
  Argv argv = vsctl_prefix(c);
  argv.push_back("init");
  return argv;
}

Argv vswitchd_argv(const OvnConfig& c) {
  Argv argv{"ovs-vswitchd", "unix:" + c.layout.switch_db_socket().string()};
  const fs::path ctl = c.layout.switch_run / "ovs-vswitchd.ctl";
  add_daemon_options(argv, c.layout.switch_run / "ovs-vswitchd.pid", &ctl,
                     c.layout.logs / "ovs-vswitchd.log");
  return argv;
}

Argv controller_argv(const OvnConfig& c) {
  Argv argv{"ovn-controller", "unix:" + c.layout.switch_db_socket().string()};
  add_client_tls(argv, c.pki.controller, c.pki);
  add_daemon_options(argv, c.layout.ovn_run / "ovn-controller.pid", nullptr,
                     c.layout.logs / "ovn-controller.log");
  return argv;
}

Argv chassis_settings_argv(const OvnConfig& c) {
  Argv argv = vsctl_prefix(c);
  argv.insert(argv.end(), {"set", "Open_vSwitch", ".", "external_ids:system-id=" + c.member_name,
                           "external_ids:hostname=" + c.member_name});
  if (!c.central_ips.empty())
    argv.push_back("external_ids:ovn-remote=" + connect_string(c.central_ips, kSbPort));
  argv.push_back("external_ids:ovn-encap-type=geneve");
  argv.push_back("external_ids:ovn-encap-ip=" + c.encap_ip);
  if (c.userspace_datapath) argv.push_back("external_ids:ovn-bridge-datapath-type=netdev");
  return argv;
}

Argv clear_ovn_remote_argv(const OvnConfig& c) {
  Argv argv = vsctl_prefix(c);
  argv.insert(argv.end(), {"remove", "Open_vSwitch", ".", "external_ids", "ovn-remote"});
  return argv;
}

Argv controller_exit_argv(const OvnConfig& c) {
  return {"ovn-appctl", timeout_flag(c), "-t", "ovn-controller", "exit"};
}

Argv controller_sb_reset_argv(const OvnConfig& c) {
  return {"ovn-appctl", timeout_flag(c), "-t", "ovn-controller", "sb-cluster-state-reset"};
}

}  // namespace movn::ovn
