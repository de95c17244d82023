#!/usr/bin/env bats
# cluster bootstrap and cluster list in every output format, and the member identity.

load helpers

setup() {
  common_setup
  start_daemon
}

@test "bootstrap, then cluster list as a table shows the member with its certificate fingerprint" {
  run movn cluster list
  assert_success
  refute_output --partial "$MEMBER"  # nothing before bootstrap

  run --separate-stderr bootstrap
  assert_success
  assert_output ""

  run movn cluster list
  assert_success
  local fp
  fp="$(cert_fingerprint)"
  [[ "$fp" =~ ^[0-9a-f]{64}$ ]]
  assert_line --index 0 --regexp '^\+-+\+-+\+-+\+-+\+-+\+$'
  assert_line --index 1 --regexp '^\| +NAME +\| +ADDRESS +\| +ROLE +\| +FINGERPRINT +\| +STATUS +\|$'
  assert_line --index 3 --regexp "^\| $MEMBER +\| 127\.0\.0\.1:$PORT +\| voter +\| $fp +\| ONLINE +\|$"
  assert_line --index 4 --regexp '^\+-+\+-+\+-+\+-+\+-+\+$'
  assert_equal "${#lines[@]}" 5
}

@test "cluster list -f compact has a header and one row, no borders" {
  bootstrap
  run movn cluster list -f compact
  assert_success
  assert_equal "${#lines[@]}" 2
  assert_line --index 0 --regexp '^NAME +ADDRESS +ROLE +FINGERPRINT +STATUS$'
  assert_line --index 1 --regexp "^$MEMBER +127\.0\.0\.1:$PORT +voter +$(cert_fingerprint) +ONLINE$"
  refute_output --partial '|'
}

@test "cluster list -f csv has no header and five fields" {
  bootstrap
  run movn cluster list -f csv
  assert_success
  assert_output "$MEMBER,$ADDRESS,voter,$(cert_fingerprint),ONLINE"
  assert_equal "$(movn cluster list -f csv | awk -F, '{print NF}')" 5
}

@test "cluster list -f json is upstream's ClusterMember array" {
  bootstrap
  local out
  out="$(movn cluster list -f json)"
  assert_equal "$(jq length <<<"$out")" 1
  assert_equal "$(jq -r '.[0].status' <<<"$out")" ONLINE
  assert_equal "$(jq -c '.[0] | keys_unsorted' <<<"$out")" "$MEMBER_KEYS"
  assert_equal "$(jq -r '.[0].name' <<<"$out")" "$MEMBER"
  assert_equal "$(jq -r '.[0].address' <<<"$out")" "$ADDRESS"
  assert_equal "$(jq -r '.[0].role' <<<"$out")" voter
  assert_equal "$(jq -r '.[0].secret' <<<"$out")" ""
  # The certificate is the member's PEM certificate.
  assert_equal "$(jq -r '.[0].certificate' <<<"$out" | openssl x509 -outform DER | sha256sum | cut -d' ' -f1)" \
    "$(cert_fingerprint)"
  [[ "$(jq -r '.[0].last_heartbeat' <<<"$out")" =~ $RFC3339_UTC ]]
  # One line plus a newline.
  assert_equal "$(movn cluster list -f json | wc -l)" 1
}

@test "cluster list -f yaml shows the member" {
  bootstrap
  run movn cluster list -f yaml
  assert_success
  assert_line --index 0 "- name: $MEMBER"
  assert_line "  address: $ADDRESS"
  assert_line "  role: voter"
  assert_line "  status: ONLINE"
  assert_line "  certificate: |"
  assert_line '  secret: ""'
}

@test "cluster list rejects an unknown format" {
  bootstrap
  run --separate-stderr movn cluster list -f xml
  assert_failure 1
  assert_output ""
  [[ "$stderr" == Error:* ]]
}

@test "bootstrap with a custom name regenerates the identity; the key stays private" {
  local before after
  before="$(openssl x509 -in "$STATE/identity/server.crt" -noout -subject)"
  local fp_before
  fp_before="$(cert_fingerprint)"
  refute_regex "$before" 'movn-custom-7'

  # The only suite test on the default port (6686, appended to a bare address).
  movn cluster bootstrap --name movn-custom-7 --address 127.0.0.1
  assert_equal "$(movn cluster list -f json | jq -r '.[0].address')" "127.0.0.1:6686"
  after="$(openssl x509 -in "$STATE/identity/server.crt" -noout -subject)"
  assert_regex "$after" 'CN ?= ?movn-custom-7$'
  assert_not_equal "$after" "$before"
  assert_not_equal "$(cert_fingerprint)" "$fp_before"
  # The cluster shows the new certificate.
  assert_equal "$(movn cluster list -f json | jq -r '.[0].name')" movn-custom-7
  assert_equal "$(movn cluster list -f csv | cut -d, -f4)" "$(cert_fingerprint)"
  # The key matches the certificate, and only its owner can read it.
  assert_equal "$(stat -c %a "$STATE/identity/server.key")" 600
  assert_equal "$(stat -c %a "$STATE/identity/token.key")" 600
  assert_equal "$(openssl pkey -in "$STATE/identity/server.key" -pubout | sha256sum)" \
    "$(openssl x509 -in "$STATE/identity/server.crt" -noout -pubkey | sha256sum)"
  # GET /1.0 names the member.
  run api GET /1.0
  assert_line --index 1 200
  assert_equal "$(head -n1 <<<"$output" | jq -r .metadata.name)" movn-custom-7
  assert_equal "$(head -n1 <<<"$output" | jq -r .metadata.bootstrapped)" true
}

@test "bootstrap keeps an explicit port" {
  movn cluster bootstrap --name movn1 --address "127.0.0.1:$PORT"
  assert_equal "$(movn cluster list -f json | jq -r '.[0].address')" "127.0.0.1:$PORT"
}

@test "status: refused before bootstrap; then the member and its services, and no OVN under --without-ovn" {
  run --separate-stderr movn status
  assert_failure
  assert_regex "$stderr" "not part of a cluster"
  bootstrap
  run movn status
  assert_success
  assert_line --index 0 "MicroOVN deployment summary:"
  assert_line --index 1 "- $MEMBER (127.0.0.1)"
  assert_line --index 2 "  Services: central, chassis, switch"
  assert_line --index 3 "OVN Database summary:"
  assert_line --index 4 "OVN Northbound: Upgrade or attention required!"
  assert_line --index 5 "Currently active schema: unknown (this microovnd runs no OVN (--without-ovn))"
}
