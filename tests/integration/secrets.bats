#!/usr/bin/env bats
# Join-token secrets never reach the disk: not in the log entries (read back through the Store
# API by microovn-store-dump), not in any file of the state dir (SST tables, WAL, MANIFEST, ...),
# neither as hex text nor as raw bytes. Only their SHA-256 is logged.
# Store compression is off (helpers.bash starts every daemon with --store-compression none), so a
# secret written to an SST file would be visible to the scan.

load helpers

setup() {
  common_setup
  [[ -x "$STORE_DUMP" ]] || fail "missing $STORE_DUMP (build the microovn-store-dump target)"
  start_daemon
  bootstrap
  # Token 1, then a clean stop: SIGTERM flushes the memtables into SST files.
  TOKEN1="$(movn cluster add movn2)"
  stop_daemon
  start_daemon
  # Token 2, then a crash: its entry stays in the WAL only.
  TOKEN2="$(movn cluster add movn3)"
  kill9_daemon
  SECRET1="$(token_secret "$TOKEN1")"
  SECRET2="$(token_secret "$TOKEN2")"
  [[ "$SECRET1" =~ ^[0-9a-f]{64}$ && "$SECRET2" =~ ^[0-9a-f]{64}$ ]] || fail "bad secrets: $SECRET1 $SECRET2"
  [[ "$SECRET1" != "$SECRET2" ]] || fail "two tokens with the same secret"
  SHA1="$(printf %s "$SECRET1" | sha256sum | cut -d' ' -f1)"
  SHA2="$(printf %s "$SECRET2" | sha256sum | cut -d' ' -f1)"
}

# ascii_hex TEXT: the hex of TEXT's bytes, as the store dump prints entry data.
ascii_hex() { printf %s "$1" | xxd -p | tr -d '\n'; }

