#!/usr/bin/env bats
# Concurrent conflicting requests through the real daemon: exactly one wins. A rebuild from the
# log after the checkpoints are dropped comes back with identical projection digests.

load helpers

setup() {
  common_setup
  start_daemon
  bootstrap
}

@test "concurrent 'cluster add foo' give exactly one token and one conflict" {
  local i pids=()
  for i in 1 2 3 4 5 6; do
    (
      rc=0
      movn cluster add foo >"$TEST_TMP/out.$i" 2>"$TEST_TMP/err.$i" || rc=$?
      echo "$rc" >"$TEST_TMP/rc.$i"
    ) 3>&- &
    pids+=($!)
  done
  wait "${pids[@]}" || true
  local ok=0 taken=0
  for i in 1 2 3 4 5 6; do
    if [[ $(cat "$TEST_TMP/rc.$i") == 0 ]]; then
      ok=$((ok + 1))
    elif grep -q '^Error: .*taken' "$TEST_TMP/err.$i"; then
      taken=$((taken + 1))
    fi
  done
  assert_equal "$ok" 1
  assert_equal "$taken" 5
  assert_equal "$(movn cluster tokens list -f json | jq '[.[] | select(.name == "foo")] | length')" 1
  assert_equal "$(movn events list -f json --type join_token_issued | jq length)" 1
}

@test "concurrent retries of one request id are applied once and all get the same token" {
  local i pids=()
  for i in 1 2 3 4; do
    movn --request-id same-request cluster add bar >"$TEST_TMP/out.$i" 3>&- &
    pids+=($!)
  done
  wait "${pids[@]}"
  for i in 2 3 4; do assert_equal "$(cat "$TEST_TMP/out.$i")" "$(cat "$TEST_TMP/out.1")"; done
  [[ -n "$(cat "$TEST_TMP/out.1")" ]] || fail "no token printed"
  assert_equal "$(movn events list -f json --type join_token_issued | jq length)" 1
}

@test "microovnd --rebuild drops the checkpoints and comes back with identical digests" {
  # Four entries: the first leader's no-op, bootstrap, the token, the config change.
  movn cluster add movn2 >/dev/null
  movn config set ovn.central-ips 10.0.0.1 >/dev/null
  # Digests only: the restart appends its own no-op (index 5).
  local before
  before="$(api GET /1.0/projections | head -n1 | jq -c '.metadata | map({name, digest})')"
  stop_daemon
  "$MICROOVND" --state-dir "$STATE" --store-compression none --rebuild >"$TEST_TMP/rebuild.log" 2>&1 3>&- &
  DAEMON_PID=$!
  echo "$DAEMON_PID $STATE" >>"$TEST_TMP/pids"
  movn waitready -t 10
  assert_equal "$(api GET /1.0/projections | head -n1 | jq -c '.metadata | map({name, digest})')" "$before"
  assert_equal "$(api GET /1.0/projections | head -n1 | jq -c '[.metadata[].applied_index] | unique')" '[5]'
  grep -q "(rebuild)" "$TEST_TMP/rebuild.log" || fail "the daemon did not rebuild: $(cat "$TEST_TMP/rebuild.log")"
  assert_equal "$(api GET /1.0/stats | head -n1 | jq .metadata.entries_replayed_at_start)" 4
}
