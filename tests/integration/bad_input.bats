#!/usr/bin/env bats
# Bad input on the CLI and on the raw socket: clear errors, no usage text, nothing changes, and
# the daemon keeps serving.

load helpers

setup() {
  common_setup
  start_daemon
  bootstrap
  movn cluster add movn2 >/dev/null
}

# run_bad ARGS...: the CLI must fail with exit 1, print nothing on stdout and exactly one
# "Error: ..." line (no usage text) on stderr.
run_bad() {
  run --separate-stderr movn "$@"
  assert_failure 1
  assert_output ""
  assert_equal "${#stderr_lines[@]}" 1
  assert_regex "$stderr" '^Error: .+'
  refute_regex "$stderr" '[Uu]sage|OPTIONS|SUBCOMMANDS|--help'
}

@test "missing arguments, extra arguments and unknown flags fail without usage text" {
  local n
  n="$(event_count)"
  run_bad cluster add
  run_bad config set ovn.central-ips
  run_bad config set
  run_bad config get
  run_bad cluster tokens revoke
  run_bad cluster list extra
  run_bad cluster add movn3 movn4
  run_bad config get ovn.central-ips extra
  run_bad cluster bootstrap extra
  run_bad cluster list --bogus
  run_bad --bogus cluster list
  run_bad cluster add movn3 --timeout
  run_bad cluster list -f
  run_bad nosuchcommand
  run_bad cluster nosuchcommand
  run_bad --request-id 'bad id!' cluster add movn3
  assert_equal "$(event_count)" "$n"
  assert_equal "$(movn cluster tokens list -f json | jq -c '[.[].name]')" '["movn2"]'
}

@test "--help prints usage and exits 0; a group without a subcommand prints its help" {
  run --separate-stderr movn --help
  assert_success
  assert_output --partial cluster
  run --separate-stderr movn cluster
  assert_success
  assert_output --partial bootstrap
}

@test "a second bootstrap fails and changes nothing" {
  local n list
  n="$(event_count)"
  list="$(movn cluster list -f csv)"
  run_bad cluster bootstrap --name movn9 --address 127.0.0.1
  assert_regex "$stderr" 'already'
  run_bad cluster bootstrap
  assert_equal "$(event_count)" "$n"
  assert_equal "$(movn cluster list -f csv)" "$list"
  assert_regex "$(openssl x509 -in "$STATE/identity/server.crt" -noout -subject)" "CN ?= ?$MEMBER\$"
}

@test "the CLI without a daemon fails with a clear error" {
  MOVN_STATE="$TEST_TMP/nowhere" run_bad cluster list
  assert_regex "$stderr" 'microovnd'
}

# assert_error_envelope STATUS: $output is "<body>\n<status>" from api().
assert_error_envelope() {
  local status="$1" body
  assert_line --index 1 "$status"
  body="$(head -n1 <<<"$output")"
  assert_equal "$(jq -r .type <<<"$body")" error
  assert_equal "$(jq -r .error_code <<<"$body")" "$status"
  assert_equal "$(jq -r '.error | length > 0' <<<"$body")" true
  assert_equal "$(jq -c .metadata <<<"$body")" null
}

