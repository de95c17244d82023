#!/usr/bin/env bats
# Clusters of real microovnd processes on 127.0.0.1, each member with its own state directory
# and port, talking mutual TLS: forming 3- and 5-member clusters through tokens, the same history
# everywhere, removal (follower, leader, a member that is down, with --force) and joining again,
# a restart of every member, bad tokens, a minority partition, and STATUS.
load helpers

# The streaming client of the kill -9 test runs in the background; it is ended by pid.
teardown() {
  if [[ -n "${CLIENT_PID:-}" ]]; then kill "$CLIENT_PID" 2>/dev/null || true; fi
  common_teardown
}

# Member I: name mI, state directory $TEST_TMP/mI/state (its backups go beside it), and a free
# port on 127.0.0.1.
declare -A MADDR MPID MLOG

mdir() { echo "$TEST_TMP/m$1/state"; }

start_member() {
  local i="$1"
  [[ -n "${MADDR[$i]:-}" ]] || MADDR[$i]="127.0.0.1:$(free_port)"
  start_daemon "$(mdir "$i")"
  MPID[$i]=$DAEMON_PID
  MLOG[$i]=$DAEMON_LOG
}

# on I ARGS...: the CLI on member I.
on() {
  local i="$1"
  shift
  MOVN_STATE="$(mdir "$i")" movn "$@"
}

# mapi I METHOD PATH: the metadata of a raw API answer from member I.
mapi() {
  curl -sS --max-time 10 --unix-socket "$(mdir "$1")/control.socket" -X "$2" "http://localhost$3" | jq -c .metadata
}

join_member() {
  local i="$1" via="${2:-1}" token
  token="$(on "$via" cluster add "m$i")"
  on "$i" cluster join "$token" --name "m$i" --address "${MADDR[$i]}"
}

# certificates_recorded I N: member I's history holds N certificate_issued events.
certificates_recorded() { [[ "$(on "$1" events list --type certificate_issued -f json | jq length)" == "$2" ]]; }

# The founder bootstraps, the others join; each joiner then issues its own five service
# certificates, which the formation waits for, so the history is settled.
form_cluster() {
  local n="$1" i
  for ((i = 1; i <= n; i++)); do start_member "$i"; done
  on 1 cluster bootstrap --name m1 --address "${MADDR[1]}"
  for ((i = 2; i <= n; i++)); do join_member "$i"; done
  wait_for 60 certificates_recorded 1 $((5 * n))
}

# wait_for SECONDS CMD...: runs CMD every 0.2 s until it succeeds; fails after SECONDS.
wait_for() {
  local secs="$1" deadline
  shift
  deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      echo "# timed out after ${secs} s waiting for: $*" >&2
      return 1
    fi
    sleep 0.2
  done
}

# The roles in member I's cluster list, counted: "stand-by=2,voter=3".
roles_on() { on "$1" cluster list -f csv | cut -d, -f3 | sort | uniq -c | awk '{print $2 "=" $1}' | paste -sd, -; }
roles_are() { [[ "$(roles_on "$1")" == "$2" ]]; }
# The STATUS column of member NAME in member I's cluster list.
status_on() { on "$1" cluster list -f csv | awk -F, -v n="$2" '$1 == n {print $5}'; }
status_is() { [[ "$(status_on "$1" "$2")" == "$3" ]]; }
all_online_on() { [[ "$(on "$1" cluster list -f csv | cut -d, -f5 | sort -u)" == ONLINE ]]; }
# The index I of the member that leads (by its own account), among the members given.
leader_among() {
  local i
  for i in "$@"; do
    if [[ "$(mapi "$i" GET /1.0/stats | jq -r .raft.state)" == leader ]]; then
      echo "$i"
      return 0
    fi
  done
  return 1
}
has_leader() { leader_among "$@" >/dev/null; }
bootstrapped() { [[ "$(mapi "$1" GET /1.0 | jq -r .bootstrapped)" == "$2" ]]; }
# The history and the projection digests as member I serves them.
history_on() { on "$1" events list -f json | jq -c .; }
digests_on() { mapi "$1" GET /1.0/projections; }
same_history() {
  local first="$1" i
  shift
  for i in "$@"; do [[ "$(history_on "$i")" == "$(history_on "$first")" ]] || return 1; done
}

