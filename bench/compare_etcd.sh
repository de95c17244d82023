#!/usr/bin/env bash
# Compares a 3-member microovnd cluster with a 3-member etcd cluster on this machine: small writes,
# fsync on both, everything on 127.0.0.1. Results go to docs/perf.md.
#
# What it does, in one run:
#   1. installs etcd from Debian if it is missing (apt-get install -y etcd-server etcd-client);
#   2. starts 3 etcd members (their own data dirs in a temporary directory, client and peer URLs on
#      free 127.0.0.1 ports, --initial-cluster-state new, etcd's default fsync) and waits until
#      `etcdctl endpoint health` is healthy for all three;
#   3. starts 3 microovnd members (mutual TLS between them, a synced log write before every
#      acknowledgement: the daemon's defaults), bootstraps m1, joins m2 and m3 with `cluster add` /
#      `cluster join`, and waits until `cluster list` shows 3 voters;
#   4. for 1 and then 64 concurrent clients, measures etcd then microovn for DURATION seconds each
#      (after 1 s of warm-up load that is not counted) with build/bin/microovn-bench-load:
#        etcd:     POST /v3/kv/put {"key":base64("bench"),"value":base64("10.0.0.1")} on the v3
#                  HTTP gateway of each member's client URL;
#        microovn: PUT /1.0/config/ovn.central-ips {"value":"10.0.0.1"} with a fresh X-Request-Id
#                  (32 hex characters) per request, on each member's STATE_DIR/control.socket.
#      Each client keeps one connection and sends its next write when the previous one is answered.
#
# Where the clients send (the same policy for both systems): round-robin over the three members,
# starting with the current leader: client i talks to member i mod 3 in the order (leader, the other
# two in name order). With 1 client every write goes to the leader; with 64 clients 22 talk to the
# leader and 21 to each follower, which forwards to the leader (etcd forwards the proposal over its
# peer link, microovnd forwards the write over its TLS peer link).
#
# Output: one line per system and load on stdout,
#   <system> clients=<n> commits_per_s=<x> p50_ms=<y> p99_ms=<z>
# with " errors=<e>" appended when some writes were not answered 200. Progress, the machine's fsync
# rate and, per measurement, a detail line (answers per member, max latency, and for microovn the
# synced log writes per commit on each member, leader first) and the CPU time per commit of the
# three servers and of the driver (from /proc/PID/stat and `times`) go to stderr.
#
# Usage: [DURATION=10] [KEEP=1] bash bench/compare_etcd.sh [BUILD_DIR]   (BUILD_DIR defaults to build)
#   DURATION  seconds of each measurement (default 10)
#   KEEP=1    keep the temporary directory (data dirs and logs) instead of removing it
#   SYSTEMS   which systems to run (default "etcd microovn")
#   LOADS     the client counts to measure (default "1 64")
#   NOFSYNC=1 a ceiling measurement, not a comparison: the microovnd members run with
#             build/bin/microovn-bench-nofsync.so preloaded, so their syncs return at once (etcd
#             3.4 has no such switch and is not run). It shows what microovn would do if a synced
#             write cost nothing: the limit the CPU and the hand-offs set on this machine.
# Needs: cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMICROOVN_BENCH=ON &&
#        cmake --build build --target microovnd microovn microovn-bench-load microovn-bench-fsync
# Everything it started (etcd and microovnd processes, by pid) is stopped and its temporary
# directory removed when it exits, also on failure or Ctrl-C. It never touches /var/lib/microovn.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
bin=$build/bin
DURATION=${DURATION:-10}
SYSTEMS=${SYSTEMS:-etcd microovn}
LOADS=${LOADS:-1 64}

log() { echo "compare_etcd: $*" >&2; }
die() { log "$*"; exit 1; }

if [[ ${NOFSYNC:-} == 1 ]]; then
  SYSTEMS=microovn
  [[ -f $bin/microovn-bench-nofsync.so ]] || die "$bin/microovn-bench-nofsync.so is missing: cmake --build $build --target microovn-bench-nofsync"
  log "NOFSYNC=1: the microovnd members do not sync (a ceiling measurement, not durable, etcd not run)"
fi
want() { [[ " $SYSTEMS " == *" $1 "* ]]; }
need=(microovn-bench-load microovn-bench-fsync)
want microovn && need+=(microovnd microovn)
for b in "${need[@]}"; do
  [[ -x $bin/$b ]] || die "$bin/$b is missing: cmake -S . -B $build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMICROOVN_BENCH=ON && cmake --build $build --target microovnd microovn microovn-bench-load microovn-bench-fsync"
