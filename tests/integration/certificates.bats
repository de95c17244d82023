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
