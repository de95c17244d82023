#include "ovn/commands.h"

#include <gtest/gtest.h>

namespace movn::ovn {
namespace {

// Node 2 of the recipe in ovn-runtime.md: 192.0.2.12, centrals .11 .12 .13, root /b/n2.
OvnConfig node2() {
  OvnConfig c;
  c.member_name = "n2";
  c.local_ip = "192.0.2.12";
  c.central_ips = {"192.0.2.11", "192.0.2.12", "192.0.2.13"};
  c.encap_ip = "198.51.100.12";
  c.layout = make_layout("/b/n2").value();
  c.pki = pki_paths_in("/b/n2/data/pki");
  return c;
}

const std::string kNbConnect = "ssl:192.0.2.11:6641,ssl:192.0.2.12:6641,ssl:192.0.2.13:6641";
const std::string kSbConnect = "ssl:192.0.2.11:6642,ssl:192.0.2.12:6642,ssl:192.0.2.13:6642";

TEST(Commands, PkiFileNamesAreUpstreams) {
  PkiPaths p = pki_paths_in("/p");
  EXPECT_EQ(p.ca_cert, "/p/cacert.pem");
  EXPECT_EQ(p.ovnnb.private_key, "/p/ovnnb-privkey.pem");
  EXPECT_EQ(p.ovnnb.certificate, "/p/ovnnb-cert.pem");
  EXPECT_EQ(p.ovnsb.certificate, "/p/ovnsb-cert.pem");
  EXPECT_EQ(p.northd.private_key, "/p/ovn-northd-privkey.pem");
  EXPECT_EQ(p.controller.certificate, "/p/ovn-controller-cert.pem");
  EXPECT_EQ(p.client.private_key, "/p/client-privkey.pem");
}

TEST(Commands, Addresses) {
  EXPECT_EQ(ssl_address("192.0.2.11", 6643), "ssl:192.0.2.11:6643");
  EXPECT_EQ(ssl_address("fd00::1", 6641), "ssl:[fd00::1]:6641");
  EXPECT_EQ(connect_string({"192.0.2.11", "fd00::2"}, kSbPort),
            "ssl:192.0.2.11:6642,ssl:[fd00::2]:6642");
  EXPECT_EQ(connect_string({}, kNbPort), "");
}

TEST(Commands, CreateClusterUsesTheElectionTimerAndTheRaftPorts) {
  OvnConfig c = node2();
  EXPECT_EQ(create_cluster_argv(c, Db::kNorthbound),
            (Argv{"ovsdb-tool", "--election-timer=16000", "create-cluster",
                  "/b/n2/data/central/db/ovnnb_db.db", "/usr/share/ovn/ovn-nb.ovsschema",
                  "ssl:192.0.2.12:6643"}));
  c.election_timer_ms = 5000;
  EXPECT_EQ(create_cluster_argv(c, Db::kSouthbound),
            (Argv{"ovsdb-tool", "--election-timer=5000", "create-cluster",
                  "/b/n2/data/central/db/ovnsb_db.db", "/usr/share/ovn/ovn-sb.ovsschema",
                  "ssl:192.0.2.12:6644"}));
}

TEST(Commands, JoinClusterListsTheOtherCentralsInOrder) {
  OvnConfig c = node2();
  EXPECT_EQ(
      join_cluster_argv(c, Db::kNorthbound),
      (Argv{"ovsdb-tool", "join-cluster", "/b/n2/data/central/db/ovnnb_db.db", "OVN_Northbound",
            "ssl:192.0.2.12:6643", "ssl:192.0.2.11:6643", "ssl:192.0.2.13:6643"}));
  EXPECT_EQ(
      join_cluster_argv(c, Db::kSouthbound),
      (Argv{"ovsdb-tool", "join-cluster", "/b/n2/data/central/db/ovnsb_db.db", "OVN_Southbound",
            "ssl:192.0.2.12:6644", "ssl:192.0.2.11:6644", "ssl:192.0.2.13:6644"}));
}

TEST(Commands, NbServerRunsInTheForegroundWithExplicitFiles) {
  EXPECT_EQ(
      db_server_argv(node2(), Db::kNorthbound),
      (Argv{"ovsdb-server", "/b/n2/data/central/db/ovnnb_db.db",
            "--remote=punix:/b/n2/run/ovn/ovnnb_db.sock",
            "--remote=db:OVN_Northbound,NB_Global,connections",
            "--private-key=/b/n2/data/pki/ovnnb-privkey.pem",
            "--certificate=/b/n2/data/pki/ovnnb-cert.pem", "--ca-cert=/b/n2/data/pki/cacert.pem",
            "--pidfile=/b/n2/run/ovn/ovnnb_db.pid", "--unixctl=/b/n2/run/ovn/ovnnb_db.ctl",
            "--log-file=/b/n2/logs/ovsdb-server-nb.log", "-vconsole:off", "-vfile:info"}));
}

TEST(Commands, SbServerUsesSouthboundNamesAndItsOwnCertificate) {
  EXPECT_EQ(
      db_server_argv(node2(), Db::kSouthbound),
      (Argv{"ovsdb-server", "/b/n2/data/central/db/ovnsb_db.db",
            "--remote=punix:/b/n2/run/ovn/ovnsb_db.sock",
            "--remote=db:OVN_Southbound,SB_Global,connections",
            "--private-key=/b/n2/data/pki/ovnsb-privkey.pem",
            "--certificate=/b/n2/data/pki/ovnsb-cert.pem", "--ca-cert=/b/n2/data/pki/cacert.pem",
            "--pidfile=/b/n2/run/ovn/ovnsb_db.pid", "--unixctl=/b/n2/run/ovn/ovnsb_db.ctl",
            "--log-file=/b/n2/logs/ovsdb-server-sb.log", "-vconsole:off", "-vfile:info"}));
}

TEST(Commands, NoDaemonIsDetached) {
  OvnConfig c = node2();
  for (const Argv& argv :
       {db_server_argv(c, Db::kNorthbound), db_server_argv(c, Db::kSouthbound), northd_argv(c),
        switch_db_server_argv(c), vswitchd_argv(c), controller_argv(c)}) {
    for (const std::string& a : argv) {
      EXPECT_NE(a, "--detach") << argv[0];
      EXPECT_NE(a, "--no-chdir") << argv[0];
      EXPECT_NE(a, "--monitor") << argv[0];
    }
  }
}

TEST(Commands, SetConnectionListensOnEveryAddressThroughTheLocalSocket) {
  EXPECT_EQ(set_connection_argv(node2(), Db::kNorthbound),
            (Argv{"ovn-nbctl", "--db=unix:/b/n2/run/ovn/ovnnb_db.sock", "--no-leader-only",
                  "--timeout=30", "set-connection", "pssl:6641:[::]"}));
  OvnConfig c = node2();
  c.client_timeout_s = 7;
  EXPECT_EQ(set_connection_argv(c, Db::kSouthbound),
            (Argv{"ovn-sbctl", "--db=unix:/b/n2/run/ovn/ovnsb_db.sock", "--no-leader-only",
                  "--timeout=7", "set-connection", "pssl:6642:[::]"}));
}

TEST(Commands, NorthdReachesEveryCentralOverSsl) {
  EXPECT_EQ(
      northd_argv(node2()),
      (Argv{"ovn-northd", "--ovnnb-db=" + kNbConnect, "--ovnsb-db=" + kSbConnect, "-p",
            "/b/n2/data/pki/ovn-northd-privkey.pem", "-c", "/b/n2/data/pki/ovn-northd-cert.pem",
            "-C", "/b/n2/data/pki/cacert.pem", "--pidfile=/b/n2/run/ovn/ovn-northd.pid",
            "--unixctl=/b/n2/run/ovn/ovn-northd.ctl", "--log-file=/b/n2/logs/ovn-northd.log",
            "-vconsole:off", "-vfile:info"}));
}

TEST(Commands, SwitchDatabaseAndVswitchd) {
  OvnConfig c = node2();
  EXPECT_EQ(create_switch_db_argv(c), (Argv{"ovsdb-tool", "create", "/b/n2/data/switch/db/conf.db",
                                            "/usr/share/openvswitch/vswitch.ovsschema"}));
  EXPECT_EQ(switch_db_server_argv(c),
            (Argv{"ovsdb-server", "/b/n2/data/switch/db/conf.db",
                  "--remote=punix:/b/n2/run/switch/db.sock",
                  "--pidfile=/b/n2/run/switch/ovsdb-server.pid",
                  "--unixctl=/b/n2/run/switch/ovsdb-server.ctl",
                  "--log-file=/b/n2/logs/ovsdb-server-local.log", "-vconsole:off", "-vfile:info"}));
  EXPECT_EQ(switch_init_argv(c), (Argv{"ovs-vsctl", "--db=unix:/b/n2/run/switch/db.sock",
                                       "--timeout=30", "--no-wait", "init"}));
  EXPECT_EQ(vswitchd_argv(c),
            (Argv{"ovs-vswitchd", "unix:/b/n2/run/switch/db.sock",
                  "--pidfile=/b/n2/run/switch/ovs-vswitchd.pid",
                  "--unixctl=/b/n2/run/switch/ovs-vswitchd.ctl",
                  "--log-file=/b/n2/logs/ovs-vswitchd.log", "-vconsole:off", "-vfile:info"}));
}

TEST(Commands, ControllerHasNoUnixctlOption) {
  EXPECT_EQ(controller_argv(node2()),
            (Argv{"ovn-controller", "unix:/b/n2/run/switch/db.sock", "-p",
                  "/b/n2/data/pki/ovn-controller-privkey.pem", "-c",
                  "/b/n2/data/pki/ovn-controller-cert.pem", "-C", "/b/n2/data/pki/cacert.pem",
                  "--pidfile=/b/n2/run/ovn/ovn-controller.pid",
                  "--log-file=/b/n2/logs/ovn-controller.log", "-vconsole:off", "-vfile:info"}));
}

TEST(Commands, ChassisSettings) {
  OvnConfig c = node2();
  const Argv prefix{"ovs-vsctl",
                    "--db=unix:/b/n2/run/switch/db.sock",
                    "--timeout=30",
                    "--no-wait",
                    "set",
                    "Open_vSwitch",
                    "."};
  Argv want = prefix;
  want.insert(want.end(),
              {"external_ids:system-id=n2", "external_ids:hostname=n2",
               "external_ids:ovn-remote=" + kSbConnect, "external_ids:ovn-encap-type=geneve",
               "external_ids:ovn-encap-ip=198.51.100.12"});
  EXPECT_EQ(chassis_settings_argv(c), want);

  c.userspace_datapath = true;
  want.push_back("external_ids:ovn-bridge-datapath-type=netdev");
  EXPECT_EQ(chassis_settings_argv(c), want);

  c.central_ips.clear();  // no central: no ovn-remote (it is removed with clear_ovn_remote_argv)
  Argv args = chassis_settings_argv(c);
  EXPECT_EQ(
      std::count_if(args.begin(), args.end(),
                    [](const std::string& a) { return a.starts_with("external_ids:ovn-remote"); }),
      0);
  EXPECT_EQ(clear_ovn_remote_argv(c),
            (Argv{"ovs-vsctl", "--db=unix:/b/n2/run/switch/db.sock", "--timeout=30", "--no-wait",
                  "remove", "Open_vSwitch", ".", "external_ids", "ovn-remote"}));
}

TEST(Commands, ControllerExitIsGraceful) {
  EXPECT_EQ(controller_exit_argv(node2()),
            (Argv{"ovn-appctl", "--timeout=30", "-t", "ovn-controller", "exit"}));
}

TEST(Commands, EveryClientHasATimeout) {
  OvnConfig c = node2();
  for (const Argv& argv :
       {set_connection_argv(c, Db::kNorthbound), set_connection_argv(c, Db::kSouthbound),
        switch_init_argv(c), chassis_settings_argv(c), clear_ovn_remote_argv(c),
        controller_exit_argv(c)}) {
    EXPECT_EQ(std::count(argv.begin(), argv.end(), "--timeout=30"), 1) << argv[0];
  }
}

TEST(Commands, EveryPathIsAbsolute) {
  OvnConfig c = node2();
  for (const Argv& argv : {db_server_argv(c, Db::kNorthbound), northd_argv(c),
                           switch_db_server_argv(c), vswitchd_argv(c), controller_argv(c)}) {
    for (const std::string& a : argv) {
      for (const char* opt : {"--pidfile=", "--unixctl=", "--log-file=", "--remote=punix:"}) {
        if (a.starts_with(opt)) {
          EXPECT_EQ(a[std::string_view(opt).size()], '/') << a;
        }
      }
    }
  }
}

TEST(Commands, Ipv6AddressesAreBracketed) {
  OvnConfig c = node2();
  c.local_ip = "fd00::2";
  c.central_ips = {"fd00::1", "fd00::2"};
  EXPECT_EQ(create_cluster_argv(c, Db::kNorthbound).back(), "ssl:[fd00::2]:6643");
  EXPECT_EQ(join_cluster_argv(c, Db::kSouthbound),
            (Argv{"ovsdb-tool", "join-cluster", "/b/n2/data/central/db/ovnsb_db.db",
                  "OVN_Southbound", "ssl:[fd00::2]:6644", "ssl:[fd00::1]:6644"}));
  EXPECT_EQ(northd_argv(c)[1], "--ovnnb-db=ssl:[fd00::1]:6641,ssl:[fd00::2]:6641");
}

TEST(Commands, ValidateAcceptsTheRecipeConfig) {
  auto r = validate_config(node2());
  EXPECT_TRUE(r.ok()) << r.error().message;
  OvnConfig c = node2();
  c.central_ips.clear();
  EXPECT_TRUE(validate_config(c).ok());
}

TEST(Commands, ValidateRefusesBadInput) {
  struct Case {
    const char* what;
    void (*change)(OvnConfig&);
    const char* needle;
  };
  const Case cases[] = {
      {"empty name", [](OvnConfig& c) { c.member_name.clear(); }, "member name"},
      {"name with space", [](OvnConfig& c) { c.member_name = "a b"; }, "member name"},
      {"bad local ip", [](OvnConfig& c) { c.local_ip = "192.0.2.300"; }, "local IP"},
      {"bracketed ip", [](OvnConfig& c) { c.local_ip = "[fd00::1]"; }, "local IP"},
      {"bad encap ip", [](OvnConfig& c) { c.encap_ip = ""; }, "encapsulation IP"},
      {"bad central", [](OvnConfig& c) { c.central_ips.push_back("host.example"); }, "central IP"},
      {"duplicate central", [](OvnConfig& c) { c.central_ips.push_back("192.0.2.11"); }, "twice"},
      {"timer too small", [](OvnConfig& c) { c.election_timer_ms = 99; }, "election timer"},
      {"timer too large", [](OvnConfig& c) { c.election_timer_ms = 600001; }, "election timer"},
      {"no client timeout", [](OvnConfig& c) { c.client_timeout_s = 0; }, "timeout"},
      {"relative root", [](OvnConfig& c) { c.layout.root = "rel"; }, "absolute"},
  };
  for (const Case& k : cases) {
    OvnConfig c = node2();
    k.change(c);
    auto r = validate_config(c);
    ASSERT_FALSE(r.ok()) << k.what;
    EXPECT_EQ(r.error().code, Errc::kInvalidArgument) << k.what;
    EXPECT_NE(r.error().message.find(k.needle), std::string::npos)
        << k.what << ": " << r.error().message;
  }
}

}  // namespace
}  // namespace movn::ovn
