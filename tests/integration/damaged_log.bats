#!/usr/bin/env bats
# A committed log entry that does not decode (the fuzzing audit's reproducers, appended as a
# damaged disk or a faulty peer could leave them) stops microovnd at start with an error naming
# the store and the entry: no crash (SIGSEGV), no wedge (503 forever), no abort on --rebuild,
# and nothing in the store changes.

load helpers

setup() {
  common_setup
  start_daemon
  bootstrap
  movn config set ovn.central-ips 10.0.0.1 >/dev/null
  stop_daemon
}

# Starts microovnd in the foreground; it must exit by itself.
start_foreground() {
  run --separate-stderr timeout 20 "$MICROOVND" --state-dir "$STATE" --store-compression none "$@"
  refute [ "$status" -eq 124 ]  # it must exit on its own, not be stopped by the timeout
}

check_refused() { # reproducer-file what-the-error-says
  local index before
  index="$("$MICROOVN_BIN_DIR/microovn-store-append" "$STATE/store" "$MICROOVN_FUZZ_DIR/regressions/event_batch/$1")"
  before="$("$STORE_DUMP" "$STATE/store" 2>&1)" && fail "the dump decoded the damaged entry"
  grep -q "^$index " <<<"$before" || fail "entry $index is not in the store: $before"
  for flags in "" "--rebuild"; do
    # shellcheck disable=SC2086
    start_foreground $flags
    assert_equal "$status" 1  # an error exit: not 139 (SIGSEGV) or 134 (abort)
    assert_regex "$stderr" "Error: .*$STATE/store.*entry $index"
    assert_regex "$stderr" "$2"
    [[ ! -S "$STATE/control.socket" ]] || fail "a socket was left behind"
  done
  # microovn-store-dump names the entry too, and every entry, the damaged one included, is
  # still there byte for byte: nothing was dropped or rewritten.
  run "$STORE_DUMP" "$STATE/store"
  assert_equal "$status" 1
  assert_output --partial "entry $index"
  assert_equal "$output" "$before"
}

@test "an event whose union has no value is refused, naming the entry" {
  check_refused null_union.bin "has no value"
}

@test "text that is not UTF-8 is refused, naming the entry and the field" {
  check_refused bad_utf8_config.bin "field value is not valid UTF-8"
}