@test "three members form a cluster through tokens: the same history and cluster list on each" {
  form_cluster 3
  local i
  for i in 1 2 3; do
    wait_for 20 roles_are "$i" voter=3
    wait_for 20 all_online_on "$i"
    assert_equal "$(on "$i" cluster list -f json | jq length)" 3
    assert_equal "$(on "$i" cluster list -f csv | cut -d, -f1,2 | sort | paste -sd' ' -)" \
      "m1,${MADDR[1]} m2,${MADDR[2]} m3,${MADDR[3]}"
  done
  # Each member's fingerprint is its own certificate's.
  for i in 1 2 3; do
    assert_equal "$(on 1 cluster list -f csv | awk -F, -v n="m$i" '$1 == n {print $4}')" "$(cert_fingerprint "$(mdir "$i")")"
  done
  wait_for 10 same_history 1 2 3
  assert_equal "$(history_on 2 | jq '[.[] | select(.type == "member_joined")] | length')" 3
  # A write at a follower is forwarded to the leader and visible everywhere.
  on 3 config set ovn.central-ips 10.0.0.1
  for i in 1 2 3; do assert_equal "$(on "$i" config get ovn.central-ips)" 10.0.0.1; done
  wait_for 10 same_history 1 2 3
  # Another member's service, from a follower: forwarded, and seen everywhere.
  run --separate-stderr on 2 disable central --node m3
  assert_success
  assert_output "Service central disabled"
  assert_equal "$stderr" "[central] Warning: OVN Cluster has even number of members
[central] Warning: OVN Cluster has critically few members"
  for i in 1 2 3; do
    assert_equal "$(mapi "$i" GET /1.0/services | jq -c '[.[] | select(.location == "m3") | .service]')" '["chassis","switch"]'
  done
  run --separate-stderr on 3 enable central
  assert_success
  assert_equal "$stderr" ""
  wait_for 10 same_history 1 2 3
  # Only members' certificates are trusted: the links refused nothing, and none failed to decode.
  for i in 1 2 3; do assert_equal "$(mapi "$i" GET /1.0/stats | jq .peers.bad_frames)" 0; done
  # Every member holds the founder's cluster key (handed over with each admission), mode 0600.
  local key1
  key1="$(sha256sum <"$(mdir 1)/identity/cluster.key" | cut -d' ' -f1)"
  for i in 1 2 3; do
    assert_equal "$(stat -c '%a %s' "$(mdir "$i")/identity/cluster.key")" "600 32"
    assert_equal "$(sha256sum <"$(mdir "$i")/identity/cluster.key" | cut -d' ' -f1)" "$key1"
  done
  # One CA, made by the founder, in the history every member holds, and each member's five
  # service certificates, issued by each member from that CA, on its own disk.
  assert_equal "$(history_on 3 | jq '[.[] | select(.type == "ca_generated")] | length')" 1
  assert_equal "$(history_on 3 | jq -c '[.[] | select(.type == "certificate_issued") | .event.member] | group_by(.) | map([.[0], length])')" \
    '[["m1",5],["m2",5],["m3",5]]'
  local pki
  for i in 1 2 3; do
    pki="$TEST_TMP/m$i/data/pki"
    assert_equal "$(cmp "$pki/cacert.pem" "$TEST_TMP/m1/data/pki/cacert.pem" && echo same)" same
    run openssl verify -CAfile "$pki/cacert.pem" "$pki/ovnsb-cert.pem" "$pki/ovn-controller-cert.pem"
    assert_success
    assert_equal "$(openssl x509 -noout -subject -nameopt sep_comma_plus,sname -in "$pki/client-cert.pem")" "subject=O=MicroOVN,OU=client,CN=m$i"
  done
}

@test "five members: three voters and two stand-bys" {
  form_cluster 5
  local i
  for i in 1 3 5; do wait_for 30 roles_are "$i" stand-by=2,voter=3; done
  wait_for 10 same_history 1 2 3 4 5
  # Placement by `auto`: central on the first three members, chassis and switch on every one.
  for i in 1 4; do
    assert_equal "$(mapi "$i" GET /1.0/services | jq -c '[.[] | select(.service == "central") | .location]')" \
      '["m1","m2","m3"]'
    assert_equal "$(mapi "$i" GET /1.0/services | jq -c '[.[] | select(.service == "chassis") | .location]')" \
      '["m1","m2","m3","m4","m5"]'
    assert_equal "$(mapi "$i" GET /1.0/services | jq -c '[.[] | select(.service == "switch")] | length')" 5
  done
}