@test "raw requests: bad JSON, huge bodies, wrong methods, unknown paths get errors and change nothing" {
  local n digests
  n="$(event_count)"
  digests="$(api GET /1.0/projections | head -n1)"

  run api POST /1.0/tokens -d '{garbage'
  assert_error_envelope 400
  run api POST /1.0/tokens -d '["movn3"]'
  assert_error_envelope 400
  run api POST /1.0/tokens -d '{"name": 7}'
  assert_error_envelope 400
  run api POST /1.0/tokens -d '{"name": "movn3", "bogus": 1}'
  assert_error_envelope 400
  run api POST /1.0/tokens -d '{"name": "movn3", "expire_after_seconds": "10"}'
  assert_error_envelope 400
  run api PUT /1.0/config/ovn.central-ips -d '{"value": ["10.0.0.1"]}'
  assert_error_envelope 400
  run api POST /1.0/cluster/bootstrap -d 'null'
  assert_error_envelope 400

  # A 2 MiB body (over the 1 MiB limit) is refused.
  python3 -c 'import sys; sys.stdout.write("{\"name\":\"" + "a" * (2 << 20) + "\"}")' >"$TEST_TMP/big.json"
  run api POST /1.0/tokens --data-binary @"$TEST_TMP/big.json"
  assert_error_envelope 413

  # Wrong methods.
  run api DELETE /1.0/cluster
  assert_line --index 1 --regexp '^4[0-9][0-9]$'
  assert_equal "$(head -n1 <<<"$output" | jq -r .type)" error
  run api PUT /1.0/events
  assert_line --index 1 --regexp '^4[0-9][0-9]$'
  run api GET /1.0/cluster/bootstrap
  assert_line --index 1 --regexp '^4[0-9][0-9]$'
  run api POST /1.0/ready
  assert_line --index 1 --regexp '^4[0-9][0-9]$'

  # Unknown paths.
  run api GET /1.0/nope
  assert_error_envelope 404
  run api GET /2.0/cluster
  assert_error_envelope 404
  run api DELETE /1.0/tokens/nobody
  assert_error_envelope 404

  # A bad request id header.
  run api POST /1.0/tokens -H 'X-Request-Id: bad id!' -d '{"name":"movn3"}'
  assert_error_envelope 400
  # Two request ids: which one is meant is unknown, so neither is used.
  run api POST /1.0/tokens -H 'X-Request-Id: first' -H 'X-Request-Id: second' -d '{"name":"movn3"}'
  assert_error_envelope 400
  assert_output --partial 'X-Request-Id is given 2 times'
  # A repeated query parameter, and a body nested past any use.
  run api GET '/1.0/events?since=1&since=2'
  assert_error_envelope 400
  run api PUT /1.0/config/ovn.central-ips -d "$(printf '%.0s[' {1..5000})"
  assert_error_envelope 400

  assert_equal "$(event_count)" "$n"
  assert_equal "$(api GET /1.0/projections | head -n1)" "$digests"
  assert_equal "$(movn cluster tokens list -f json | jq -c '[.[].name]')" '["movn2"]'
}

# raw_http BYTES: sends BYTES (printf format) on the control socket, prints the answer.
raw_http() {
  python3 - "$STATE/control.socket" "$1" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
data = b""
while True:
    try:
        chunk = s.recv(65536)
    except socket.timeout:
        print("TIMEOUT")
        break
    except ConnectionResetError:
        break
    if not chunk:
        break
    data += chunk
sys.stdout.write(data.decode("latin-1"))
EOF
}

@test "malformed HTTP gets a 400 and the daemon keeps serving" {
  local n req
  n="$(event_count)"
  for req in 'garbage\r\n\r\n' 'GET\r\n\r\n' 'GET /1.0 HTTP/9.9\r\n\r\n' \
    'POST /1.0/tokens HTTP/1.1\r\nContent-Length: abc\r\n\r\n' \
    'GET /1.0 HTTP/1.1\r\nno colon here\r\n\r\n'; do
    run raw_http "$req"
    assert_success
    refute_output --partial TIMEOUT
    assert_line --index 0 --regexp '^HTTP/1\.[01] 4[0-9][0-9] '
  done
  run raw_http 'garbage\r\n\r\n'
  assert_line --index 0 --regexp '^HTTP/1\.1 400 '
  assert_output --partial '"type":"error"'

  # A client that connects and closes, or sends half a request and closes.
  python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.close()' "$STATE/control.socket"
  python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"POST /1.0/tokens HTTP/1.1\r\nContent-Length: 100\r\n\r\n{"); s.close()' "$STATE/control.socket"

  pid_alive "$DAEMON_PID"
  run movn cluster list -f csv
  assert_success
  assert_output --regexp "^$MEMBER,"
  assert_equal "$(event_count)" "$n"
  run raw_http 'GET /1.0 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
  assert_line --index 0 --regexp '^HTTP/1\.1 200 '
}
