#!/usr/bin/env bats
# kill -9 of the real daemon under load: every request the client saw acknowledged is in the log
# after a restart, exactly once, and the hash chain verifies (a full rebuild).

load helpers

setup() {
  common_setup
  start_daemon
  bootstrap
}

@test "kill -9 under load loses no acknowledged request and duplicates none" {
  local acks="$TEST_TMP/acks" round
  : >"$acks"
  for round in 1 2 3; do
    local before i
    before=$(wc -l <"$acks")
    python3 "$BATS_TEST_DIRNAME/../tools/load_client.py" "$STATE/control.socket" 8 30 "$acks" 3>&- &
    local client=$!
    # Kill once the load is flowing (slow under the sanitizers), at a random point after that.
    for ((i = 0; i < 200; i++)); do
      (( $(wc -l <"$acks") >= before + 30 )) && break
      sleep 0.05
    done
    sleep "0.$((RANDOM % 5))$((RANDOM % 10))"
    kill -KILL "$DAEMON_PID"
    wait "$client" || true
    forget_pid "$DAEMON_PID"
    start_daemon
  done
  local acked
  acked=$(sort -u "$acks" | wc -l)
  (( acked > 90 )) || fail "only $acked requests were acknowledged: the load did not run"

  movn events list -f json --type config_set | jq -r '.[].request_id' | sort >"$TEST_TMP/logged"
  # No request was applied twice.
  assert_equal "$(uniq -d "$TEST_TMP/logged" | wc -l)" 0
  # Every acknowledged request is in the log.
  local missing
  missing=$(sort -u "$acks" | comm -23 - "$TEST_TMP/logged" | head -5)
  [[ -z "$missing" ]] || fail "acknowledged but not in the log: $missing"

  # The hash chain verifies over the whole log.
  stop_daemon
  run "$MICROOVND" --state-dir "$STATE" rebuild
  assert_success
  # The config sets, the bootstrap and one leader's no-op per start (four starts).
  assert_equal "$(jq -r '.[0].applied_index' <<<"$output")" "$(( $(wc -l <"$TEST_TMP/logged") + 5 ))"
}
