# Shared helpers of the system suites (tests/system/*.bats): MicroOVN with real OVN/OVS, each
# member a test host of its own: a network namespace (control network 192.0.2.0/24 on eth0 through
# a switch namespace; ovn-runtime.md §1), its own host name and a private mount of its root
# directory on /var/lib/microovn, so microovnd and the CLI run with their defaults (§1a).
# Every namespace and process is the test's own: teardown ends every process inside the test's
# namespaces by PID (`ip netns pids`), then deletes the namespaces, even when a test fails.

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

if [[ -z "${MICROOVN_BIN_DIR:-}" ]]; then
  MICROOVN_BIN_DIR="$(cd "$BATS_TEST_DIRNAME/../../build/bin" 2>/dev/null && pwd)" ||
    MICROOVN_BIN_DIR="$BATS_TEST_DIRNAME/../../build/bin"
fi
MICROOVND="$MICROOVN_BIN_DIR/microovnd"
MICROOVN_CLI="$MICROOVN_BIN_DIR/microovn"
export MICROOVN_CALL_TIMEOUT_MS=20000

# sys_setup: the test's scratch directory and a namespace prefix of its own (names stay short:
# interface names are at most 15 characters).
sys_setup() {
  [[ "$(id -u)" == 0 ]] || skip "system tests need root (network namespaces)"
  command -v ovsdb-server >/dev/null || fail "OVN/OVS are not installed (scripts/install-deps.sh)"
  for bin in "$MICROOVND" "$MICROOVN_CLI"; do
    [[ -x "$bin" ]] || fail "missing binary $bin (build it, or set MICROOVN_BIN_DIR)"
  done
  SYS_BASE="$(mktemp -d "${TMPDIR:-/tmp}/movn-sys.XXXXXX")"
  NSP="mv$((RANDOM % 1000))$$"
  NSP="${NSP:0:8}"
  SYS_NETNS=()
  declare -gA HOST_PID=()
}

# sys_network N: the switch namespace and hosts 1..N, host I at 192.0.2.1I/24 (I < 10).
sys_network() {
  local n="$1" i
  ip netns add "${NSP}sw"
  SYS_NETNS+=("${NSP}sw")
  ip -n "${NSP}sw" link set lo up
  ip -n "${NSP}sw" link add br0 type bridge
  ip -n "${NSP}sw" link set br0 up
  for ((i = 1; i <= n; i++)); do
    ip netns add "${NSP}n$i"
    SYS_NETNS+=("${NSP}n$i")
    ip -n "${NSP}n$i" link set lo up
    ip -n "${NSP}n$i" link add eth0 type veth peer name "s$i" netns "${NSP}sw"
    ip -n "${NSP}sw" link set "s$i" master br0
    ip -n "${NSP}sw" link set "s$i" up
    ip -n "${NSP}n$i" addr add "192.0.2.1$i/24" dev eth0
    ip -n "${NSP}n$i" link set eth0 up
  done
}

host_ip() { echo "192.0.2.1$1"; }

# sys_underlay N: a second segment for geneve (198.51.100.0/24, no address yet): eth1 on hosts
# 1..N. The userspace datapath needs the tunnel endpoint on an OVS bridge (ovn-runtime.md §6, §12).
sys_underlay() {
  local n="$1" i
  ip -n "${NSP}sw" link add br1 type bridge
  ip -n "${NSP}sw" link set br1 up
  for ((i = 1; i <= n; i++)); do
    ip -n "${NSP}n$i" link add eth1 type veth peer name "u$i" netns "${NSP}sw"
    ip -n "${NSP}sw" link set "u$i" master br1
    ip -n "${NSP}sw" link set "u$i" up
    ip -n "${NSP}n$i" link set eth1 up
  done
}
underlay_ip() { echo "198.51.100.1$1"; }

# vsctl I ARGS...: ovs-vsctl on host I's Open_vSwitch database.
vsctl() {
  local i="$1"
  shift
  in_host "$i" ovs-vsctl --db=unix:/var/lib/microovn/run/switch/db.sock --timeout=10 "$@"
}

