#!/usr/bin/env bash
# The main job: brings up a working single-member MicroOVN on this machine with the defaults.
# Installs the dependencies, builds, starts microovnd in the background (log in
# /var/lib/microovn/logs/microovnd.log), bootstraps the cluster and shows `cluster list` and
# `events list`. Safe to run again: a running daemon and an existing cluster are kept.
# Stop the daemon with scripts/stop.sh.
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
echo
"${microovn[@]}" cluster list
echo
"${microovn[@]}" events list
