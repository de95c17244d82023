#!/usr/bin/env bats
# Restarting the daemon on the same state dir keeps the cluster, tokens, config and history, and
# the projections come back with identical digests (after a clean stop and after kill -9).

load helpers

setup() {
  common_setup
  start_daemon
  bootstrap
  movn cluster add movn2 >/dev/null
  movn cluster add movn3 >/dev/null
  movn cluster tokens revoke movn3
  movn config set ovn.central-ips 10.0.0.1,10.0.0.2 >/dev/null
}

# Everything a user can see, except the ever-changing last_heartbeat.
snapshot() {
  movn cluster list -f json | jq -c 'map(del(.last_heartbeat))'
  movn cluster tokens list -f json
  movn config get ovn.central-ips
  movn events list -f json
  api GET /1.0 | head -n1 | jq -c .metadata
}

# Projection names and digests. The applied index is left out: every start appends the new
# leader's no-op (applied_index() gives it).
projections() { api GET /1.0/projections | head -n1 | jq -c '.metadata | map({name, digest})'; }
applied_index() { api GET /1.0/projections | head -n1 | jq -r '[.metadata[].applied_index] | unique | .[]'; }

@test "a clean stop and start keeps members, tokens, config, events and projection digests" {
  local before digests
  before="$(snapshot)"
  digests="$(projections)"
  assert_equal "$(jq length <<<"$digests")" 6
  # The first leader's no-op, the bootstrap, two adds, a revoke and a config set.
  assert_equal "$(applied_index)" 6

  stop_daemon
  [[ ! -S "$STATE/control.socket" ]] || fail "the socket is left behind after a clean stop"
  start_daemon
  assert_equal "$(snapshot)" "$before"
  assert_equal "$(projections)" "$digests"
  assert_equal "$(applied_index)" 7
  # Spot checks of the same data.
  assert_equal "$(movn cluster list -f csv | cut -d, -f1,2)" "$MEMBER,$ADDRESS"
  assert_equal "$(movn cluster tokens list -f json | jq -c '[.[].name]')" '["movn2"]'
  assert_equal "$(movn config get ovn.central-ips)" "10.0.0.1,10.0.0.2"
  grep -q 'after the checkpoint' "$DAEMON_LOG" || fail "the restart did not start from a checkpoint: $(cat "$DAEMON_LOG")"

  # The restarted daemon keeps working, and a second restart agrees again.
  movn cluster add movn4 >/dev/null
  before="$(snapshot)"
  digests="$(projections)"
  stop_daemon
  start_daemon
  assert_equal "$(snapshot)" "$before"
  assert_equal "$(projections)" "$digests"
}

@test "after kill -9 the restarted daemon has every acknowledged change" {
  local before digests
  before="$(snapshot)"
  digests="$(projections)"
  kill9_daemon
  start_daemon
  assert_equal "$(snapshot)" "$before"
  assert_equal "$(projections)" "$digests"
  # A duplicate of an acknowledged request is still recognised after the crash.
  local t1 t2
  t1="$(movn --request-id after-crash-1 cluster add movn5)"
  kill9_daemon
  start_daemon
  t2="$(movn --request-id after-crash-1 cluster add movn5)"
  assert_equal "$t2" "$t1"
  assert_equal "$(movn events list --type join_token_issued --member movn5 -f json | jq length)" 1
}

@test "the identity survives a restart" {
  local fp
  fp="$(cert_fingerprint)"
  stop_daemon
  start_daemon
  assert_equal "$(cert_fingerprint)" "$fp"
  assert_equal "$(movn cluster list -f csv | cut -d, -f4)" "$fp"
  assert_equal "$(movn cluster add movn6 | base64 -d | jq -r .fingerprint)" "$fp"
}