# vm I MAC IP: a "VM" on host I: a network namespace whose eth0 is a veth into br-int, bound to
# the logical port vmI.
vm() {
  local i="$1" mac="$2" ip="$3"
  ip netns add "${NSP}v$i"
  SYS_NETNS+=("${NSP}v$i")
  ip -n "${NSP}v$i" link set lo up
  ip -n "${NSP}n$i" link add "vm$i" type veth peer name eth0 netns "${NSP}v$i"
  ip -n "${NSP}v$i" link set eth0 address "$mac"
  ip -n "${NSP}v$i" addr add "$ip/24" dev eth0
  ip -n "${NSP}v$i" link set eth0 up
  ip -n "${NSP}n$i" link set "vm$i" up
  vsctl "$i" add-port br-int "vm$i" -- set interface "vm$i" "external_ids:iface-id=vm$i"
}

# start_host I: microovnd on host I (host name hI, root $SYS_BASE/hI on /var/lib/microovn),
# waiting until it answers. HOST_PID[I] is its pid (ip netns exec, unshare and sh exec in turn).
start_host() {
  local i="$1" root="$SYS_BASE/h$1"
  mkdir -p "$root" /var/lib/microovn
  # 3>&- : a background child must not hold bats' output pipe open.
  ip netns exec "${NSP}n$i" unshare --mount --uts --propagation private \
    sh -c "hostname h$i && mount --bind '$root' /var/lib/microovn && exec '$MICROOVND'" \
    >>"$SYS_BASE/h$i.log" 2>&1 3>&- &
  HOST_PID[$i]=$!
  local t
  for ((t = 0; t < 100; t++)); do
    on_host "$i" waitready -t 1 >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  cat "$SYS_BASE/h$i.log" >&2
  fail "microovnd on host $i did not become ready"
}

# A process in host I's namespaces: its microovnd, or while that is down, any process of the
# host (the OVN/OVS processes share its namespaces and outlive it).
host_ns_pid() {
  local i="$1" p="${HOST_PID[$1]:-}"
  if [[ -n "$p" && -e "/proc/$p/ns/uts" ]]; then
    echo "$p"
    return
  fi
  for p in $(ip netns pids "${NSP}n$i" 2>/dev/null); do
    [[ -e "/proc/$p/ns/uts" ]] && { echo "$p"; return; }
  done
  echo "no process runs on host $i" >&2
  return 1
}

# on_host I ARGS...: the microovn CLI on host I, in its namespaces.
on_host() {
  local i="$1" p
  shift
  p="$(host_ns_pid "$i")" || return 1
  nsenter -t "$p" -m -u -n "$MICROOVN_CLI" "$@"
}

# in_host I CMD...: any command on host I (its network, host name and files).
in_host() {
  local i="$1" p
  shift
  p="$(host_ns_pid "$i")" || return 1
  nsenter -t "$p" -m -u -n "$@"
}

# wait_for SECONDS CMD...: runs CMD every 0.2 s until it succeeds; fails after SECONDS.
wait_for() {
  local secs="$1" deadline
  shift
  deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "timed out after ${secs}s waiting for: $*"
    sleep 0.2
  done
}

