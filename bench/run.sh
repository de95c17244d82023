#!/usr/bin/env bash
# Runs every benchmark against a fresh daemon in a temporary directory and prints the results
# (copy them into docs/perf.md). Needs a build with -DMICROOVN_BENCH=ON (the default).
# Usage: bench/run.sh [BUILD_DIR]   (default: build). Takes about a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build}/bin
work=$(mktemp -d /tmp/microovn-bench.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

start_daemon() { # state_dir
  "$bin/microovnd" --without-ovn --state-dir "$1" >>"$work/daemon.log" 2>&1 &
  pids+=($!)
  "$bin/microovn" --state-dir "$1" waitready -t 60
  last_pid=$!
}
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
"$bin/microovn-bench-fsync" "$work" 3

state=$work/a/state
start_daemon "$state"
daemon=${pids[-1]}
"$bin/microovn" --state-dir "$state" cluster bootstrap --address "127.0.0.1:$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
sleep 1
echo "idle_rss_kb=$(rss_kb "$daemon") (fresh daemon, bootstrapped)"
"$bin/microovn-bench-append" "$state/control.socket" 1 5
"$bin/microovn-bench-append" "$state/control.socket" 64 10
"$bin/microovn-bench-cli" "$bin/microovn" "$state" 300
kill -TERM "$daemon"; wait "$daemon" 2>/dev/null || true

replay=$work/r/state
"$bin/microovn-bench-replay" "$replay" 1000000
start_daemon "$replay"
daemon=${pids[-1]}
sleep 1
echo "rss_kb_after_1M_events=$(rss_kb "$daemon") (daemon restarted on the 1M-event store)"
