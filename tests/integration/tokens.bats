#!/usr/bin/env bats
# cluster add (join tokens), cluster tokens list|revoke, and request-id deduplication.

load helpers

setup() {
  common_setup
  start_daemon
  bootstrap
}

@test "cluster add prints a base64 JSON token: secret, issuer fingerprint, join addresses, members" {
  run --separate-stderr movn cluster add movn2
  assert_success
  assert_equal "$stderr" ""
  assert_equal "${#lines[@]}" 1
  local token="$output" json
  json="$(printf '%s' "$token" | base64 -d)"
  assert_equal "$(jq -c 'keys_unsorted' <<<"$json")" '["secret","fingerprint","join_addresses","members"]'
  assert_regex "$(jq -r .secret <<<"$json")" '^[0-9a-f]{64}$'
  assert_equal "$(jq -r .fingerprint <<<"$json")" "$(cert_fingerprint)"
  assert_equal "$(jq -r .fingerprint <<<"$json")" "$(movn cluster list -f csv | cut -d, -f4)"
  assert_equal "$(jq -c .join_addresses <<<"$json")" "[\"$ADDRESS\"]"
  # One address and certificate fingerprint per member, to pin whichever member the joiner reaches.
  assert_equal "$(jq -c .members <<<"$json")" "[{\"address\":\"$ADDRESS\",\"fingerprint\":\"$(cert_fingerprint)\"}]"
  # The log keeps only the SHA-256 of the secret.
  local sha
  sha="$(printf %s "$(jq -r .secret <<<"$json")" | sha256sum | cut -d' ' -f1)"
  assert_equal "$(movn events list --type join_token_issued -f json | jq -r '.[0].event.secret_sha256')" "$sha"
  run movn events list -f json
  refute_output --partial "$(jq -r .secret <<<"$json")"
}

@test "cluster tokens list shows the token in every format" {
  movn cluster add movn2 >/dev/null
  run movn cluster tokens list
  assert_success
  assert_line --index 1 --regexp '^\| +NAME +\| +EXPIRES AT +\|$'
  assert_line --index 3 --regexp '^\| movn2 +\| [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z +\|$'
  local json
  json="$(movn cluster tokens list -f json)"
  assert_equal "$(jq length <<<"$json")" 1
  assert_equal "$(jq -r '.[0].name' <<<"$json")" movn2
  assert_equal "$(jq -r '.[0].expired' <<<"$json")" false
  [[ "$(jq -r '.[0].expires_at' <<<"$json")" =~ $RFC3339_UTC ]]
  # Default lifetime: 3 h after issue.
  local issued expires
  issued="$(date -d "$(jq -r '.[0].issued_at' <<<"$json")" +%s)"
  expires="$(date -d "$(jq -r '.[0].expires_at' <<<"$json")" +%s)"
  assert_equal "$((expires - issued))" 10800
  run movn cluster tokens list -f csv
  assert_output --regexp '^movn2,[0-9T:-]+Z$'
  run movn cluster tokens list -f yaml
  assert_line --index 0 "- name: movn2"
}

@test "cluster add --timeout sets the expiry" {
  movn cluster add movn2 --timeout 60 >/dev/null
  local json issued expires
  json="$(movn cluster tokens list -f json)"
  issued="$(date -d "$(jq -r '.[0].issued_at' <<<"$json")" +%s)"
  expires="$(date -d "$(jq -r '.[0].expires_at' <<<"$json")" +%s)"
  assert_equal "$((expires - issued))" 60
}

@test "cluster add for a name with a token fails: taken" {
  movn cluster add movn2 >/dev/null
  local n
  n="$(event_count)"
  run --separate-stderr movn cluster add movn2
  assert_failure 1
  assert_output ""
  assert_regex "$stderr" '^Error: .*taken'
  assert_equal "$(event_count)" "$n"
  assert_equal "$(movn cluster tokens list -f json | jq length)" 1
}

@test "cluster add for the name of a member fails: taken" {
  run --separate-stderr movn cluster add "$MEMBER"
  assert_failure 1
  assert_regex "$stderr" '^Error: .*taken'
  assert_equal "$(movn cluster tokens list -f json | jq length)" 0
}

@test "cluster add with the same --request-id twice returns the same token and logs it once" {
  local rid="retry-$RANDOM-$$" first second
  first="$(movn --request-id "$rid" cluster add movn2)"
  second="$(movn --request-id "$rid" cluster add movn2)"
  assert_equal "$second" "$first"
  assert_equal "$(movn events list -f json |
    jq --arg r "$rid" '[.[] | select(.type == "join_token_issued" and .request_id == $r)] | length')" 1
  assert_equal "$(movn events list --type join_token_issued -f json | jq length)" 1
  # Another request id for the same name is a new request, refused.
  run --separate-stderr movn cluster add movn2
  assert_failure 1
  assert_regex "$stderr" 'taken'
}

@test "cluster tokens revoke removes the token; revoking again fails" {
  movn cluster add movn2 >/dev/null
  movn cluster add movn3 >/dev/null
  run --separate-stderr movn cluster tokens revoke movn2
  assert_success
  assert_output ""
  assert_equal "$(movn cluster tokens list -f json | jq -c '[.[].name]')" '["movn3"]'
  assert_equal "$(movn events list --type join_token_revoked -f json | jq -c '[.[].event.name]')" '["movn2"]'
  local n
  n="$(event_count)"
  run --separate-stderr movn cluster tokens revoke movn2
  assert_failure 1
  assert_output ""
  assert_regex "$stderr" '^Error: .*movn2'
  assert_equal "$(event_count)" "$n"
  # The name is free again.
  run movn cluster add movn2
  assert_success
}

@test "cluster add refuses a timeout that is zero, negative or not a number" {
  local t
  for t in 0 -5 abc 1e400; do
    run --separate-stderr movn cluster add movn2 --timeout "$t"
    assert_failure 1
    assert_output ""
    assert_regex "$stderr" '^Error: '
  done
  assert_equal "$(movn cluster tokens list -f json | jq length)" 0
  assert_equal "$(movn events list --type join_token_issued -f json | jq length)" 0
}

@test "cluster add refuses an invalid member name" {
  local name
  for name in Bad_Name -movn movn- "$(printf 'a%.0s' {1..64})"; do
    run --separate-stderr movn cluster add "$name"
    assert_failure 1
    assert_regex "$stderr" '^Error: '
  done
  assert_equal "$(movn cluster tokens list -f json | jq length)" 0
}
