# Shared helpers of the integration suites (tests/integration/*.bats): real microovnd processes on
# temporary state directories, driven through the real microovn CLI and raw socket requests.
# Every daemon a test starts is tracked by PID (in memory and in $TEST_TMP/pids) and stopped by
# PID in teardown: SIGTERM, then SIGKILL after 5 s. Nothing is ever killed by name.

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

# Binaries: $MICROOVN_BIN_DIR (set by CTest), else the build dir next to this source tree.
if [[ -z "${MICROOVN_BIN_DIR:-}" ]]; then
  MICROOVN_BIN_DIR="$(cd "$BATS_TEST_DIRNAME/../../build/bin" 2>/dev/null && pwd)" ||
    MICROOVN_BIN_DIR="$BATS_TEST_DIRNAME/../../build/bin"
fi
MICROOVND="$MICROOVN_BIN_DIR/microovnd"
MICROOVN_CLI="$MICROOVN_BIN_DIR/microovn"
STORE_DUMP="$MICROOVN_BIN_DIR/microovn-store-dump"
FIND_BYTES="$BATS_TEST_DIRNAME/../tools/find_bytes.py"
# Fuzz corpora and regression inputs (tests/fuzz).
MICROOVN_FUZZ_DIR="${MICROOVN_FUZZ_DIR:-$BATS_TEST_DIRNAME/../fuzz}"
# Every CLI call gives up after 10 s instead of the default 30 s: a hang fails fast.
export MICROOVN_CALL_TIMEOUT_MS=10000
# The control plane alone: every microovnd these suites start (many members on one loopback)
# runs no OVN/OVS, which would outlive it (microovnd --without-ovn; tests/system runs OVN).
export MICROOVN_WITHOUT_OVN=1

# Member name and address used by the suites (loopback only). A bootstrapped member listens for
# its peers at its address, and the suites run in parallel: each test gets a free port
# (common_setup sets PORT and ADDRESS).
MEMBER=movn1
ADDRESS=127.0.0.1
# The fields of upstream's ClusterMember in upstream's order (cluster list -f json).
MEMBER_KEYS='["name","address","certificate","role","schema_internal_version","schema_external_version","last_heartbeat","status","extensions","secret"]'
EVENT_KEYS='["index","term","time","type","actor","request_id","event"]'
RFC3339_UTC='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$'

# ---- set-up and tear-down --------------------------------------------------------------------

# A fresh temporary directory per test; $STATE is the default state dir.
common_setup() {
  for bin in "$MICROOVND" "$MICROOVN_CLI"; do
    [[ -x "$bin" ]] || fail "missing binary $bin (build it, or set MICROOVN_BIN_DIR)"
  done
  TEST_TMP="$(mktemp -d "${TMPDIR:-/tmp}/movn-it.XXXXXX")"
  STATE="$TEST_TMP/state"
  PORT="$(free_port)"
  ADDRESS="127.0.0.1:$PORT"
  DAEMON_PIDS=()
  : >"$TEST_TMP/pids"
}

