#!/usr/bin/env bats
# config set|get|delete|list: upstream's output, and invalid input that changes nothing.

load helpers

setup() {
  common_setup
  start_daemon
  bootstrap
}

config_events() { movn events list -f json | jq '[.[] | select(.type | startswith("config_"))] | length'; }

@test "config set, get, delete and list print what upstream prints" {
  run --separate-stderr movn config list
  assert_success
  assert_output "Available options:
ovn.central-ips"

  run --separate-stderr movn config get ovn.central-ips
  assert_success
  assert_output ""

  run --separate-stderr movn config set ovn.central-ips 10.0.0.1,10.0.0.2
  assert_success
  assert_output "Successfully set config option 'ovn.central-ips'"
  assert_equal "$stderr" ""

  run --separate-stderr movn config get ovn.central-ips
  assert_success
  assert_output "10.0.0.1,10.0.0.2"

  run --separate-stderr movn config delete ovn.central-ips
  assert_success
  assert_output "Successfully deleted config option 'ovn.central-ips'"

  run --separate-stderr movn config get ovn.central-ips
  assert_success
  assert_output ""

  assert_equal "$(movn events list -f json | jq -c '[.[] | select(.type | startswith("config_")) | [.type, .event]]')" \
    '[["config_set",{"key":"ovn.central-ips","value":"10.0.0.1,10.0.0.2"}],["config_deleted",{"key":"ovn.central-ips"}]]'
}

@test "config set accepts IPv6 and replaces the old value" {
  movn config set ovn.central-ips 10.0.0.1
  movn config set ovn.central-ips 10.0.0.5,fd00::1
  assert_equal "$(movn config get ovn.central-ips)" "10.0.0.5,fd00::1"
  run api GET /1.0/config/ovn.central-ips
  assert_line --index 1 200
  assert_equal "$(head -n1 <<<"$output" | jq -c .metadata)" '{"value":"10.0.0.5,fd00::1","isSet":true,"error":""}'
}

@test "config set with an invalid value fails and changes nothing" {
  movn config set ovn.central-ips 10.0.0.1 >/dev/null
  local n value
  n="$(config_events)"
  for value in '10.0.0.1,,x' '[::1]' 'not-an-ip' '' '10.0.0.1,' '300.1.1.1'; do
    run --separate-stderr movn config set ovn.central-ips "$value"
    assert_failure 1
    assert_output ""
    assert_regex "$stderr" "^Error: failed to set config option 'ovn.central-ips': "
    assert_equal "$(movn config get ovn.central-ips)" 10.0.0.1
  done
  assert_equal "$(config_events)" "$n"
}

@test "config set, get and delete of an unknown key fail and change nothing" {
  movn config set ovn.central-ips 10.0.0.1 >/dev/null
  local n
  n="$(event_count)"
  run --separate-stderr movn config set ovn.unknown-key 1
  assert_failure 1
  assert_output ""
  assert_regex "$stderr" "^Error: failed to set config option 'ovn.unknown-key': .*unknown"
  run --separate-stderr movn config get ovn.unknown-key
  assert_failure 1
  assert_regex "$stderr" "^Error: failed to get config option 'ovn.unknown-key': "
  run --separate-stderr movn config delete ovn.unknown-key
  assert_failure 1
  assert_regex "$stderr" "^Error: failed to delete config option 'ovn.unknown-key': "
  assert_equal "$(event_count)" "$n"
  assert_equal "$(movn config get ovn.central-ips)" 10.0.0.1
  run movn config list
  assert_output "Available options:
ovn.central-ips"
}

@test "config set with the same --request-id twice is applied once" {
  movn --request-id cfg-retry-1 config set ovn.central-ips 10.0.0.1
  run movn --request-id cfg-retry-1 config set ovn.central-ips 10.0.0.1
  assert_success
  assert_output "Successfully set config option 'ovn.central-ips'"
  assert_equal "$(config_events)" 1
}
