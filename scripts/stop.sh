#!/usr/bin/env bash
# Stops the microovnd started by scripts/run.sh (SIGTERM: a clean stop that flushes the store).
# OVN/OVS keep running, as they do when microovnd restarts. With --with-ovn, the OVN/OVS
# processes microovnd supervised are stopped too, ovn-controller first and NB last: each pidfile
# of run/supervisor names a process by pid and start time, and only that process is signalled.
set -euo pipefail
STATE_DIR=${MICROOVN_STATE_DIR:-/var/lib/microovn/state}
BASE_DIR=$(dirname "$STATE_DIR")
PID_FILE=$BASE_DIR/run/microovnd.pid
with_ovn=false
[[ ${1:-} == --with-ovn ]] && with_ovn=true
if [[ -f $PID_FILE ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
  pid=$(cat "$PID_FILE")
  kill -TERM "$pid"
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$PID_FILE"
  echo "microovnd stopped"
else
  echo "microovnd is not running"
fi
$with_ovn || exit 0
for name in ovn-controller ovs-vswitchd ovsdb-server-switch ovn-northd ovsdb-server-sb ovsdb-server-nb; do
  file=$BASE_DIR/run/supervisor/$name.pid
  [[ -f $file ]] || continue
  pid=$(sed -n 's/^pid=//p' "$file")
  start=$(sed -n 's/^start_time=//p' "$file")
  if [[ -n $pid && -r /proc/$pid/stat ]] && [[ $(cut -d' ' -f22 "/proc/$pid/stat") == "$start" ]]; then
    kill -TERM "$pid"
    for _ in $(seq 50); do [[ -r /proc/$pid/stat ]] || break; sleep 0.1; done
    echo "$name stopped"
  fi
  rm -f "$file"
done
