#!/usr/bin/env bash
# The main job: brings up a working single-member MicroOVN on this machine with the defaults.
# Installs the dependencies (OVN and OVS among them), builds, installs the OVN client wrappers
# (microovn.ovn-nbctl, ... in /usr/local/bin), starts microovnd in the background (log in
# /var/lib/microovn/logs/microovnd.log), bootstraps the cluster, waits until OVN answers, and
# shows `cluster list`, `events list`, the southbound database and `status`. Safe to run again: a running
# daemon, an existing cluster and running OVN processes are kept.
# Stop the daemon with scripts/stop.sh (OVN keeps running), or everything with
# scripts/stop.sh --with-ovn.
set -euo pipefail
cd "$(dirname "$0")/.."

STATE_DIR=${MICROOVN_STATE_DIR:-/var/lib/microovn/state}
BASE_DIR=$(dirname "$STATE_DIR")
LOG_DIR=$BASE_DIR/logs
RUN_DIR=$BASE_DIR/run
PID_FILE=$RUN_DIR/microovnd.pid

bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target microovnd microovn -j"$(nproc)" >/dev/null
microovn=(build/bin/microovn --state-dir "$STATE_DIR")
# The OVN/OVS client wrappers, as `cmake --install` puts them (reference-behaviour §3.6).
for tool in ovn-nbctl ovn-sbctl ovn-appctl ovn-trace ovs-vsctl ovs-ofctl ovs-appctl ovs-dpctl ovsdb-client ovsdb-tool; do
  install -m 0755 scripts/microovn-wrapper "/usr/local/bin/microovn.$tool"
done
export MICROOVN_ROOT=$BASE_DIR

mkdir -p "$STATE_DIR" "$LOG_DIR" "$RUN_DIR"
chmod 0700 "$STATE_DIR"
if [[ -f $PID_FILE ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
  echo "microovnd is already running (pid $(cat "$PID_FILE"))"
else
  nohup build/bin/microovnd --state-dir "$STATE_DIR" >>"$LOG_DIR/microovnd.log" 2>&1 &
  echo $! >"$PID_FILE"
  echo "microovnd started (pid $!), log in $LOG_DIR/microovnd.log"
fi
"${microovn[@]}" waitready -t 30

if [[ -z $("${microovn[@]}" cluster list -f csv) ]]; then
  "${microovn[@]}" cluster bootstrap
  echo "cluster bootstrapped"
else
  echo "cluster already bootstrapped"
fi
# OVN comes up once this member's certificates are issued: wait until NB and SB answer.
for _ in $(seq 120); do
  if microovn.ovn-nbctl --timeout=5 show >/dev/null 2>&1 && microovn.ovn-sbctl --timeout=5 show >/dev/null 2>&1; then
    break
  fi
  sleep 0.5
done
echo
"${microovn[@]}" cluster list
echo
"${microovn[@]}" events list
echo
if microovn.ovn-sbctl --timeout=5 show; then
  echo
  "${microovn[@]}" status
  echo
  echo "OVN is up: microovn.ovn-nbctl and microovn.ovn-sbctl reach it"
else
  echo "OVN did not answer yet: see $BASE_DIR/logs and GET /1.0/stats (services)" >&2
  exit 1
fi