done
if want etcd && ! { command -v etcd && command -v etcdctl; } >/dev/null; then
  log "installing etcd from Debian (etcd-server etcd-client)"
  apt-get install -y etcd-server etcd-client >&2 || { apt-get update >&2 && apt-get install -y etcd-server etcd-client >&2; }
fi

work=$(mktemp -d /tmp/compare-etcd.XXXXXX)
pids=()
failed=0
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  # Up to 10 s for a clean stop, then SIGKILL; only the pids this script started.
  for _ in $(seq 100); do
    local alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.1
  done
  for p in "${pids[@]}"; do
    if kill -0 "$p" 2>/dev/null; then log "pid $p did not stop on SIGTERM; SIGKILL"; kill -KILL "$p" 2>/dev/null || true; fi
    wait "$p" 2>/dev/null || true
  done
  if ((rc != 0)); then
    for f in "$work"/*/*.log; do
      [[ -f $f ]] || continue
      log "last lines of $f:"
      tail -n 20 "$f" >&2 || true
    done
  fi
  if [[ ${KEEP:-} == 1 ]]; then log "kept $work"; else rm -rf "$work"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# N distinct free TCP ports on 127.0.0.1 (all bound at once, then released).
free_ports() {
  python3 -c '
import socket, sys
ss = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))' "$1"
}

# CPU seconds (user + system) used so far by the given pids, all threads.
tck=$(getconf CLK_TCK)
cpu_s() { for p in "$@"; do cat "/proc/$p/stat"; done 2>/dev/null | awk -v t="$tck" '{ s += $14 + $15 } END { printf "%.3f", s / t }'; }
# Sets variable $1 to the CPU seconds used by this shell's finished children (the driver, once it
# returned). `times` runs in this shell: in a $(...) subshell it would see no children.
children_cpu() {
  times >"$work/times.txt"
  printf -v "$1" '%s' "$(awk 'NR == 2 { split($1, u, "m"); split($2, s, "m"); printf "%.3f", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$work/times.txt")"
}

# Runs one measurement with the servers' pids in $servers; a run with errors still prints its line
# and makes the script exit 1. Also tells the CPU time per commit (warm-up included on both sides)
# of the servers and of the driver.
measure() { # label clients [driver args...]
  local label=$1 clients=$2 detail=$work/detail.txt
  shift 2
  log "$label: $clients client(s), ${DURATION}s"
  local srv0 drv0 srv1 drv1 rc=0
  srv0=$(cpu_s "${servers[@]}")
  children_cpu drv0
  "$bin/microovn-bench-load" --label "$label" --clients "$clients" --seconds "$DURATION" --warmup 1 "$@" 2>"$detail" || rc=$?
  srv1=$(cpu_s "${servers[@]}")
  children_cpu drv1
  cat "$detail" >&2
  local all
  all=$(sed -n 's/.* with_warmup=\([0-9]*\) .*/\1/p' "$detail" | head -n 1)
  if [[ -n $all ]] && ((all > 0)); then
    log "$label clients=$clients: CPU per commit: servers $(awk -v a="$srv0" -v b="$srv1" -v n="$all" 'BEGIN { printf "%.3f", (b - a) * 1000 / n }') ms, driver $(awk -v a="$drv0" -v b="$drv1" -v n="$all" 'BEGIN { printf "%.3f", (b - a) * 1000 / n }') ms; the servers used $(awk -v a="$srv0" -v b="$srv1" -v d="$DURATION" 'BEGIN { printf "%.2f", (b - a) / (d + 1) }') cores"
  fi
  if ((rc != 0)); then
    log "$label with $clients client(s): some writes failed"
    failed=1
  fi
}

log "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
log "fsync rate of $work's file system: $("$bin/microovn-bench-fsync" "$work" 3)"