@test "bad tokens are refused with a clear error and record nothing" {
  start_member 1
  start_member 2
  on 1 cluster bootstrap --name m1 --address "${MADDR[1]}"
  local before token
  before="$(history_on 1)"

  run on 2 cluster join not-a-token --name m2 --address "${MADDR[2]}"
  assert_failure
  assert_output --partial "join token"

  token="$(on 1 cluster add m2 --timeout 1)"
  sleep 1.5
  run on 2 cluster join "$token" --name m2 --address "${MADDR[2]}"
  assert_failure
  assert_output --partial "has expired"

  token="$(on 1 cluster add m2)"
  on 1 cluster tokens revoke m2
  run on 2 cluster join "$token" --name m2 --address "${MADDR[2]}"
  assert_failure
  assert_output --partial "revoked"

  # A token whose member certificate is not the one at its address: the joiner refuses the link.
  token="$(on 1 cluster add m2)"
  local forged
  forged="$(printf '%s' "$token" | base64 -d | jq -c '.members[0].fingerprint = ("ab" * 32) | .fingerprint = ("ab" * 32)' | base64 -w0)"
  run on 2 cluster join "$forged" --name m2 --address "${MADDR[2]}"
  assert_failure
  assert_output --partial "${MADDR[1]}"
  assert_output --partial "not the pinned one"
  bootstrapped 2 false

  # Nothing from the refused joins is in the log (the token issues and the revoke are).
  assert_equal "$(history_on 1 | jq '[.[] | select(.type == "member_joined")] | length')" 1

  # The right token works once; used again (by another member under that name) it is refused.
  on 2 cluster join "$token" --name m2 --address "${MADDR[2]}"
  start_member 3
  run on 3 cluster join "$token" --name m2 --address "${MADDR[3]}"
  assert_failure
  assert_output --partial "already a member"
  bootstrapped 3 false
  assert_equal "$(history_on 1 | jq '[.[] | select(.type == "member_joined")] | length')" 2
}

@test "remove a follower and then the leader; each returns to uninitialised with a backup, and joins again" {
  form_cluster 3
  wait_for 20 roles_are 1 voter=3
  local old_fp
  old_fp="$(cert_fingerprint "$(mdir 3)")"

  on 1 cluster remove m3
  wait_for 20 bootstrapped 3 false
  pid_alive "${MPID[3]}"                      # the same process, started again
  local backup
  backup="$(ls -d "$TEST_TMP"/m3/backup_*)"
  [[ -f "$backup/state/store/CURRENT" && -f "$backup/state/daemon.json" && -f "$backup/state/identity/server.key" ]]
  # Its certificates went with it.
  [[ -f "$backup/data/pki/ovnnb-privkey.pem" && ! -e "$TEST_TMP/m3/data/pki" ]]
  assert_equal "$(stat -c %a "$backup")" 750
  # Started again on a fresh store, with no record of the cluster.
  [[ ! -e "$(mdir 3)/daemon.json" ]]
  assert_equal "$(on 3 events list -f json | jq length)" 0
  wait_for 10 roles_are 1 voter=2
  assert_equal "$(on 2 cluster list -f json | jq length)" 2
  run on 1 cluster remove m3
  assert_failure
  assert_output --partial 'no member named "m3"'

  # It joins again, with a new identity.
  join_member 3 2
  wait_for 20 roles_are 1 voter=3
  assert_not_equal "$(cert_fingerprint "$(mdir 3)")" "$old_fp"
  wait_for 10 same_history 1 2 3

  # Now the leader.
  local lead rest=()
  lead="$(leader_among 1 2 3)"
  for i in 1 2 3; do [[ "$i" != "$lead" ]] && rest+=("$i"); done
  on "${rest[0]}" cluster remove "m$lead"
  wait_for 20 bootstrapped "$lead" false
  wait_for 20 has_leader "${rest[@]}"
  wait_for 20 roles_are "${rest[0]}" voter=2
  on "${rest[1]}" config set ovn.central-ips 10.0.0.2
  assert_equal "$(on "${rest[0]}" config get ovn.central-ips)" 10.0.0.2
}

