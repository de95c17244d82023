#!/usr/bin/env bats
# enable / disable with real OVN/OVS (docs/adr/0017): each test host a network namespace. A
# central disabled on one of three leaves NB and SB and sets its databases aside, and joins again
# when enabled (and a northd adopted by a new microovnd follows the change); a chassis disabled leaves SB; the last central, disabled with confirmation and
# enabled again, founds new clusters that the chassis registers with; with no central left, the
# first of two centrals enabled at once founds and the other joins (central_ready); every member
# reports the schema versions it expects.
load helpers

nb_cid() { appctl "$1" ovnnb_db.ctl cluster/cid OVN_Northbound; }
stopped() { [[ "$(process "$1" "$2" state)" == stopped ]]; }
centrals_in_env() { in_host "$1" grep -qx "OVN_NB_CONNECT=\"$2\"" /var/lib/microovn/data/env/ovn.env; }

@test "central disabled on one of three leaves NB and SB, sets its databases aside, and joins again when enabled" {
  local i
  ovn_cluster 3
  nbctl 1 ls-add before
  # h1's microovnd is down while the centrals change: its successor finds northd running with the
  # old ones, and restarts it. (Three voters first, so that two make a quorum.)
  three_voters() { [[ "$(on_host 1 cluster list -f csv | cut -d, -f3 | grep -c voter)" == 3 ]]; }
  wait_for 30 three_voters
  kill -KILL "${HOST_PID[1]}"
  wait "${HOST_PID[1]}" 2>/dev/null || true
  wait_for 30 on_host 3 cluster list
  run --separate-stderr on_host 3 disable central
  assert_success
  assert_output "Service central disabled"
  assert_equal "$stderr" "[central] Warning: OVN Cluster has even number of members
[central] Warning: OVN Cluster has critically few members"
  # The answer came once h3's processes had followed: its servers and northd are stopped already.
  for p in ovsdb-server-nb ovsdb-server-sb ovn-northd; do
    stopped 3 "$p" || fail "$p still runs on h3 after disable central: $(process 3 "$p" state)"
  done
  for i in 1 2; do wait_for 60 db_servers "$i" 2; done
  local northd
  northd="$(in_host 1 cat /var/lib/microovn/run/supervisor/ovn-northd.pid | sed -n 's/^pid=//p')"
  [[ "$(tr '\0' ' ' </proc/"$northd"/cmdline)" == *192.0.2.13* ]] || fail "northd on h1 did not name h3"
  start_host 1
  northd_without_h3() { [[ "$(process 1 ovn-northd pid)" != "$northd" && "$(tr '\0' ' ' </proc/"$(process 1 ovn-northd pid)"/cmdline)" != *192.0.2.13* ]]; }
  wait_for 30 northd_without_h3
  run in_host 3 sh -c 'ls /var/lib/microovn/data/central/db/'
  assert_line --regexp '^ovnnb_db_backup_[0-9]{14}\.db$'
  assert_line --regexp '^ovnsb_db_backup_[0-9]{14}\.db$'
  refute_line ovnnb_db.db
  # h3 is still a chassis, pointed at the two centrals that stay.
  wait_for 30 centrals_in_env 3 "ssl:192.0.2.11:6641,ssl:192.0.2.12:6641"
  assert_equal "$(vsctl 3 get Open_vSwitch . external_ids:ovn-remote)" '"ssl:192.0.2.11:6642,ssl:192.0.2.12:6642"'
  assert_equal "$(sbctl 1 --bare --columns=hostname list Chassis | grep . | sort | paste -sd' ' -)" "h1 h2 h3"
  nbctl 3 ls-add while-two

  # Enabled again: a fresh database that joins the two centrals, with everything written meanwhile.
  run --separate-stderr on_host 3 enable central
  assert_success
  assert_output "Service central enabled"
  assert_equal "$stderr" ""
  for i in 1 2 3; do wait_for 60 db_servers "$i" 3; done
  assert_equal "$(appctl 3 ovnnb_db.ctl cluster/cid OVN_Northbound)" "$(nb_cid 1)"
  local local_nb="unix:/var/lib/microovn/run/ovn/ovnnb_db.sock"
  has_both() { [[ "$(in_host 3 ovn-nbctl --db="$local_nb" --no-leader-only --bare --columns=name list Logical_Switch | grep . | sort | paste -sd' ' -)" == "before while-two" ]]; }
  wait_for 30 has_both
  wait_for 30 centrals_in_env 1 "ssl:192.0.2.11:6641,ssl:192.0.2.12:6641,ssl:192.0.2.13:6641"
}

