#!/usr/bin/env bats
# The cluster CA and this member's OVN service certificates (docs/adr/0016): made at bootstrap,
# written to data/pki beside the state directory (files 0600, directory 0700), verified against
# the CA by openssl, recorded in the log without any key, kept across restarts, and issued again
# when their files are lost.
load helpers

SERVICES=(client ovnnb ovnsb ovn-northd ovn-controller)

setup() {
  common_setup
  start_daemon
  bootstrap
  PKI="$(dirname "$STATE")/data/pki"
}

# SHA-256 of a PEM certificate's DER, as the log records fingerprints.
fingerprint_of() { openssl x509 -in "$1" -outform DER | sha256sum | cut -d' ' -f1; }
subject_of() { openssl x509 -noout -subject -nameopt sep_comma_plus,sname -in "$1"; }
recorded_fingerprint() {
  movn events list --type certificate_issued -f json |
    jq -r --arg s "$1" '[.[] | select(.event.service == $s)] | last | .event.fingerprint'
}
reconciler() { api GET /1.0/stats | head -n1 | jq -r ".metadata.certificates.$1"; }
reconciled_once() { (($(reconciler converged) >= 1)); }
recorded_matches_file() { [[ "$(recorded_fingerprint "$1")" == "$(fingerprint_of "$PKI/$1-cert.pem")" ]]; }

# wait_for SECONDS CMD...: runs CMD every 0.2 s until it succeeds; fails after SECONDS.
wait_for() {
  local secs="$1" deadline
  shift
  deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "timed out after ${secs}s waiting for: $*"
    sleep 0.2
  done
}