@test "a member that is down is removed only with --force, and retires its state when it is back" {
  form_cluster 3
  wait_for 20 roles_are 1 voter=3
  local lead down
  lead="$(leader_among 1 2 3)"
  down=$(( lead == 3 ? 2 : 3 ))
  kill9_daemon "${MPID[$down]}"
  wait_for 20 status_is "$lead" "m$down" UNREACHABLE
  run on "$lead" cluster remove "m$down"
  assert_failure
  assert_output --partial "--force"
  on "$lead" cluster remove --force "m$down"
  wait_for 10 roles_are "$lead" voter=2
  [[ -z "$(ls -d "$TEST_TMP/m$down"/backup_* 2>/dev/null)" ]]
  # Back, it learns that it was removed, moves its state aside and is uninitialised again.
  start_daemon "$(mdir "$down")"
  MPID[$down]=$DAEMON_PID
  wait_for 30 bootstrapped "$down" false
  [[ -f "$(ls -d "$TEST_TMP/m$down"/backup_*)/state/store/CURRENT" ]]
  # The last member cannot be removed.
  local other=$(( lead == 1 ? 2 : 1 ))
  [[ "$other" == "$down" ]] && other=$(( 6 - lead - down ))
  on "$lead" cluster remove "m$other"
  wait_for 20 bootstrapped "$other" false
  run on "$lead" cluster remove "m$lead"
  assert_failure
  assert_output --partial "last member"
}

