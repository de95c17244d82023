#!/usr/bin/env bash
# bench/ovn_bringup.sh [BUILD_DIR]: how fast MicroOVN brings up real OVN, and its memory
# (docs/perf.md). Each member is a network namespace with its own host name and a private mount
# of its root on /var/lib/microovn, as in tests/system. Prints:
#   nb_writable_ms=<t>       single member: from `cluster bootstrap` until ovn-nbctl over ssl writes
#   ping_ms=<t>              three members, central on all three: from the first bootstrap until a
#                            ping between VMs on two chassis crosses the geneve tunnel
#   rss_kb process=<name> rss=<kb>   at idle on the first member, microovnd and each OVN process
# Root only. It removes its namespaces, and every process in them, on exit (also on failure).
set -euo pipefail
build=${1:-build}
bin=$(cd "$build/bin" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
[[ $(id -u) == 0 ]] || { echo "bench/ovn_bringup.sh needs root (network namespaces)" >&2; exit 1; }
base=$(mktemp -d /tmp/movn-bringup.XXXXXX)
nsp="mvb$$"
nsp=${nsp:0:8}
namespaces=()
declare -A pid

cleanup() {
  local ns p
  for ns in "${namespaces[@]}"; do for p in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$p" 2>/dev/null || true; done; done
  sleep 1
  for ns in "${namespaces[@]}"; do for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done; done
  sleep 0.2
  for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$base"
}
trap cleanup EXIT

now_ms() { echo $(($(date +%s%N) / 1000000)); }
in_host() { local i=$1; shift; nsenter -t "${pid[$i]}" -m -u -n "$@"; }
movn() { local i=$1; shift; in_host "$i" "$bin/microovn" "$@"; }
wrap() { local i=$1 t=$2; shift 2; in_host "$i" "$base/bin/microovn.$t" "$@"; }
until_ok() { local n; for ((n = 0; n < 3000; n++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.01; done; return 1; }

ip netns add "${nsp}sw"; namespaces+=("${nsp}sw")
ip -n "${nsp}sw" link set lo up
for br in br0 br1; do ip -n "${nsp}sw" link add "$br" type bridge; ip -n "${nsp}sw" link set "$br" up; done
mkdir -p "$base/bin" /var/lib/microovn
for t in ovn-nbctl ovn-sbctl ovs-vsctl; do ln -s "$src/scripts/microovn-wrapper" "$base/bin/microovn.$t"; done
for i in 1 2 3; do
  ns="${nsp}n$i"; ip netns add "$ns"; namespaces+=("$ns")
  ip -n "$ns" link set lo up
  ip -n "$ns" link add eth0 type veth peer name "s$i" netns "${nsp}sw"
  ip -n "$ns" link add eth1 type veth peer name "u$i" netns "${nsp}sw"
  ip -n "${nsp}sw" link set "s$i" master br0; ip -n "${nsp}sw" link set "s$i" up
  ip -n "${nsp}sw" link set "u$i" master br1; ip -n "${nsp}sw" link set "u$i" up
  ip -n "$ns" addr add "192.0.2.1$i/24" dev eth0; ip -n "$ns" link set eth0 up; ip -n "$ns" link set eth1 up
  mkdir -p "$base/h$i"
  ip netns exec "$ns" unshare --mount --uts --propagation private \
    sh -c "hostname h$i && mount --bind '$base/h$i' /var/lib/microovn && exec '$bin/microovnd'" >>"$base/h$i.log" 2>&1 &
  pid[$i]=$!
done
for i in 1 2 3; do until_ok movn "$i" waitready -t 1; done

# 1. One member: bootstrap until NB is writable over ssl.
t0=$(now_ms)
movn 1 cluster bootstrap --encap-ip 198.51.100.11
until_ok wrap 1 ovn-nbctl --timeout=2 ls-add probe
echo "nb_writable_ms=$(($(now_ms) - t0))"

# 2. Two more members, central on all three; a VM on h1 and one on h2; until a ping crosses.
for i in 2 3; do
  token=$(movn 1 cluster add "h$i")
  movn "$i" cluster join "$token" --encap-ip "198.51.100.1$i"
done
for i in 1 2 3; do
  until_ok wrap "$i" ovs-vsctl --timeout=2 br-exists br-int
  wrap "$i" ovs-vsctl --timeout=5 -- --may-exist add-br br-phys -- set bridge br-phys datapath_type=netdev \
    -- --may-exist add-port br-phys eth1
  in_host "$i" ip addr replace "198.51.100.1$i/24" dev br-phys
  in_host "$i" ip link set br-phys up
done
wrap 1 ovn-nbctl --timeout=10 ls-add ls0 -- lsp-add ls0 vm1 -- lsp-set-addresses vm1 "02:00:00:00:00:01 10.0.0.1" \
  -- lsp-add ls0 vm2 -- lsp-set-addresses vm2 "02:00:00:00:00:02 10.0.0.2"
for i in 1 2; do
  ns="${nsp}v$i"; ip netns add "$ns"; namespaces+=("$ns")
  ip -n "$ns" link set lo up
  ip -n "${nsp}n$i" link add "vm$i" type veth peer name eth0 netns "$ns"
  ip -n "$ns" link set eth0 address "02:00:00:00:00:0$i"; ip -n "$ns" addr add "10.0.0.$i/24" dev eth0
  ip -n "$ns" link set eth0 up; ip -n "${nsp}n$i" link set "vm$i" up
  wrap "$i" ovs-vsctl --timeout=5 add-port br-int "vm$i" -- set interface "vm$i" "external_ids:iface-id=vm$i"
done
until_ok ip netns exec "${nsp}v1" python3 "$src/tests/tools/ping.py" 10.0.0.2 1 0.2
echo "ping_ms=$(($(now_ms) - t0))"

# 3. Memory at idle on h1.
sleep 5
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
echo "rss_kb process=microovnd rss=$(rss "${pid[1]}")"
stats=$(in_host 1 curl -sS --unix-socket /var/lib/microovn/state/control.socket http://localhost/1.0/stats)
for name in $(jq -r '.metadata.services.processes | keys[]' <<<"$stats"); do
  p=$(jq -r --arg n "$name" '.metadata.services.processes[$n].pid' <<<"$stats")
  echo "rss_kb process=$name rss=$(rss "$p")"
done
