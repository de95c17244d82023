#!/usr/bin/env bats
# enable / disable on the control plane (microovnd --without-ovn): upstream's output, warnings and
# errors, the service events in the log, and nothing recorded for a refused change. The OVN side
# (processes that follow) is tests/system/services.bats.
load helpers

setup() {
  common_setup
  start_daemon
  bootstrap
}

service_events() { movn events list -f json | jq -c '[.[] | select(.type | startswith("service_")) | [.type, .event.service]]'; }

@test "enable and disable print upstream's lines, with the central warnings on stderr" {
  run --separate-stderr movn disable switch
  assert_success
  assert_output "Service switch disabled"
  # One central: critically few. (No timestamp: upstream's Go log prefix is not copied.)
  assert_equal "$stderr" "[central] Warning: OVN Cluster has critically few members"

  run --separate-stderr movn enable switch
  assert_success
  assert_output "Service switch enabled"
  assert_equal "$stderr" "[central] Warning: OVN Cluster has critically few members"

  run --separate-stderr movn -v disable chassis
  assert_success
  assert_output "Service chassis disabled"
  assert_equal "$stderr" "[central] Warning: Cluster with less than 3 nodes can't tolerate any node failures."

  # The bootstrap placed three services; then switch off, on, and chassis off.
  assert_equal "$(service_events)" \
    '[["service_enabled","central"],["service_enabled","chassis"],["service_enabled","switch"],["service_disabled","switch"],["service_enabled","switch"],["service_disabled","chassis"]]'
}

@test "the last central goes only with --allow-disable-last-central, and then no warning is given" {
  local n
  n="$(event_count)"
  run --separate-stderr movn disable central
  assert_failure 1
  assert_equal "$stderr" "Error: failed to disable service 'central': 'cannot disable last central node without explicit confirmation'"
  assert_equal "$(event_count)" "$n"

  run --separate-stderr movn disable central --allow-disable-last-central
  assert_success
  assert_output "Service central disabled"
  assert_equal "$stderr" ""
  assert_equal "$(event_count)" "$((n + 1))"

  run --separate-stderr movn enable central
  assert_success
  assert_output "Service central enabled"
  assert_equal "$stderr" "[central] Warning: OVN Cluster has critically few members"
}

@test "refused changes give upstream's errors and record nothing" {
  local n
  n="$(event_count)"
  run --separate-stderr movn enable switch
  assert_failure 1
  assert_equal "$stderr" "Error: failed to enable service 'switch': 'this service is already enabled'"

  movn disable switch 2>/dev/null
  n="$(event_count)"
  run --separate-stderr movn disable switch
  assert_failure 1
  assert_equal "$stderr" "Error: failed to disable service 'switch': 'this service is not enabled'"

  run --separate-stderr movn enable switchh
  assert_failure 1
  assert_equal "$stderr" 'Error: invalid argument "switchh" for "microovn enable"'

  run --separate-stderr movn enable switch --node nobody
  assert_failure 1
  assert_equal "$stderr" "Error: failed to enable service 'switch': 'no member named \"nobody\"'"

  run --separate-stderr movn enable bgp
  assert_failure 1
  [[ "$stderr" == "Error: failed to enable service 'bgp': "*"not supported"* ]]

  run --separate-stderr movn enable chassis --config vrf=10
  assert_failure 1
  assert_equal "$stderr" "Error: failed to enable service 'chassis': 'service 'chassis' does not accept extra config'"

  assert_equal "$(event_count)" "$n"
}

@test "the API answers upstream's shapes and refuses bad bodies" {
  run api PUT /1.0/service/switch -d '{}'
  assert_line --index 1 409
  run api DELETE /1.0/service/switch -d '{"allowDisableLastCentral":false}'
  assert_line --index 1 200
  assert_equal "$(head -n1 <<<"$output" | jq -c .metadata)" \
    '{"message":"switch disabled","warnings":{"EvenCentral":false,"FewCentral":true}}'
  run api PUT "/1.0/service/switch?target=$MEMBER" -d 'null'
  assert_line --index 1 200
  assert_equal "$(head -n1 <<<"$output" | jq -r .metadata.message)" "switch enabled"

  local n body
  n="$(event_count)"
  for body in '{"allowDisableLastCentral":"yes"}' '[]' '{"x":1}' 'not json'; do
    run api DELETE /1.0/service/chassis -d "$body"
    assert_line --index 1 400
  done
  run api PUT /1.0/service/chassis?node=x -d '{}'
  assert_line --index 1 400
  run api PUT /1.0/service/bogus -d '{}'
  assert_line --index 1 400
  run api POST /1.0/service/switch -d '{}'
  assert_line --index 1 405
  assert_equal "$(event_count)" "$n"
}

@test "the placement survives a restart" {
  movn disable chassis 2>/dev/null
  movn disable switch 2>/dev/null
  local before
  before="$(api GET /1.0/services | head -n1 | jq -c .metadata)"
  stop_daemon
  start_daemon
  assert_equal "$(api GET /1.0/services | head -n1 | jq -c .metadata)" "$before"
  [[ "$before" == *'"central"'* && "$before" != *'"chassis"'* && "$before" != *'"switch"'* ]]
}