# Ends every process in the test's namespaces (all of them started by this test), then removes
# the namespaces and the scratch directory. The OVN/OVS processes outlive microovnd by design,
# so they are found through their network namespace, not through the daemon.
sys_teardown() {
  local ns pid i
  for ns in "${SYS_NETNS[@]}"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null || true; done
  done
  for ((i = 0; i < 50; i++)); do
    local left=0
    for ns in "${SYS_NETNS[@]}"; do [[ -n "$(ip netns pids "$ns" 2>/dev/null)" ]] && left=1; done
    ((left == 0)) && break
    sleep 0.1
  done
  for ns in "${SYS_NETNS[@]}"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
  done
  sleep 0.2
  for ns in "${SYS_NETNS[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  if [[ -n "${SYS_BASE:-}" && -d "$SYS_BASE" ]]; then
    if [[ -z "${BATS_TEST_COMPLETED:-}" ]]; then
      local log
      for log in "$SYS_BASE"/*.log "$SYS_BASE"/h*/logs/*.log; do
        if [[ -f "$log" ]]; then { echo "# ---- $log"; tail -n 40 "$log" | sed 's/^/# /'; } >&2; fi
      done
    fi
    rm -rf "$SYS_BASE"
  fi
}

# ---- OVN on the test hosts ----------------------------------------------------------------------

# The metadata of an API answer on host I.
host_api() { in_host "$1" curl -sS --max-time 10 --unix-socket /var/lib/microovn/state/control.socket "http://localhost$2" | jq -c .metadata; }
process() { host_api "$1" /1.0/stats | jq -r --arg p "$2" ".services.processes[\$p].$3"; }
running() { [[ "$(process "$1" "$2" state)" == running ]]; }
all_running() {
  local p
  for p in ovsdb-server-nb ovsdb-server-sb ovn-northd ovsdb-server-switch ovs-vswitchd ovn-controller; do
    running "$1" "$p" || return 1
  done
}
# ovs-appctl against a daemon's control socket on host I.
appctl() { local i="$1"; shift; in_host "$i" ovs-appctl -t "/var/lib/microovn/run/ovn/$1" --timeout=5 "${@:2}"; }
cluster_servers() { appctl "$1" "ovn${2}_db.ctl" cluster/status "$3" | grep -cE '^    [0-9a-f]{4} \(.* at ssl:'; }
# ovn-nbctl / ovn-sbctl on host I over ssl to every central, with the client certificate.
nbctl() {
  local i="$1"; shift
  in_host "$i" sh -c '. /var/lib/microovn/data/env/ovn.env && P=/var/lib/microovn/data/pki &&
    exec ovn-nbctl --db="$OVN_NB_CONNECT" -p $P/client-privkey.pem -c $P/client-cert.pem -C $P/cacert.pem --timeout=10 "$@"' nbctl "$@"
}
sbctl() {
  local i="$1"; shift
  in_host "$i" sh -c '. /var/lib/microovn/data/env/ovn.env && P=/var/lib/microovn/data/pki &&
    exec ovn-sbctl --db="$OVN_SB_CONNECT" -p $P/client-privkey.pem -c $P/client-cert.pem -C $P/cacert.pem --timeout=10 "$@"' sbctl "$@"
}
chassis_count() { [[ "$(sbctl "$1" --columns=name --bare list Chassis | grep -c .)" == "$2" ]]; }

# The start time (clock ticks since boot) of a process: with its pid, it names one process.
start_time() { cut -d' ' -f22 "/proc/$1/stat"; }
chassis_running() { running "$1" ovn-controller && running "$1" ovs-vswitchd && running "$1" ovsdb-server-switch; }

# NB and SB on host I have N raft servers each.
db_servers() { [[ "$(cluster_servers "$1" nb OVN_Northbound)" == "$2" && "$(cluster_servers "$1" sb OVN_Southbound)" == "$2" ]]; }

# ovn_cluster N: hosts 1..N on the control network, each with microovnd; h1 bootstraps and the
# others join with tokens. Waits until NB and SB have a server on each central (the first three)
# and every chassis is in SB.
ovn_cluster() {
  local n="$1" i token centrals=$(($1 < 3 ? $1 : 3))
  sys_network "$n"
  for ((i = 1; i <= n; i++)); do start_host "$i"; done
  on_host 1 cluster bootstrap
  wait_for 30 all_running 1
  for ((i = 2; i <= n; i++)); do
    token="$(on_host 1 cluster add "h$i")"
    on_host "$i" cluster join "$token"
  done
  for ((i = 1; i <= centrals; i++)); do wait_for 60 db_servers "$i" "$centrals"; done
  wait_for 60 chassis_count 1 "$n"
}

setup() { sys_setup; }
teardown() { sys_teardown; }