common_teardown() {
  local pid
  if [[ -n "${TEST_TMP:-}" && -f "$TEST_TMP/pids" ]]; then
    while read -r pid _; do
      if [[ -n "$pid" ]]; then stop_pid "$pid" || true; fi
    done <"$TEST_TMP/pids"
  fi
  if [[ -n "${TEST_TMP:-}" && -d "$TEST_TMP" ]]; then
    # A failed test shows the daemon logs (bats prints a test's output only when it fails).
    if [[ -z "${BATS_TEST_COMPLETED:-}" ]]; then
      local log
      for log in "$TEST_TMP"/*.log; do
        if [[ -f "$log" ]]; then { echo "# ---- $log"; sed 's/^/# /' "$log"; } >&2; fi
      done
    fi
    rm -rf "$TEST_TMP"
  fi
}

setup() { common_setup; }
teardown() { common_teardown; }

# A TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# ---- daemon control --------------------------------------------------------------------------

# True while pid runs (a zombie, exited but not yet reaped, counts as stopped).
pid_alive() {
  local pid="$1" stat
  [[ -r "/proc/$pid/stat" ]] || return 1
  stat="$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)" || return 1
  [[ "$stat" != "Z" && "$stat" != "X" ]]
}

# Untracks pid and reaps it if it is our child; sets LAST_EXIT to its exit status when known.
forget_pid() {
  local pid="$1"
  LAST_EXIT=""
  if wait "$pid" 2>/dev/null; then LAST_EXIT=0; else LAST_EXIT=$?; fi
  sed -i "/^$pid\$/d; /^$pid /d" "$TEST_TMP/pids"
  local kept=() p
  for p in "${DAEMON_PIDS[@]}"; do [[ "$p" != "$pid" ]] && kept+=("$p"); done
  DAEMON_PIDS=("${kept[@]}")
}

# SIGTERM, wait up to 5 s, then SIGKILL. Only ever called with PIDs this test started.
stop_pid() {
  local pid="$1" i
  if pid_alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      pid_alive "$pid" || break
      sleep 0.05
    done
    if pid_alive "$pid"; then
      echo "# daemon $pid did not stop within 5 s of SIGTERM: SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
      for ((i = 0; i < 100; i++)); do
        pid_alive "$pid" || break
        sleep 0.05
      done
    fi
  fi
  forget_pid "$pid"
}

# start_daemon [STATE_DIR]: starts microovnd (store compression none, plus $MICROOVND_ARGS) and
# waits until it is ready. Sets DAEMON_PID and DAEMON_LOG (the daemon's stdout and stderr).
start_daemon() {
  local dir="${1:-$STATE}"
  DAEMON_LOG="$(mktemp "$TEST_TMP/daemon-XXXXXX.log")"
  # 3>&- : a background child must not hold bats' output pipe open.
  # shellcheck disable=SC2086 # MICROOVND_ARGS: extra flags, split on spaces
  "$MICROOVND" --state-dir "$dir" --store-compression none ${MICROOVND_ARGS:-} >"$DAEMON_LOG" 2>&1 3>&- &
  DAEMON_PID=$!
  DAEMON_PIDS+=("$DAEMON_PID")
  echo "$DAEMON_PID $dir" >>"$TEST_TMP/pids"
  if ! "$MICROOVN_CLI" --state-dir "$dir" waitready -t 10; then
    cat "$DAEMON_LOG" >&2
    fail "microovnd on $dir did not become ready"
  fi
  pid_alive "$DAEMON_PID" || fail "microovnd on $dir exited: $(cat "$DAEMON_LOG")"
}

# stop_daemon [PID]: clean stop (SIGTERM); fails unless the daemon exits 0 within 5 s.
stop_daemon() {
  local pid="${1:-$DAEMON_PID}"
  stop_pid "$pid"
  [[ "$LAST_EXIT" == 0 ]] || fail "microovnd $pid exited with status '$LAST_EXIT' on SIGTERM"
}

# kill9_daemon [PID]: crash (SIGKILL), leaving unflushed data in the WAL.
kill9_daemon() {
  local pid="${1:-$DAEMON_PID}" i
  kill -KILL "$pid"
  for ((i = 0; i < 100; i++)); do
    pid_alive "$pid" || break
    sleep 0.05
  done
  forget_pid "$pid"
}

# ---- clients ---------------------------------------------------------------------------------

# The CLI on $STATE (or on $MOVN_STATE when set).
movn() { "$MICROOVN_CLI" --state-dir "${MOVN_STATE:-$STATE}" "$@"; }

bootstrap() {
  movn cluster bootstrap --name "${1:-$MEMBER}" --address "${2:-$ADDRESS}"
}

# api METHOD PATH [curl args...]: a raw request on the control socket; prints the body, then a
# line with the HTTP status.
api() {
  local method="$1" path="$2"
  shift 2
  curl -sS --max-time 10 --unix-socket "$STATE/control.socket" -X "$method" \
    -w '\n%{http_code}\n' "$@" "http://localhost$path"
}

# Number of events (rows of `events list -f json`).
event_count() { movn events list -f json | jq length; }

# SHA-256 (DER) of the member certificate, as the cluster list and the tokens show it.
cert_fingerprint() {
  openssl x509 -in "${1:-$STATE}/identity/server.crt" -outform DER | sha256sum | cut -d' ' -f1
}

# The secret of a join token.
token_secret() { printf '%s' "$1" | base64 -d | jq -r .secret; }

# `<sha256> <path>` of every regular file under DIR, sorted by path.
tree_digest() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum); }