# --- etcd -----------------------------------------------------------------------------------------
etcd_endpoints=() etcd_pids=()
if want etcd; then
  log "$(etcd --version | tr '\n' ' ')"
  read -r -a eports <<<"$(free_ports 6)"
  cluster=""
  for i in 1 2 3; do cluster+="${cluster:+,}e$i=http://127.0.0.1:${eports[$((i + 2))]}"; done
  client_urls=()
  for i in 1 2 3; do
    client=http://127.0.0.1:${eports[$((i - 1))]}
    peer=http://127.0.0.1:${eports[$((i + 2))]}
    client_urls+=("$client")
    mkdir -p "$work/e$i"
    etcd --name "e$i" --data-dir "$work/e$i/data" \
      --listen-client-urls "$client" --advertise-client-urls "$client" \
      --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" \
      --initial-cluster "$cluster" --initial-cluster-token "compare-etcd-$$" --initial-cluster-state new \
      >"$work/e$i/etcd.log" 2>&1 &
    pids+=($!) etcd_pids+=($!)
  done
  all=$(IFS=,; echo "${client_urls[*]}")
  for try in $(seq 60); do
    etcdctl --endpoints="$all" endpoint health >"$work/e1/health.out" 2>&1 && break
    ((try < 60)) || { cat "$work/e1/health.out" >&2; die "etcd is not healthy after 30 s"; }
    sleep 0.5
  done
  # Leader first, then the others in name order.
  etcd_order=$(etcdctl --endpoints="$all" endpoint status -w json | python3 -c '
import json, sys
st = json.load(sys.stdin)
leader = [s["Endpoint"] for s in st if s["Status"]["leader"] == s["Status"]["header"]["member_id"]]
others = [s["Endpoint"] for s in st if s["Endpoint"] not in leader]
if len(leader) != 1: sys.exit("no single etcd leader: %r" % st)
print(" ".join(leader + others))')
  for url in $etcd_order; do etcd_endpoints+=("${url#http://}"); done
  log "etcd healthy; members in client order (leader first): ${etcd_endpoints[*]}"
fi

# --- microovn -------------------------------------------------------------------------------------
microovn_sockets=() microovn_pids=()
if want microovn; then
  read -r -a mports <<<"$(free_ports 3)"
  for i in 1 2 3; do
    mkdir -p "$work/m$i"
    if [[ ${NOFSYNC:-} == 1 ]]; then
      LD_PRELOAD=$(realpath "$bin/microovn-bench-nofsync.so") "$bin/microovnd" --without-ovn --state-dir "$work/m$i/state" \
        >"$work/m$i/microovnd.log" 2>&1 &
    else
      "$bin/microovnd" --without-ovn --state-dir "$work/m$i/state" >"$work/m$i/microovnd.log" 2>&1 &
    fi
    pids+=($!) microovn_pids+=($!)
  done
  for i in 1 2 3; do "$bin/microovn" --state-dir "$work/m$i/state" waitready -t 10; done
  "$bin/microovn" --state-dir "$work/m1/state" cluster bootstrap --name m1 --address "127.0.0.1:${mports[0]}" >&2
  for i in 2 3; do
    token=$("$bin/microovn" --state-dir "$work/m1/state" cluster add "m$i")
    "$bin/microovn" --state-dir "$work/m$i/state" cluster join "$token" --name "m$i" --address "127.0.0.1:${mports[$((i - 1))]}" >&2
  done
  for try in $(seq 60); do
    voters=$("$bin/microovn" --state-dir "$work/m1/state" cluster list -f csv 2>/dev/null | awk -F, '$3 == "voter"' | wc -l)
    ((voters == 3)) && break
    ((try < 60)) || { "$bin/microovn" --state-dir "$work/m1/state" cluster list >&2 || true; die "microovn has $voters voters after 30 s, not 3"; }
    sleep 0.5
  done
  raft_state() { # member
    curl -sf --unix-socket "$work/$1/state/control.socket" http://x/1.0/stats |
      python3 -c 'import json, sys; print((json.load(sys.stdin)["metadata"].get("raft") or {}).get("state", "?"))'
  }
  leader="" others=()
  for i in 1 2 3; do
    state=$(raft_state "m$i")
    if [[ $state == leader ]]; then leader=m$i; else others+=("m$i"); fi
  done
  [[ -n $leader ]] || die "no microovn member says it is the leader"
  for m in "$leader" "${others[@]}"; do microovn_sockets+=("unix:$work/$m/state/control.socket"); done
  log "microovn has 3 voters; members in client order (leader first): $leader ${others[*]}"
fi

# --- measurements ---------------------------------------------------------------------------------
stats=()
for s in "${microovn_sockets[@]}"; do stats+=(--stats "$s"); done
for clients in $LOADS; do
  if want etcd; then
    servers=("${etcd_pids[@]}")
    measure etcd "$clients" --method POST --path /v3/kv/put \
      --body "{\"key\":\"$(printf bench | base64)\",\"value\":\"$(printf 10.0.0.1 | base64)\"}" "${etcd_endpoints[@]}"
  fi
  if want microovn; then
    servers=("${microovn_pids[@]}")
    measure microovn "$clients" --method PUT --path /1.0/config/ovn.central-ips --body '{"value":"10.0.0.1"}' \
      --request-id "${stats[@]}" "${microovn_sockets[@]}"
  fi
done
log "fsync rate after the measurements: $("$bin/microovn-bench-fsync" "$work" 3), load average $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$failed"
