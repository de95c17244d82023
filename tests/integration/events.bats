#!/usr/bin/env bats
# events list: table and json output, the --since, --type and --member filters, actor and time.

load helpers

setup() {
  common_setup
  start_daemon
  # index 1: the first leader's no-op (an entry of the log, not an event)
  bootstrap                                   # index 2: cluster_bootstrapped, member_joined, ca_generated,
                                              # 5 certificate_issued (the founder's services),
                                              # 3 service_enabled (central, chassis, switch)
  movn cluster add movn2 >/dev/null           # index 3
  movn cluster add movn3 >/dev/null           # index 4
  movn config set ovn.central-ips 10.0.0.1 >/dev/null  # index 5
  movn cluster tokens revoke movn2            # index 6
}

@test "events list -f json: every event with the documented keys, in log order" {
  local out
  out="$(movn events list -f json)"
  assert_equal "$(jq -c '[.[] | [.index, .type]]' <<<"$out")" \
    '[[2,"cluster_bootstrapped"],[2,"member_joined"],[2,"ca_generated"],[2,"certificate_issued"],[2,"certificate_issued"],[2,"certificate_issued"],[2,"certificate_issued"],[2,"certificate_issued"],[2,"service_enabled"],[2,"service_enabled"],[2,"service_enabled"],[3,"join_token_issued"],[4,"join_token_issued"],[5,"config_set"],[6,"join_token_revoked"]]'
  assert_equal "$(jq -c '[.[] | keys_unsorted] | unique' <<<"$out")" "[$EVENT_KEYS]"
  assert_equal "$(jq -r '[.[].term] | unique | .[]' <<<"$out")" 1
  # Events of one batch share index, time, actor and request id; batches have their own.
  assert_equal "$(jq -r '[.[] | select(.index == 2) | [.time, .actor, .request_id]] | unique | length' <<<"$out")" 1
  assert_equal "$(jq -r '[.[].request_id] | unique | length' <<<"$out")" 5
  # Times are RFC 3339 UTC and do not go backwards.
  local t
  while read -r t; do
    assert_regex "$t" "$RFC3339_UTC"
  done < <(jq -r '.[].time' <<<"$out")
  assert_equal "$(jq '[.[].time] == ([.[].time] | sort)' <<<"$out")" true
  # The actor is the OS user of the CLI at this member.
  assert_equal "$(jq -r '[.[].actor] | unique | .[]' <<<"$out")" "$(id -un)@$MEMBER"
  # The event bodies.
  assert_equal "$(jq -c '.[13].event' <<<"$out")" '{"key":"ovn.central-ips","value":"10.0.0.1"}'
  assert_equal "$(jq -r '.[1].event.address' <<<"$out")" "$ADDRESS"
  assert_equal "$(jq -r '.[1].event.fingerprint' <<<"$out")" "$(cert_fingerprint)"
  assert_equal "$(jq -c '.[14].event' <<<"$out")" '{"name":"movn2","reason":"revoked"}'
  # The cluster CA: its fingerprint, expiry (10 years) and the size of its sealed key; no PEM.
  assert_equal "$(jq -c '.[2].event | keys_unsorted' <<<"$out")" '["fingerprint","not_after","sealed_key_bytes"]'
  assert_regex "$(jq -r '.[2].event.fingerprint' <<<"$out")" '^[0-9a-f]{64}$'
  assert_regex "$(jq -r '.[2].event.not_after' <<<"$out")" "^$(( $(date -u +%Y) + 10 ))-"
  (( $(jq '.[2].event.sealed_key_bytes' <<<"$out") > 200 )) || fail "the sealed CA key is too short"
  # The founder's certificates, one per service, from that CA; no key, no PEM.
  assert_equal "$(jq -c '[.[] | select(.type == "certificate_issued") | .event.service]' <<<"$out")" \
    '["client","ovnnb","ovnsb","ovn-northd","ovn-controller"]'
  assert_equal "$(jq -r '[.[] | select(.type == "certificate_issued") | .event.ca_fingerprint] | unique | .[]' <<<"$out")" \
    "$(jq -r '.[2].event.fingerprint' <<<"$out")"
  # The founder runs every service.
  assert_equal "$(jq -c '[.[] | select(.type == "service_enabled") | .event]' <<<"$out")" \
    '[{"member":"'"$MEMBER"'","service":"central"},{"member":"'"$MEMBER"'","service":"chassis"},{"member":"'"$MEMBER"'","service":"switch"}]'
  assert_equal "$(jq -c '.[3].event | keys_unsorted' <<<"$out")" \
    '["member","service","serial","fingerprint","not_before","not_after","ca_fingerprint"]'
  refute_regex "$out" 'BEGIN|PRIVATE'
  # No summary in the CLI's json (it is in the API).
  assert_equal "$(jq '[.[] | has("summary")] | any' <<<"$out")" false
}

