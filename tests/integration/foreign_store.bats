#!/usr/bin/env bats
# A store copied from another member (another cluster) is refused: the daemon exits with an error
# naming the store, and leaves the state dir as it was.

load helpers

setup() {
  common_setup
  # Each member's state directory has a parent of its own, which holds its data/pki.
  A="$TEST_TMP/a/state"
  B="$TEST_TMP/b/state"
  mkdir -p "$TEST_TMP/a" "$TEST_TMP/b"
  local dir name
  for dir in "$A" "$B"; do
    name="movn-$(basename "$(dirname "$dir")")"
    start_daemon "$dir"
    # Each on its own port: both run at once in the last test.
    MOVN_STATE="$dir" movn cluster bootstrap --name "$name" --address "127.0.0.1:$(free_port)"
    MOVN_STATE="$dir" movn cluster add movn9 >/dev/null
    stop_daemon
  done
  # rm -rf "$A/store", but keep it aside for the last test.
  mv "$A/store" "$TEST_TMP/a-store"
  cp -a "$B/store" "$A/store"
}

# Starts microovnd on A in the foreground; it must exit by itself.
start_on_a() {
  run --separate-stderr timeout 10 "$MICROOVND" --state-dir "$A" --store-compression none
  refute [ "$status" -eq 124 ]  # it must exit on its own, not be stopped by the timeout
}

@test "a foreign store is refused with an error naming the store path" {
  start_on_a
  refute [ "$status" -eq 0 ]
  assert_regex "$stderr" "^Error: "
  assert_regex "$stderr" "$A/store"
  assert_regex "$stderr" 'movn-b'
  [[ ! -S "$A/control.socket" ]] || fail "a socket was left behind"
}

@test "refusing a foreign store modifies no file of the state dir" {
  local before
  before="$(tree_digest "$A")"
  assert_regex "$before" 'daemon\.json'
  assert_regex "$before" 'store/CURRENT'
  assert_regex "$before" 'store/MANIFEST-'
  start_on_a
  refute [ "$status" -eq 0 ]
  assert_equal "$(tree_digest "$A")" "$before"
}

@test "refusing a foreign store twice in a row gives the same answer" {
  start_on_a
  refute [ "$status" -eq 0 ]
  local first="$stderr"
  start_on_a
  refute [ "$status" -eq 0 ]
  assert_equal "$stderr" "$first"
  # The copied store is still B's: B's daemon record matches it.
  assert_regex "$(cat "$B/daemon.json")" 'movn-b'
}

@test "putting the member's own store back makes it start again" {
  start_on_a
  refute [ "$status" -eq 0 ]
  rm -rf "$A/store"
  mv "$TEST_TMP/a-store" "$A/store"
  start_daemon "$A"
  assert_equal "$(MOVN_STATE="$A" movn cluster list -f csv | cut -d, -f1)" movn-a
  assert_equal "$(MOVN_STATE="$A" movn cluster tokens list -f json | jq -c '[.[].name]')" '["movn9"]'
  # And B's own state dir starts on the store A refused.
  start_daemon "$B"
  assert_equal "$(MOVN_STATE="$B" movn cluster list -f csv | cut -d, -f1)" movn-b
  assert_equal "$(MOVN_STATE="$B" movn cluster tokens list -f json | jq -c '[.[].name]')" '["movn9"]'
}