@test "chassis disabled leaves SB and its ovn-controller stops; switch disabled stops Open vSwitch; enabled again, it registers" {
  ovn_cluster 2
  run --separate-stderr on_host 2 disable chassis
  assert_success
  assert_output "Service chassis disabled"
  stopped 2 ovn-controller || fail "ovn-controller still runs on h2"
  wait_for 30 chassis_count 1 1
  assert_equal "$(sbctl 1 --bare --columns=hostname list Chassis)" h1
  # The switch stays; disabled, ovs-vswitchd exits (exit --cleanup) and the local database stops.
  running 2 ovs-vswitchd
  run on_host 2 disable switch
  assert_success
  stopped 2 ovs-vswitchd
  stopped 2 ovsdb-server-switch
  run on_host 2 enable switch
  assert_success
  run on_host 2 enable chassis
  assert_success
  wait_for 30 chassis_count 1 2
  running 2 ovn-controller
  running 2 ovs-vswitchd
}

@test "the last central, disabled with confirmation and enabled again, founds new clusters; the chassis registers again" {
  ovn_cluster 1
  nbctl 1 ls-add gone-with-it
  local cid
  cid="$(nb_cid 1)"
  run --separate-stderr on_host 1 disable central
  assert_failure 1
  assert_equal "$stderr" "Error: failed to disable service 'central': 'cannot disable last central node without explicit confirmation'"
  running 1 ovsdb-server-nb

  run --separate-stderr on_host 1 disable central --allow-disable-last-central
  assert_success
  assert_equal "$stderr" ""
  stopped 1 ovsdb-server-nb
  stopped 1 ovn-northd
  # No central: ovn-controller keeps running, with no ovn-remote.
  run vsctl 1 get Open_vSwitch . external_ids:ovn-remote
  assert_failure

  run on_host 1 enable central
  assert_success
  wait_for 30 all_running 1
  [[ "$(nb_cid 1)" != "$cid" ]] || fail "NB kept its cluster id $cid"
  assert_equal "$(nbctl 1 --bare --columns=name list Logical_Switch)" ""
  # The controller forgot the old SB cluster and registered with the new one.
  wait_for 30 chassis_count 1 1
  assert_equal "$(sbctl 1 --bare --columns=hostname list Chassis)" h1
  run on_host 1 status
  assert_line "OVN Northbound: OK ($(ovsdb-tool schema-version /usr/share/ovn/ovn-nb.ovsschema))"
}

@test "every member reports the schema versions it expects, and status shows them all" {
  ovn_cluster 2
  local nb sb
  nb="$(ovsdb-tool schema-version /usr/share/ovn/ovn-nb.ovsschema)"
  sb="$(ovsdb-tool schema-version /usr/share/ovn/ovn-sb.ovsschema)"
  reported() { [[ "$(on_host 1 events list --type schema_version_reported -f json | jq -c '[.[].event.member] | sort')" == '["h1","h2"]' ]]; }
  wait_for 30 reported
  assert_equal "$(on_host 2 events list --type schema_version_reported -f json | jq -c '[.[].event | [.nb, .sb]] | unique')" \
    "[[\"$nb\",\"$sb\"]]"
  run on_host 2 status
  assert_success
  assert_line "OVN Northbound: OK ($nb)"
  assert_line "OVN Southbound: OK ($sb)"
  # The cluster report lists both members for NB and for SB.
  local answer
  answer="$(in_host 2 curl -sS --max-time 10 --unix-socket /var/lib/microovn/state/control.socket http://localhost/1.0/status | jq -c .metadata.databases)"
  assert_equal "$(jq -c '[.[] | .expected | map(.member)]' <<<"$answer")" '[["h1","h2"],["h1","h2"]]'
}

@test "with no central left, central enabled on two members at once: the first founds the clusters, the other joins it" {
  local i
  ovn_cluster 2
  on_host 1 disable central --node h2 2>/dev/null
  on_host 1 disable central --allow-disable-last-central 2>/dev/null
  # Both at once: neither finds a ready central; h1, the first in join order, founds.
  on_host 2 enable central >"$SYS_BASE/enable-h2.out" 2>&1 3>&- &
  local other=$!
  run on_host 1 enable central
  assert_success
  wait "$other" || fail "enable central on h2 failed: $(cat "$SYS_BASE/enable-h2.out")"
  for i in 1 2; do wait_for 60 db_servers "$i" 2; done
  assert_equal "$(appctl 2 ovnnb_db.ctl cluster/cid OVN_Northbound)" "$(nb_cid 1)"
  # Each central recorded its clusters: twice each (before and after), the last ones the same.
  both_ready() { [[ "$(on_host 1 events list --type central_ready -f json | jq -c '[.[-2:][] | .event.member] | sort')" == '["h1","h2"]' ]]; }
  wait_for 30 both_ready
  assert_equal "$(on_host 1 events list --type central_ready -f json | jq -c '[.[-2:][] | .event.nb_cluster_id] | unique | length')" 1
  assert_equal "$(on_host 1 events list --type central_ready -f json | jq -r '.[-1].event.nb_cluster_id')" "$(nb_cid 1)"
  nbctl 2 ls-add works
  wait_for 30 chassis_count 1 2
}