@test "bootstrap writes the CA and five service certificates, each verified by openssl and recorded" {
  # These suites run the control plane alone (MICROOVN_WITHOUT_OVN): no OVN process, no layout.
  assert_equal "$(api GET /1.0/stats | head -n1 | jq -c .metadata.services)" null
  [[ ! -e "$(dirname "$STATE")/run/supervisor" ]] || fail "an OVN process was started"
  assert_equal "$(stat -c %a "$PKI")" 700
  assert_equal "$(cd "$PKI" && ls | sort | paste -sd' ' -)" \
    "cacert.pem client-cert.pem client-privkey.pem ovn-controller-cert.pem ovn-controller-privkey.pem ovn-northd-cert.pem ovn-northd-privkey.pem ovnnb-cert.pem ovnnb-privkey.pem ovnsb-cert.pem ovnsb-privkey.pem"
  local f s out
  for f in "$PKI"/*; do assert_equal "$(stat -c %a "$f")" 600; done
  out="$(movn events list -f json)"
  # The CA file holds the CA the log records: 10 years, a CA that signs certificates.
  assert_equal "$(fingerprint_of "$PKI/cacert.pem")" \
    "$(jq -r '.[] | select(.type == "ca_generated") | .event.fingerprint' <<<"$out")"
  assert_equal "$(subject_of "$PKI/cacert.pem")" "subject=O=MicroOVN,OU=MicroOVN CA,CN=MicroOVN CA"
  run openssl x509 -noout -ext basicConstraints,keyUsage -in "$PKI/cacert.pem"
  assert_output --partial "CA:TRUE"
  assert_output --partial "Certificate Sign"
  run openssl x509 -noout -checkend $((3649 * 86400)) -in "$PKI/cacert.pem"
  assert_success
  for s in "${SERVICES[@]}"; do
    run openssl verify -CAfile "$PKI/cacert.pem" -purpose sslserver "$PKI/$s-cert.pem"
    assert_success
    run openssl verify -CAfile "$PKI/cacert.pem" -purpose sslclient "$PKI/$s-cert.pem"
    assert_success
    assert_equal "$(subject_of "$PKI/$s-cert.pem")" "subject=O=MicroOVN,OU=$s,CN=$MEMBER"
    # The key is the certificate's.
    assert_equal "$(openssl pkey -in "$PKI/$s-privkey.pem" -pubout | sha256sum)" \
      "$(openssl x509 -in "$PKI/$s-cert.pem" -noout -pubkey | sha256sum)"
    # The log records that very certificate, valid for two years.
    assert_equal "$(recorded_fingerprint "$s")" "$(fingerprint_of "$PKI/$s-cert.pem")"
    run openssl x509 -noout -checkend $((729 * 86400)) -in "$PKI/$s-cert.pem"
    assert_success
    run openssl x509 -noout -checkend $((731 * 86400)) -in "$PKI/$s-cert.pem"
    assert_failure
  done
}

@test "no service key is in the store (WAL included), the events or the daemon's log" {
  kill9_daemon  # the bootstrap entry stays in the WAL
  local files=() f s
  while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$STATE/store" -type f -print0)
  printf '%s\n' "${files[@]}" | grep -q '\.log$' || fail "no WAL in the scan"
  for f in "${files[@]}"; do
    assert_equal "$(grep -c -a -e 'PRIVATE KEY' "$f" || true) $f" "0 $f"
  done
  # The raw bytes of each service key, in PKCS#8 DER and as the bare EC scalar.
  for s in "${SERVICES[@]}"; do
    openssl pkey -in "$PKI/$s-privkey.pem" -outform DER >"$TEST_TMP/$s.der"
    openssl ec -in "$PKI/$s-privkey.pem" -no_public -outform DER 2>/dev/null | tail -c +8 | head -c 48 >"$TEST_TMP/$s.scalar"
    assert_equal "$(stat -c %s "$TEST_TMP/$s.scalar")" 48
    # The scanner sees the scalar where it is (inside the key's PKCS#8 DER), and nowhere else.
    run python3 "$FIND_BYTES" "$TEST_TMP/$s.scalar" "$TEST_TMP/$s.der" "${files[@]}"
    assert_success
    assert_line --index 0 "1 $TEST_TMP/$s.der"
    assert_equal "$(tail -n +2 <<<"$output" | cut -d' ' -f1 | sort -u)" 0
    run python3 "$FIND_BYTES" "$TEST_TMP/$s.der" "${files[@]}"
    assert_success
    assert_equal "$(cut -d' ' -f1 <<<"$output" | sort -u)" 0
  done
  start_daemon
  run movn events list -f json
  refute_output --partial "PRIVATE"
  refute_output --partial "BEGIN"
  for f in "$TEST_TMP"/daemon-*.log; do
    assert_equal "$(grep -c -a -e 'PRIVATE' "$f" || true)" 0
  done
}

@test "a restart keeps the certificates; lost files are issued again and recorded" {
  local before
  before="$(cd "$PKI" && sha256sum -- *)"
  stop_daemon
  start_daemon
  wait_for 20 reconciled_once
  assert_equal "$(reconciler issued)" 0
  assert_equal "$(reconciler recorded)" 0
  assert_equal "$(cd "$PKI" && sha256sum -- *)" "$before"
  # The ovnsb pair is lost: the next start issues a new one and records it; the rest stay.
  local old
  old="$(recorded_fingerprint ovnsb)"
  stop_daemon
  rm "$PKI/ovnsb-cert.pem" "$PKI/ovnsb-privkey.pem"
  start_daemon
  wait_for 20 recorded_matches_file ovnsb
  [[ "$(recorded_fingerprint ovnsb)" != "$old" ]] || fail "the lost certificate was not issued again"
  assert_equal "$(reconciler issued)" 1
  assert_equal "$(stat -c %a "$PKI/ovnsb-privkey.pem")" 600
  run openssl verify -CAfile "$PKI/cacert.pem" "$PKI/ovnsb-cert.pem"
  assert_success
  assert_equal "$(movn events list --type certificate_issued -f json | jq length)" 6
  assert_equal "$(cd "$PKI" && sha256sum -- client-* ovnnb-*)" "$(grep -E ' (client|ovnnb)-' <<<"$before")"
}

@test "certificates list shows this member's files and their expiry, as upstream does" {
  local json
  json="$(movn certificates list -f json)"
  # No trailing newline, and exactly upstream's keys in upstream's order.
  assert_equal "$(movn certificates list -f json | tail -c 1 | xxd -p)" 7d
  assert_equal "$(jq -c 'keys_unsorted' <<<"$json")" '["ca","ovnnb","ovnsb","ovn-northd","ovn-controller","client"]'
  assert_equal "$(jq -c '.ca | keys_unsorted' <<<"$json")" '["cert","auto_renew","expiration_date"]'
  assert_equal "$(jq -c '.ovnnb | keys_unsorted' <<<"$json")" '["cert","key","expiration_date"]'
  assert_equal "$(jq -r .ca.cert <<<"$json")" "$PKI/cacert.pem"
  assert_equal "$(jq -r .ca.auto_renew <<<"$json")" true
  assert_equal "$(jq -r '.client.key' <<<"$json")" "$PKI/client-privkey.pem"
  # The expiry is the certificate's, in Go's format.
  local end
  end="$(openssl x509 -noout -enddate -in "$PKI/ovnsb-cert.pem" | cut -d= -f2)"
  assert_equal "$(jq -r .ovnsb.expiration_date <<<"$json")" "$(date -u -d "$end" '+%Y-%m-%d %H:%M:%S +0000 UTC')"
  run movn certificates list
  assert_success
  assert_line --index 0 "[OVN CA]"
  assert_line --index 1 "$PKI/cacert.pem (OK: Present)"
  assert_line --index 3 "Auto-renew: true"
  assert_line --index 4 "[OVN Northbound Database]"
  assert_line --index 5 "$PKI/ovnnb-cert.pem (OK: Present)"
  assert_line --index 7 "$PKI/ovnnb-privkey.pem (OK: Present)"
  assert_line --index 20 "[Client]"
  # A lost file is reported as missing (until the reconciler's next pass issues it again).
  rm "$PKI/ovn-northd-privkey.pem"
  run movn certificates list
  assert_line "$PKI/ovn-northd-privkey.pem (Error: Missing file)"
  run movn certificates list -f yaml
  assert_failure
}

# make_ca TYPE NAME [DAYS]: an operator's CA (rsa, ec or ed25519) in $TEST_TMP/NAME.crt and
# NAME.key; the RSA key as PKCS#1 and the EC key as SEC1, the forms upstream accepts besides PKCS#8.
make_ca() {
  local type="$1" name="$2" days="${3:-365}" alg=()
  case "$type" in
    rsa) alg=(-newkey rsa:2048) ;;
    ec) alg=(-newkey ec -pkeyopt ec_paramgen_curve:P-256) ;;
    ed25519) alg=(-newkey ed25519) ;;
  esac
  openssl req -x509 "${alg[@]}" -nodes -keyout "$TEST_TMP/$name.pk8" -out "$TEST_TMP/$name.crt" -days "$days" \
    -subj "/O=Operator/CN=$name" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  case "$type" in
    rsa) openssl rsa -traditional -in "$TEST_TMP/$name.pk8" -out "$TEST_TMP/$name.key" 2>/dev/null ;;
    ec) openssl ec -in "$TEST_TMP/$name.pk8" -out "$TEST_TMP/$name.key" 2>/dev/null ;;
    ed25519) cp "$TEST_TMP/$name.pk8" "$TEST_TMP/$name.key" ;;
  esac
}
ca_events() { movn events list -f json | jq '[.[] | select(.type == "ca_generated" or .type == "ca_set")] | length'; }
all_verify() {
  local s
  for s in "${SERVICES[@]}"; do openssl verify -CAfile "$PKI/cacert.pem" "$PKI/$s-cert.pem" >/dev/null || return 1; done
}
all_recorded() {
  local s
  for s in "${SERVICES[@]}"; do recorded_matches_file "$s" || return 1; done
}

@test "reissue gives the service asked for a new key and certificate, recorded; all gives every one" {
  local s before=()
  for s in "${SERVICES[@]}"; do before+=("$(fingerprint_of "$PKI/$s-cert.pem")"); done
  local key_before
  key_before="$(sha256sum <"$PKI/ovnnb-privkey.pem")"
  run movn certificates reissue ovnnb
  assert_success
  assert_output "Local certificates reissued successfully:
ovnnb"
  [[ "$(fingerprint_of "$PKI/ovnnb-cert.pem")" != "${before[1]}" ]] || fail "ovnnb kept its certificate"
  [[ "$(sha256sum <"$PKI/ovnnb-privkey.pem")" != "$key_before" ]] || fail "ovnnb kept its key"
  recorded_matches_file ovnnb || fail "the new ovnnb certificate is not recorded"
  assert_equal "$(fingerprint_of "$PKI/client-cert.pem")" "${before[0]}"
  assert_equal "$(fingerprint_of "$PKI/ovnsb-cert.pem")" "${before[2]}"
  run openssl verify -CAfile "$PKI/cacert.pem" "$PKI/ovnnb-cert.pem"
  assert_success
  assert_equal "$(stat -c %a "$PKI/ovnnb-privkey.pem")" 600
  run movn certificates reissue all
  assert_success
  assert_output "Local certificates reissued successfully:
client
ovnnb
ovnsb
ovn-northd
ovn-controller"
  for s in "${SERVICES[@]}"; do recorded_matches_file "$s" || fail "$s is not recorded"; done
  [[ "$(fingerprint_of "$PKI/client-cert.pem")" != "${before[0]}" ]] || fail "client kept its certificate"
  assert_equal "$(movn events list --type certificate_issued -f json | jq length)" 11
  # Upstream's errors, and nothing recorded for them.
  run --separate-stderr movn certificates reissue ovs
  assert_failure
  assert_equal "$stderr" 'Error: invalid argument "ovs" for "microovn certificates reissue"'
  run api PUT /1.0/certificates/ovs
  assert_line --index 1 404
  assert_regex "$(head -n1 <<<"$output" | jq -r .error)" "^can't issue certificate for service 'ovs', service is not enabled on this member, enabled services: client, ovnnb"
  assert_equal "$(movn events list --type certificate_issued -f json | jq length)" 11
}

@test "regenerate-ca makes a new CA, and every certificate is issued again from it" {
  local old_ca
  old_ca="$(fingerprint_of "$PKI/cacert.pem")"
  cp "$PKI/cacert.pem" "$TEST_TMP/old-ca.pem"
  run movn certificates regenerate-ca
  assert_success
  assert_output "New CA certificate: Issued

Service certificate re-issued for following services:
[Host $MEMBER]
client: Success
ovnnb: Success
ovnsb: Success
ovn-northd: Success
ovn-controller: Success"
  [[ "$(fingerprint_of "$PKI/cacert.pem")" != "$old_ca" ]] || fail "the CA did not change"
  assert_equal "$(movn events list --type ca_generated -f json | jq -r 'last | .event.fingerprint')" \
    "$(fingerprint_of "$PKI/cacert.pem")"
  all_verify || fail "a certificate does not verify against the new CA"
  all_recorded || fail "a certificate is not recorded"
  run openssl verify -CAfile "$TEST_TMP/old-ca.pem" "$PKI/ovnsb-cert.pem"
  assert_failure
  assert_equal "$(movn certificates list -f json | jq .ca.auto_renew)" true
  assert_equal "$(api GET /1.0/ca | head -n1 | jq -c .metadata)" '{"auto_renew":true,"error":""}'
}

@test "set-ca takes an RSA, an EC and an Ed25519 CA; the same CA again is Not Issued" {
  local type n
  for type in rsa ec ed25519; do
    make_ca "$type" "ca-$type"
    run movn certificates set-ca --cert "$TEST_TMP/ca-$type.crt" --key "$TEST_TMP/ca-$type.key"
    assert_success
    assert_line --index 0 "New CA certificate: Issued"
    assert_line "[Host $MEMBER]"
    assert_line "ovn-controller: Success"
    refute_output --partial "Failed!"
    assert_equal "$(fingerprint_of "$PKI/cacert.pem")" "$(fingerprint_of "$TEST_TMP/ca-$type.crt")"
    all_verify || fail "a certificate does not verify against the $type CA"
    all_recorded || fail "a certificate from the $type CA is not recorded"
    assert_equal "$(movn certificates list -f json | jq .ca.auto_renew)" false
  done
  # The same CA again (here on stdin, with the key first and other text around): nothing changes.
  n="$(movn events list -f json | jq length)"
  run movn certificates set-ca --combined < <(printf 'junk\n'; cat "$TEST_TMP/ca-ed25519.key" "$TEST_TMP/ca-ed25519.crt")
  assert_success
  assert_output "New CA certificate: Not Issued

Service certificate re-issued for following services:"
  assert_equal "$(movn events list -f json | jq length)" "$n"
  assert_equal "$(movn events list --type ca_set -f json | jq length)" 3
}

@test "set-ca refuses its flags' misuse, a leaf posing as a CA and a key that is not the CA's, recording nothing" {
  make_ca ec ca-a
  make_ca ec ca-b
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$TEST_TMP/leaf.key" \
    -out "$TEST_TMP/leaf.crt" -days 30 -subj "/CN=leaf" -addext "basicConstraints=critical,CA:FALSE" 2>/dev/null
  local n
  n="$(movn events list -f json | jq length)"
  run --separate-stderr movn certificates set-ca
  assert_failure
  assert_equal "$stderr" "Error: you must use --combined xor (--key and --cert)"
  run --separate-stderr movn certificates set-ca --combined --cert "$TEST_TMP/ca-a.crt"
  assert_equal "$stderr" "Error: you must use --combined xor (--key and --cert)"
  run --separate-stderr movn certificates set-ca --cert "$TEST_TMP/ca-a.crt"
  assert_equal "$stderr" "Error: you must use either both or none of --key and --cert"
  run --separate-stderr movn certificates set-ca --combined < "$TEST_TMP/ca-a.crt"
  assert_equal "$stderr" "Error: failed to parse certificates and keys from stdin: no private key found"
  run --separate-stderr movn certificates set-ca --combined < "$TEST_TMP/ca-a.key"
  assert_equal "$stderr" "Error: failed to parse certificates and keys from stdin: no certificates found"
  run --separate-stderr movn certificates set-ca --cert "$TEST_TMP/nope.crt" --key "$TEST_TMP/ca-a.key"
  assert_failure
  assert_regex "$stderr" "^Error: failed to read certificate file"
  run --separate-stderr movn certificates set-ca --cert "$TEST_TMP/leaf.crt" --key "$TEST_TMP/leaf.key"
  assert_failure
  assert_regex "$stderr" "^Error: command failed: .*not a CA"
  run --separate-stderr movn certificates set-ca --cert "$TEST_TMP/ca-a.crt" --key "$TEST_TMP/ca-b.key"
  assert_failure
  assert_regex "$stderr" "^Error: command failed: "
  # A chain with a leaf in it is refused too.
  run --separate-stderr movn certificates set-ca --combined < <(cat "$TEST_TMP/ca-a.crt" "$TEST_TMP/leaf.crt" "$TEST_TMP/ca-a.key")
  assert_failure
  assert_regex "$stderr" "certificate 2"
  assert_equal "$(movn events list -f json | jq length)" "$n"
  assert_equal "$(movn certificates list -f json | jq .ca.auto_renew)" true
}

@test "no CA key is in the store (WAL included) or the events, in PKCS#8, PKCS#1, SEC1 or raw form" {
  local type
  for type in rsa ec ed25519; do
    make_ca "$type" "ca-$type"
    run movn certificates set-ca --cert "$TEST_TMP/ca-$type.crt" --key "$TEST_TMP/ca-$type.key"
    assert_success
  done
  kill9_daemon
  local files=() f needles=()
  while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$STATE" -type f -print0)
  printf '%s\n' "${files[@]}" | grep -q '\.log$' || fail "no WAL in the scan"
  for type in rsa ec ed25519; do
    openssl pkey -in "$TEST_TMP/ca-$type.pk8" -outform DER >"$TEST_TMP/$type.pk8.der"
    needles+=("$TEST_TMP/$type.pk8.der")
  done
  openssl rsa -traditional -in "$TEST_TMP/ca-rsa.pk8" -outform DER >"$TEST_TMP/rsa.pkcs1.der" 2>/dev/null
  openssl ec -in "$TEST_TMP/ca-ec.pk8" -outform DER >"$TEST_TMP/ec.sec1.der" 2>/dev/null
  # The bare private values: the P-256 scalar and the Ed25519 seed (32 bytes each).
  tail -c +8 "$TEST_TMP/ec.sec1.der" | head -c 32 >"$TEST_TMP/ec.scalar"
  tail -c 32 "$TEST_TMP/ed25519.pk8.der" >"$TEST_TMP/ed25519.seed"
  needles+=("$TEST_TMP/rsa.pkcs1.der" "$TEST_TMP/ec.sec1.der" "$TEST_TMP/ec.scalar" "$TEST_TMP/ed25519.seed")
  # The scanner finds each raw value where it is.
  run python3 "$FIND_BYTES" "$TEST_TMP/ec.scalar" "$TEST_TMP/ec.sec1.der"
  assert_output "1 $TEST_TMP/ec.sec1.der"
  run python3 "$FIND_BYTES" "$TEST_TMP/ed25519.seed" "$TEST_TMP/ed25519.pk8.der"
  assert_output "1 $TEST_TMP/ed25519.pk8.der"
  for f in "${needles[@]}"; do
    run python3 "$FIND_BYTES" "$f" "${files[@]}"
    assert_success
    assert_equal "$(cut -d' ' -f1 <<<"$output" | sort -u) $f" "0 $f"
  done
  for f in "${files[@]}"; do
    [[ "$f" == "$PKI"/* || "$f" == */identity/* ]] && continue
    assert_equal "$(grep -c -a -e 'PRIVATE KEY' "$f" || true) $f" "0 $f"
  done
  start_daemon
  run movn events list -f json
  refute_output --partial "PRIVATE"
  for f in "$TEST_TMP"/daemon-*.log; do assert_equal "$(grep -c -a -e 'PRIVATE' "$f" || true)" 0; done
}

@test "renewal by the daemon's clock: certificates near expiry, then a generated CA near its own" {
  local s before=() old_ca
  for s in "${SERVICES[@]}"; do before+=("$(fingerprint_of "$PKI/$s-cert.pem")"); done
  old_ca="$(fingerprint_of "$PKI/cacert.pem")"
  stop_daemon
  # Two years less five days on: every service certificate is within ten days of its expiry.
  MICROOVND_ARGS="--clock-offset $(((730 - 5) * 86400))" start_daemon
  renewed() {
    local i=0 s
    for s in "${SERVICES[@]}"; do
      [[ "$(fingerprint_of "$PKI/$s-cert.pem")" != "${before[i]}" ]] || return 1
      recorded_matches_file "$s" || return 1
      i=$((i + 1))
    done
  }
  wait_for 30 renewed
  assert_equal "$(fingerprint_of "$PKI/cacert.pem")" "$old_ca"
  assert_equal "$(ca_events)" 1
  run openssl x509 -noout -checkend $(((730 + 700) * 86400)) -in "$PKI/client-cert.pem"
  assert_success
  stop_daemon
  # Ten years less five days on: the generated CA is renewed, and every certificate follows it.
  MICROOVND_ARGS="--clock-offset $(((3650 - 5) * 86400))" start_daemon
  new_ca() {
    [[ "$(ca_events)" == 2 ]] && [[ "$(fingerprint_of "$PKI/cacert.pem")" != "$old_ca" ]] && all_recorded &&
      [[ "$(movn events list --type certificate_issued -f json | jq -r --arg ca "$(fingerprint_of "$PKI/cacert.pem")" \
        '[.[] | select(.event.ca_fingerprint == $ca)] | length')" == 5 ]]
  }
  wait_for 30 new_ca
  assert_equal "$(reconciler ca_renewals)" 1
  assert_equal "$(movn events list -f json | jq -r '[.[] | select(.type == "ca_generated")] | last | .request_id')" \
    "ca-renewal-$old_ca"
  assert_equal "$(movn certificates list -f json | jq .ca.auto_renew)" true
}

@test "an operator's CA near its expiry is not renewed" {
  make_ca ec ca-op 30
  run movn certificates set-ca --cert "$TEST_TMP/ca-op.crt" --key "$TEST_TMP/ca-op.key"
  assert_success
  local n
  n="$(movn events list -f json | jq length)"
  stop_daemon
  MICROOVND_ARGS="--clock-offset $((25 * 86400))" start_daemon
  wait_for 20 grep -q "is not renewed automatically" "$DAEMON_LOG"
  wait_for 20 reconciled_once
  assert_equal "$(ca_events)" 2
  assert_equal "$(movn events list -f json | jq length)" "$n"
  assert_equal "$(fingerprint_of "$PKI/cacert.pem")" "$(fingerprint_of "$TEST_TMP/ca-op.crt")"
}

@test "a member without the cluster key says so in its stats, and reissue says why it cannot" {
  stop_daemon
  rm "$STATE/identity/cluster.key"
  start_daemon
  last_error_names_key() { [[ "$(reconciler last_error)" == *"no cluster key"* ]]; }
  wait_for 20 last_error_names_key
  grep -q "has no cluster key" "$DAEMON_LOG"
  run --separate-stderr movn certificates reissue client
  assert_failure
  assert_regex "$stderr" "^Error: command failed: this member holds no certificates to reissue"
  run --separate-stderr movn certificates regenerate-ca
  assert_failure
  assert_regex "$stderr" "no cluster key"
}
