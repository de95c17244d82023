#!/usr/bin/env bash
# Stops the microovnd started by scripts/run.sh (SIGTERM: a clean stop that flushes the store).
set -euo pipefail
STATE_DIR=${MICROOVN_STATE_DIR:-/var/lib/microovn/state}
PID_FILE=$(dirname "$STATE_DIR")/run/microovnd.pid
if [[ -f $PID_FILE ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
  pid=$(cat "$PID_FILE")
  kill -TERM "$pid"
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$PID_FILE"
  echo "microovnd stopped"
else
  echo "microovnd is not running"
fi