@test "events list as a table: header, one row per event, RFC 3339 UTC times, actor" {
  run movn events list
  assert_success
  assert_line --index 1 --regexp '^\| +INDEX +\| +TIME +\| +TYPE +\| +ACTOR +\| +SUMMARY +\|$'
  # 15 events: header block (3 lines) + 2 lines per row.
  assert_equal "${#lines[@]}" 33
  local user
  user="$(id -un)"
  local i=0 line
  for ((i = 3; i < ${#lines[@]}; i += 2)); do
    line="${lines[$i]}"
    assert_regex "$line" '^\| [0-9]+ +\| [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z +\| [a-z_]+ +\| '"$user@$MEMBER"' +\| .+ \|$'
  done
  assert_line --index 3 --regexp '^\| 2 +\| .* \| cluster_bootstrapped +\|'
  assert_line --index 7 --regexp '^\| 2 +\| .* \| ca_generated +\| [^|]+ \| CA [0-9a-f]{12} generated, expires [0-9]{4}-'
  assert_line --index 9 --regexp '^\| 2 +\| .* \| certificate_issued +\| [^|]+ \| client certificate [0-9a-f]{12} issued to movn1, expires '
  assert_line --index 31 --regexp '^\| 6 +\| .* \| join_token_revoked +\| .*movn2'
  if [[ "$(id -u)" == 0 ]]; then
    assert_line --index 3 --partial "| root@$MEMBER "
  fi
}

@test "events list --since keeps the entries at and after the index" {
  local out
  out="$(movn events list --since 4 -f json)"
  assert_equal "$(jq -c '[.[].index]' <<<"$out")" '[4,5,6]'
  assert_equal "$(movn events list --since 6 -f json | jq -c '[.[].type]')" '["join_token_revoked"]'
  assert_equal "$(movn events list --since 7 -f json)" '[]'
  assert_equal "$(movn events list --since 0 -f json | jq length)" 15
  assert_equal "$(movn events list --since 1 -f json | jq length)" 15
  run movn events list --since 5
  assert_line --index 3 --regexp '^\| 5 +\|'
  assert_equal "${#lines[@]}" 7
}

@test "events list --type keeps only that type" {
  assert_equal "$(movn events list --type join_token_issued -f json | jq -c '[.[] | [.index, .event.name]]')" \
    '[[3,"movn2"],[4,"movn3"]]'
  assert_equal "$(movn events list --type config_set -f json | jq -c '[.[].index]')" '[5]'
  assert_equal "$(movn events list --type config_deleted -f json)" '[]'
  assert_equal "$(movn events list --type join_token_issued --since 4 -f json | jq -c '[.[].index]')" '[4]'
}

@test "events list --member keeps the events about that member" {
  assert_equal "$(movn events list --member movn2 -f json | jq -c '[.[] | [.index, .type]]')" \
    '[[3,"join_token_issued"],[6,"join_token_revoked"]]'
  assert_equal "$(movn events list --member movn3 -f json | jq -c '[.[].index]')" '[4]'
  assert_equal "$(movn events list --member "$MEMBER" -f json | jq -c '[.[].type]')" \
    '["cluster_bootstrapped","member_joined","certificate_issued","certificate_issued","certificate_issued","certificate_issued","certificate_issued","service_enabled","service_enabled","service_enabled"]'
  assert_equal "$(movn events list --member nobody -f json)" '[]'
  assert_equal "$(movn events list --member movn2 --type join_token_revoked -f json | jq -c '[.[].index]')" '[6]'
}

@test "events list refuses an unknown type, a bad index and an unknown format" {
  local args
  for args in "--type bogus_event" "--since abc" "--since -1" "-f yaml"; do
    # shellcheck disable=SC2086
    run --separate-stderr movn events list $args
    assert_failure 1
    assert_output ""
    assert_regex "$stderr" '^Error: '
  done
  run --separate-stderr movn events list --type bogus_event
  assert_regex "$stderr" 'bogus_event'
}

@test "the events API includes a summary; its query filters match the CLI's" {
  run api GET '/1.0/events?type=join_token_issued&member=movn3'
  assert_line --index 1 200
  local body
  body="$(head -n1 <<<"$output")"
  assert_equal "$(jq -c '[.metadata[] | [.index, .type]]' <<<"$body")" '[[4,"join_token_issued"]]'
  assert_regex "$(jq -r '.metadata[0].summary' <<<"$body")" 'movn3'
  run api GET '/1.0/events?type=nope'
  assert_line --index 1 400
  assert_equal "$(head -n1 <<<"$output" | jq -r .type)" error
}

@test "events list pages through a history longer than one page (10,000 entries)" {
  # The load stops as soon as the history is long enough; the limits leave room for a slow
  # (instrumented, shared) machine.
  python3 "$BATS_TEST_DIRNAME/../tools/load_client.py" "$STATE/control.socket" 4 150 "$TEST_TMP/acks" 3>&- &
  local client=$! applied=0 i
  for ((i = 0; i < 1500; i++)); do
    applied=$(api GET /1.0/stats | head -n1 | jq .metadata.applied_index)
    (( applied > 10500 )) && break
    sleep 0.1
  done
  kill -TERM "$client" 2>/dev/null || true
  wait "$client" 2>/dev/null || true
  # A request the client sent before it ended may still commit after it has gone:
  # count the events between two reads of the applied index that agree.
  local count after
  for ((i = 0; i < 50; i++)); do
    applied=$(api GET /1.0/stats | head -n1 | jq .metadata.applied_index)
    count=$(movn events list -f json | jq length)
    after=$(api GET /1.0/stats | head -n1 | jq .metadata.applied_index)
    (( applied == after )) && break
    sleep 0.2
  done
  assert_equal "$after" "$applied"
  (( applied > 10500 )) || fail "the load reached only $applied entries"
  # One event per entry, except the first leader's no-op (none) and the bootstrap batch (eleven).
  assert_equal "$count" "$((applied + 9))"
  # limit reads exactly the entries [since, since + limit).
  assert_equal "$(api GET '/1.0/events?since=3&limit=5' | head -n1 | jq -r '[.metadata[].index] | unique | join(",")')" "3,4,5,6,7"
}
