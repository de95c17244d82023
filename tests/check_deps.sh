#!/usr/bin/env bash
# Enforces the dependency rules of docs/design.md §3 from the compiler's dependency output (-M; -MM
# would leave out every header under /usr/include, where Asio, RocksDB and OpenSSL live),
# not from include paths: projections/, commands/ and host/ use no Asio and no RocksDB; cli/ uses no
# RocksDB, OpenSSL, spdlog or Boost. Also checks that the microovn binary loads none of those
# libraries. Usage: check_deps.sh CXX SOURCE_DIR BINARY_DIR
set -euo pipefail
cxx=$1 src=$2 bin=$3
status=0

check() { # folder forbidden-regex what
  local folder=$1 pattern=$2 what=$3 f deps
  for f in "$src/$folder"/*.cc; do
    [[ $f == *_test.cc ]] && continue
    deps=$("$cxx" -std=c++23 -M -I"$src" -I"$bin" "$f")
    if grep -qE "$pattern" <<<"$deps"; then
      echo "FAIL: $f depends on $what:"
      grep -oE "[^ ]*($pattern)[^ ]*" <<<"$deps" | sort -u | head -5 | sed 's/^/  /'
      status=1
    fi
  done
  [[ $status == 0 ]] && echo "ok: $folder/ does not depend on $what"
  return $status
}

# The check must be able to fail: daemon/ does use Asio and RocksDB, so it must be flagged.
if ! check daemon 'boost/asio|/rocksdb/' "Asio or RocksDB" >/dev/null; then
  echo "ok: the check flags daemon/, which does use Asio and RocksDB"
else
  echo "FAIL: the check did not flag daemon/, so it cannot see system headers"
  status=1
fi
status=0

check projections 'boost/asio|/rocksdb/' "Asio or RocksDB" || true
check commands 'boost/asio|/rocksdb/' "Asio or RocksDB" || true
check host 'boost/asio|/rocksdb/' "Asio or RocksDB" || true
check cli '/rocksdb/|/openssl/|/spdlog/|/boost/' "RocksDB, OpenSSL, spdlog or Boost" || true

if ldd "$bin/bin/microovn" | grep -E 'rocksdb|libssl|libcrypto|spdlog'; then
  echo "FAIL: the microovn binary loads one of the libraries above"
  status=1
else
  echo "ok: the microovn binary loads no RocksDB, OpenSSL or spdlog"
fi
exit $status