@test "the store has SST files and a non-empty WAL (the scans below cover both)" {
  local ssts logs
  ssts="$(find "$STATE/store" -name '*.sst' | wc -l)"
  [[ "$ssts" -ge 1 ]] || fail "no .sst file in $STATE/store: $(ls -l "$STATE/store")"
  logs="$(find "$STATE/store" -name '*.log' -size +0 | wc -l)"
  [[ "$logs" -ge 1 ]] || fail "no non-empty WAL .log in $STATE/store: $(ls -l "$STATE/store")"
  # The scanner finds raw bytes in both: token 1's SHA-256 was flushed into an SST file, token
  # 2's is only in the WAL.
  printf %s "$SHA1" | xxd -r -p >"$TEST_TMP/sha1.bin"
  printf %s "$SHA2" | xxd -r -p >"$TEST_TMP/sha2.bin"
  assert_equal "$(stat -c %s "$TEST_TMP/sha1.bin")" 32
  run python3 "$FIND_BYTES" "$TEST_TMP/sha1.bin" "$STATE"/store/*.sst
  assert_success
  assert_output --regexp '(^|'$'\n'')[1-9][0-9]* [^'$'\n'']*\.sst'
  run python3 "$FIND_BYTES" "$TEST_TMP/sha2.bin" "$STATE"/store/*.log
  assert_success
  assert_output --regexp '(^|'$'\n'')[1-9][0-9]* [^'$'\n'']*\.log'
}

@test "microovn-store-dump reads every entry, and no entry holds a secret" {
  local before
  before="$(tree_digest "$STATE/store")"
  run --separate-stderr "$STORE_DUMP" "$STATE/store"
  assert_success
  assert_equal "$stderr" ""
  # Entries: 1 (the first leader's no-op, type 2, no data), 2 (bootstrap), 3 (token 1), 4 (the
  # no-op of the restart's term) and 5 (token 2); event batches (type 1) have their decoded events
  # on the next line.
  assert_equal "$(grep -cE '^[0-9]+ [0-9]+ [0-9]+ [0-9a-f]*$' <<<"$output")" 5
  assert_line --index 0 --regexp '^1 1 2 $'
  assert_line --index 1 --regexp '^2 1 1 [0-9a-f]+$'
  assert_line --index 3 --regexp '^3 1 1 [0-9a-f]+$'
  assert_line --index 5 --regexp '^4 2 2 $'
  assert_line --index 6 --regexp '^5 2 1 [0-9a-f]+$'
  assert_equal "$(sed -n 3p <<<"$output" | jq -c '[.events[].type]')" '["cluster_bootstrapped","member_joined","ca_generated","certificate_issued","certificate_issued","certificate_issued","certificate_issued","certificate_issued","service_enabled","service_enabled","service_enabled"]'
  assert_equal "$(sed -n 5p <<<"$output" | jq -r '.events[0].event.secret_sha256')" "$SHA1"
  assert_equal "$(sed -n 8p <<<"$output" | jq -r '.events[0].event.secret_sha256')" "$SHA2"
  # The hash is in the entry bytes (so the hex would show a secret too) ...
  assert_regex "$(sed -n 4p <<<"$output")" "$SHA1"
  assert_regex "$(sed -n 7p <<<"$output")" "$SHA2"
  # ... and the secrets are not: neither as text nor as raw bytes.
  local s
  for s in "$SECRET1" "$SECRET2"; do
    refute_output --partial "$s"
    refute_output --partial "${s^^}"
    refute_output --partial "$(ascii_hex "$s")"
  done
  # Reading is read-only.
  assert_equal "$(tree_digest "$STATE/store")" "$before"
}

@test "no file of the state dir holds a secret, as hex text or as raw bytes" {
  local files=() f s i
  while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$STATE" -type f -print0)
  [[ "${#files[@]}" -ge 8 ]] || fail "too few files: ${files[*]}"
  # Every kind of store file is covered.
  printf '%s\n' "${files[@]}" | grep -q '/store/MANIFEST-' || fail "no MANIFEST"
  printf '%s\n' "${files[@]}" | grep -q '/store/CURRENT$' || fail "no CURRENT"
  printf '%s\n' "${files[@]}" | grep -q '\.sst$' || fail "no .sst"
  printf '%s\n' "${files[@]}" | grep -q '\.log$' || fail "no .log"
  for s in "$SECRET1" "$SECRET2"; do
    for f in "${files[@]}"; do
      assert_equal "$(grep -c -a -F -i -- "$s" "$f" || true) $f" "0 $f"
      assert_equal "$(grep -c -a -F -- "$(ascii_hex "$s")" "$f" || true) $f" "0 $f"
    done
  done
  i=0
  for s in "$SECRET1" "$SECRET2"; do
    i=$((i + 1))
    printf %s "$s" | xxd -r -p >"$TEST_TMP/secret$i.bin"
    assert_equal "$(stat -c %s "$TEST_TMP/secret$i.bin")" 32
    run python3 "$FIND_BYTES" "$TEST_TMP/secret$i.bin" "${files[@]}"
    assert_success
    assert_equal "${#lines[@]}" "${#files[@]}"
    refute_output --regexp '(^|'$'\n'')[1-9]'
  done
  # Nor do the daemon logs.
  for f in "$TEST_TMP"/daemon-*.log; do
    run grep -c -a -F -e "$SECRET1" -e "$SECRET2" "$f"
    assert_output 0
  done
}

@test "the log records the SHA-256 of each secret" {
  start_daemon
  local out
  out="$(movn events list --type join_token_issued -f json)"
  assert_equal "$(jq -c '[.[] | [.event.name, .event.secret_sha256]]' <<<"$out")" \
    "[[\"movn2\",\"$SHA1\"],[\"movn3\",\"$SHA2\"]]"
  run movn events list -f json
  assert_output --partial "$SHA1"
  assert_output --partial "$SHA2"
  refute_output --partial "$SECRET1"
  refute_output --partial "$SECRET2"
  # The tokens survived the crash; the dump works while the daemon runs.
  assert_equal "$(movn cluster tokens list -f json | jq -c '[.[].name]')" '["movn2","movn3"]'
  run --separate-stderr "$STORE_DUMP" "$STATE/store"
  assert_success
  # Five entries, and the no-op of this start's term.
  assert_equal "$(grep -cE '^[0-9]+ [0-9]+ [0-9]+ [0-9a-f]*$' <<<"$output")" 6
  movn cluster add movn4 >/dev/null
  run --separate-stderr "$STORE_DUMP" "$STATE/store"
  assert_success
  assert_equal "$(grep -cE '^[0-9]+ [0-9]+ [0-9]+ [0-9a-f]*$' <<<"$output")" 7
  pid_alive "$DAEMON_PID"
}

@test "microovn-store-dump fails with an error on a missing or non-store directory" {
  run --separate-stderr "$STORE_DUMP" "$TEST_TMP/nope"
  assert_failure 1
  assert_regex "$stderr" "^Error: .*$TEST_TMP/nope"
  run --separate-stderr "$STORE_DUMP" "$STATE/identity"
  assert_failure 1
  assert_regex "$stderr" '^Error: '
  run --separate-stderr "$STORE_DUMP"
  assert_failure 1
  assert_regex "$stderr" '^Error: usage'
}
