#!/usr/bin/env bash
# Enforces the dependency rules of docs/design.md §3 from the compiler's dependency output (-MM),
# not from include paths: projections/ and commands/ use no Asio and no RocksDB; cli/ uses no
# RocksDB, OpenSSL, spdlog or Boost. Also checks that the microovn binary loads none of those
# libraries. Usage: check_deps.sh CXX SOURCE_DIR BINARY_DIR
set -euo pipefail
cxx=$1 src=$2 bin=$3
status=0

check() { # folder forbidden-regex what
  local folder=$1 pattern=$2 what=$3 f deps
  for f in "$src/$folder"/*.cc; do
    [[ $f == *_test.cc ]] && continue
    deps=$("$cxx" -std=c++23 -MM -I"$src" -I"$bin" "$f")
    if grep -qE "$pattern" <<<"$deps"; then
      echo "FAIL: $f depends on $what:"
      grep -oE "[^ ]*($pattern)[^ ]*" <<<"$deps" | sort -u | head -5 | sed 's/^/  /'
      status=1
    fi
  done
  echo "ok: $folder/ does not depend on $what"
}

check projections 'boost/asio|/rocksdb/' "Asio or RocksDB"
check commands 'boost/asio|/rocksdb/' "Asio or RocksDB"
check cli '/rocksdb/|/openssl/|/spdlog/|/boost/' "RocksDB, OpenSSL, spdlog or Boost"

if ldd "$bin/bin/microovn" | grep -E 'rocksdb|libssl|libcrypto|spdlog'; then
  echo "FAIL: the microovn binary loads one of the libraries above"
  status=1
else
  echo "ok: the microovn binary loads no RocksDB, OpenSSL or spdlog"
fi
exit $status
