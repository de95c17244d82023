#!/usr/bin/env bats
# The control socket: owner-only mode, a path too long for a unix socket, and a second daemon on
# the same state dir.

load helpers

@test "the control socket is owner-only (srw-------) and the state dir is private" {
  start_daemon
  assert_equal "$(stat -c %A "$STATE/control.socket")" "srw-------"
  assert_equal "$(stat -c %a "$STATE")" 700
  assert_equal "$(stat -c %a "$STATE/store")" 700
  assert_equal "$(stat -c %u "$STATE/control.socket")" "$(id -u)"
  # Files the daemon writes are owner-only too.
  bootstrap
  assert_equal "$(stat -c %a "$STATE/daemon.json")" 600
  local f
  for f in "$STATE"/store/*; do
    assert_equal "$(stat -c '%a %n' "$f")" "600 $f"
  done
}

@test "a state dir whose socket path exceeds 107 bytes is refused with a clear error" {
  # The socket path "$dir/control.socket" is 108 bytes: one over the limit.
  local dir
  dir="$TEST_TMP/$(printf 'd%.0s' $(seq 1 $((108 - ${#TEST_TMP} - 2 - 14))))"
  assert_equal "$((${#dir} + 1 + 14))" 108
  run --separate-stderr timeout 10 "$MICROOVND" --state-dir "$dir" --store-compression none
  refute [ "$status" -eq 0 ]
  refute [ "$status" -eq 124 ]  # it must exit on its own, not be stopped by the timeout
  assert_regex "$stderr$output" 'too long'
  assert_regex "$stderr" "^Error: .*$dir/control.socket"
  [[ ! -e "$dir/control.socket" ]]
}

@test "a socket path of exactly 107 bytes works" {
  local dir
  dir="$TEST_TMP/$(printf 'd%.0s' $(seq 1 $((107 - ${#TEST_TMP} - 2 - 14))))"
  assert_equal "$((${#dir} + 1 + 14))" 107
  start_daemon "$dir"
  MOVN_STATE="$dir" run movn cluster list -f csv
  assert_success
}

@test "a second daemon on the same state dir fails and the first keeps working" {
  start_daemon
  bootstrap
  local first="$DAEMON_PID" n
  n="$(event_count)"
  run --separate-stderr timeout 10 "$MICROOVND" --state-dir "$STATE" --store-compression none
  refute [ "$status" -eq 0 ]
  refute [ "$status" -eq 124 ]
  assert_regex "$stderr" '^Error: '
  assert_regex "$stderr" 'LOCK|lock|another|in use|running'
  assert_regex "$stderr" "$STATE"
  # The first daemon still serves on its socket.
  pid_alive "$first"
  [[ -S "$STATE/control.socket" ]]
  assert_equal "$(stat -c %A "$STATE/control.socket")" "srw-------"
  run movn cluster list -f csv
  assert_success
  assert_output --regexp "^$MEMBER,127\.0\.0\.1:$PORT,"
  movn cluster add movn2 >/dev/null
  assert_equal "$(event_count)" "$((n + 1))"
  stop_daemon "$first"
}

@test "a stale socket file left by a crash does not stop the next start" {
  start_daemon
  bootstrap
  kill9_daemon
  [[ -S "$STATE/control.socket" ]] || skip "the crashed daemon left no socket file"
  start_daemon
  run movn cluster list -f csv
  assert_success
  assert_output --regexp "^$MEMBER,"
}