# member_pki_from_ca I FINGERPRINT: member I's data/pki holds that CA and five certificates that
# verify against it, each recorded in its history.
member_pki_from_ca() {
  local pki="$TEST_TMP/m$1/data/pki" s
  [[ "$(openssl x509 -in "$pki/cacert.pem" -outform DER | sha256sum | cut -d' ' -f1)" == "$2" ]] || return 1
  for s in client ovnnb ovnsb ovn-northd ovn-controller; do
    openssl verify -CAfile "$pki/cacert.pem" "$pki/$s-cert.pem" >/dev/null || return 1
  done
  [[ "$(on "$1" events list --type certificate_issued --member "m$1" -f json |
    jq --arg ca "$2" '[.[] | select(.event.ca_fingerprint == $ca)] | length')" -ge 5 ]]
}
last_ca() { on "$1" events list -f json | jq -r '[.[] | select(.type == "ca_generated")] | last | .event.fingerprint'; }

@test "regenerate-ca reissues on every member, and reports a member that is down" {
  form_cluster 3
  wait_for 20 roles_are 1 voter=3
  local i ca
  run on 2 certificates regenerate-ca
  assert_success
  assert_line --index 0 "New CA certificate: Issued"
  for i in 1 2 3; do
    assert_output --partial "[Host m$i]
client: Success
ovnnb: Success
ovnsb: Success
ovn-northd: Success
ovn-controller: Success"
  done
  refute_output --partial "Errors"
  ca="$(last_ca 2)"
  for i in 1 2 3; do wait_for 20 member_pki_from_ca "$i" "$ca"; done
  # Member 3 is down: the others reissue; it is listed as an error.
  local lead
  lead="$(leader_among 1 2 3)"
  local down=$(( lead == 3 ? 2 : 3 )) asker=$(( lead == 1 ? 1 : lead ))
  [[ "$asker" == "$down" ]] && asker=1
  kill9_daemon "${MPID[$down]}"
  wait_for 20 status_is "$lead" "m$down" UNREACHABLE
  run on "$asker" certificates regenerate-ca
  assert_success
  assert_line --index 0 "New CA certificate: Issued"
  refute_output --partial "[Host m$down]"
  assert_line "[Errors]"
  assert_line "failed to contact cluster member with address \"${MADDR[$down]}\": it is not reachable from the cluster"
  assert_line " Some of the service certificates failed to be re-issued. You can inspect logs and attempt to re-issue these certificates using microovn CLI on affected cluster members."
  ca="$(last_ca "$asker")"
  for i in 1 2 3; do
    [[ "$i" == "$down" ]] && continue
    assert_output --partial "[Host m$i]
client: Success"
    wait_for 20 member_pki_from_ca "$i" "$ca"
  done
  # Back, it catches up and issues its certificates from the new CA.
  start_daemon "$(mdir "$down")"
  MPID[$down]=$DAEMON_PID
  wait_for 30 member_pki_from_ca "$down" "$ca"
  # Removing a member says what to do if it is no longer trusted (stderr; stdout stays empty).
  run --separate-stderr on "$lead" cluster remove "m$down"
  assert_success
  assert_output ""
  assert_regex "$stderr" "regenerate-ca"
}

@test "STATUS is UNREACHABLE for a killed member and ONLINE again after it restarts" {
  form_cluster 3
  wait_for 20 roles_are 1 voter=3
  local lead victim
  lead="$(leader_among 1 2 3)"
  victim=$(( lead == 3 ? 1 : 3 ))
  wait_for 20 all_online_on "$lead"
  kill9_daemon "${MPID[$victim]}"
  local i
  for i in 1 2 3; do
    [[ "$i" == "$victim" ]] && continue
    wait_for 20 status_is "$i" "m$victim" UNREACHABLE
  done
  start_daemon "$(mdir "$victim")"
  MPID[$victim]=$DAEMON_PID
  for i in 1 2 3; do wait_for 20 status_is "$i" "m$victim" ONLINE; done
}

@test "a minority partition: commands fail saying how many members are reachable, and work once quorum is back" {
  form_cluster 3
  wait_for 20 roles_are 1 voter=3
  # Both at once: the leader's role policy demotes a voter it sees offline for a while (leaving
  # two voters, which the message then counts).
  kill -TERM "${MPID[2]}" "${MPID[3]}"
  stop_daemon "${MPID[2]}"
  stop_daemon "${MPID[3]}"
  # Their last frames age out of the 2 s a member counts a voter as reached.
  sleep 2.5
  run on 1 config set ovn.central-ips 10.0.0.9
  assert_failure
  assert_output --regexp "reaches 1 of [23] voters; a quorum is 2"
  start_member 2
  start_member 3
  wait_for 30 on 1 config set ovn.central-ips 10.0.0.9
  assert_equal "$(on 2 config get ovn.central-ips)" 10.0.0.9
}

@test "restarting every member keeps the same history and the same projection digests everywhere" {
  form_cluster 3
  wait_for 20 roles_are 1 voter=3
  on 2 config set ovn.central-ips 10.0.0.3
  wait_for 10 same_history 1 2 3
  local before i
  before="$(history_on 1)"
  for i in 1 2 3; do stop_daemon "${MPID[$i]}"; done
  for i in 1 2 3; do start_member "$i"; done
  wait_for 30 has_leader 1 2 3
  wait_for 20 same_history 1 2 3
  # The restarts add no events (a new leader's no-op is not an event).
  assert_equal "$(history_on 3)" "$before"
  for i in 2 3; do assert_equal "$(digests_on "$i" | jq -c '[.[] | .digest]')" "$(digests_on 1 | jq -c '[.[] | .digest]')"; done
}

@test "SIGTERM of the leader hands leadership to another voter before it stops" {
  form_cluster 3
  wait_for 20 roles_are 1 voter=3
  wait_for 20 all_online_on 1
  local lead rest=() i term new
  lead="$(leader_among 1 2 3)"
  for i in 1 2 3; do [[ "$i" != "$lead" ]] && rest+=("$i"); done
  term="$(mapi "$lead" GET /1.0/stats | jq .raft.term)"
  stop_daemon "${MPID[$lead]}"
  run grep -E "handing leadership to Raft member [0-9]+" "${MLOG[$lead]}"
  assert_success
  # The member it named leads, one term on (one campaign, the transfer's).
  wait_for 10 has_leader "${rest[@]}"
  new="$(leader_among "${rest[@]}")"
  assert_equal "$(mapi "$new" GET /1.0/stats | jq .raft.term)" "$((term + 1))"
  assert_regex "${lines[0]}" "handing leadership to Raft member $(mapi "$new" GET /1.0/stats | jq .raft.id)\$"
  # The two left are a quorum: writes go on, from either of them.
  for i in "${rest[@]}"; do on "$i" config set ovn.central-ips "10.0.0.$i"; done
  assert_equal "$(on "${rest[0]}" config get ovn.central-ips)" "10.0.0.${rest[1]}"
}

lines_at_least() { (($(wc -l <"$1") >= $2)); }

# stream_writes FIRST LAST OUT: config sets FIRST..LAST, each under its own request id, sent to the
# members in turn; a failed attempt is retried with the same request id at the next member (for up
# to 30 s). Each acknowledged request's number is appended to OUT.
stream_writes() {
  local first="$1" last="$2" out="$3" k m deadline
  for ((k = first; k <= last; k++)); do
    m=$((k % 3 + 1))
    deadline=$((SECONDS + 30))
    until MOVN_STATE="$(mdir "$m")" MICROOVN_CALL_TIMEOUT_MS=3000 "$MICROOVN_CLI" --state-dir "$(mdir "$m")" \
      --request-id "stream-$k" config set ovn.central-ips "10.1.$((k / 250)).$((k % 250 + 1))" >/dev/null 2>&1; do
      ((SECONDS < deadline)) || break
      m=$((m % 3 + 1))
      sleep 0.1
    done
    ((SECONDS < deadline)) && echo "$k" >>"$out"
  done
}

@test "kill -9 of the leader while a client writes to every member: a new leader soon, nothing lost, nothing twice" {
  form_cluster 3
  wait_for 20 roles_are 1 voter=3
  local acked="$TEST_TMP/acked" lead rest=() i start elapsed new
  : >"$acked"
  stream_writes 1 60 "$acked" 3>&- &
  CLIENT_PID=$!
  wait_for 30 lines_at_least "$acked" 15
  lead="$(leader_among 1 2 3)"
  for i in 1 2 3; do [[ "$i" != "$lead" ]] && rest+=("$i"); done
  start=$(date +%s%N)
  kill9_daemon "${MPID[$lead]}"
  wait_for 20 has_leader "${rest[@]}"
  elapsed=$((($(date +%s%N) - start) / 1000000))
  new="$(leader_among "${rest[@]}")"
  echo "# new leader m$new after ${elapsed} ms" >&3
  # Three election timeouts at their longest (a randomized timeout is 1-2 s).
  ((elapsed < 6000))
  wait "$CLIENT_PID"
  CLIENT_PID=
  start_daemon "$(mdir "$lead")"
  MPID[$lead]=$DAEMON_PID
  wait_for 30 same_history 1 2 3
  # Every acknowledged request is in the log exactly once, and none is there twice.
  local history k n
  history="$(history_on 1)"
  assert_equal "$(jq '[.[] | select(.request_id | startswith("stream-")) | .request_id] | length' <<<"$history")" \
    "$(jq '[.[] | select(.request_id | startswith("stream-")) | .request_id] | unique | length' <<<"$history")"
  while read -r k; do
    n="$(jq --arg id "stream-$k" '[.[] | select(.request_id == $id)] | length' <<<"$history")"
    [[ "$n" == 1 ]] || fail "acknowledged request stream-$k is in the log $n times"
  done <"$acked"
  (($(wc -l <"$acked") >= 55))
}

# frame_of FILE: the peer frame of a message body (4-byte little-endian length, then the body).
frame_of() { python3 -c 'import sys, struct; b = open(sys.argv[1], "rb").read(); sys.stdout.buffer.write(struct.pack("<I", len(b)) + b)' "$1"; }
refused_links() { mapi "$1" GET /1.0/stats | jq .peers.refused_links; }
refused_above() { (($(refused_links "$1") > $2)); }

@test "the peer port refuses a client without a certificate, a self-made certificate and a removed member's" {
  form_cluster 3
  wait_for 20 roles_are 1 voter=3
  on 1 cluster remove m2
  wait_for 20 bootstrapped 2 false
  local old n
  old="$(ls -d "$TEST_TMP"/m2/backup_*)/state/identity"
  # A removal notice for m3 (Raft id 3): accepted, it would make m3 leave.
  frame_of "$MICROOVN_FUZZ_DIR/corpus/peer_frame/removal.bin" >"$TEST_TMP/removal.frame"

  n="$(refused_links 3)"
  timeout 10 openssl s_client -connect "${MADDR[3]}" -brief </dev/null >/dev/null 2>&1 || true
  wait_for 10 refused_above 3 "$n"

  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -days 1 -subj /CN=m9 \
    -keyout "$TEST_TMP/self.key" -out "$TEST_TMP/self.crt" 2>/dev/null
  n="$(refused_links 3)"
  timeout 10 openssl s_client -connect "${MADDR[3]}" -cert "$TEST_TMP/self.crt" -key "$TEST_TMP/self.key" \
    -quiet <"$TEST_TMP/removal.frame" >/dev/null 2>&1 || true
  wait_for 10 refused_above 3 "$n"

  n="$(refused_links 3)"
  timeout 10 openssl s_client -connect "${MADDR[3]}" -cert "$old/server.crt" -key "$old/server.key" \
    -quiet <"$TEST_TMP/removal.frame" >/dev/null 2>&1 || true
  wait_for 10 refused_above 3 "$n"

  # m3 is still a member, and the cluster still works.
  bootstrapped 3 true
  on 3 config set ovn.central-ips 10.0.0.4
  assert_equal "$(on 1 config get ovn.central-ips)" 10.0.0.4
}
