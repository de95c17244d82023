#!/usr/bin/env bash
# Enforces the dependency rules of docs/design.md §3 from the compiler's dependency output (-M; -MM
# would leave out every header under /usr/include, where Asio, RocksDB and OpenSSL live),
# not from include paths: projections/, commands/, host/ and ovn/ use no Asio and no RocksDB; cli/ uses no
# RocksDB, OpenSSL or spdlog, and of Boost only Beast and Asio (header-only; the HTTP client), which
# it includes directly or through each other. Also checks that the microovn binary loads none of
# RocksDB, OpenSSL (libssl, libcrypto) or spdlog.
# Usage: check_deps.sh CXX SOURCE_DIR BINARY_DIR [STD_FLAG]   (STD_FLAG: -std=c++23 by default;
# clang 14 spells it -std=c++2b)
set -euo pipefail
cxx=$1 src=$2 bin=$3 std=${4:--std=c++23}
status=0

check() { # folder forbidden-regex what
  local folder=$1 pattern=$2 what=$3 f deps
  for f in "$src/$folder"/*.cc; do
    [[ $f == *_test.cc ]] && continue
    # A compiler that fails must fail the check (set -e does not apply inside `check ... || true`).
    if ! deps=$("$cxx" "$std" -M -I"$src" -I"$bin" "$f" 2>&1); then
      echo "FAIL: cannot compute the dependencies of $f:"
      head -5 <<<"$deps" | sed 's/^/  /'
      status=1
      continue
    fi
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
if (check daemon 'boost/asio|/rocksdb/' "Asio or RocksDB" || true) | grep "depends on Asio or RocksDB" >/dev/null; then
  echo "ok: the check flags daemon/, which does use Asio and RocksDB"
else
  echo "FAIL: the check did not flag daemon/, so it cannot see system headers"
  status=1
fi
status=0

check projections 'boost/asio|/rocksdb/' "Asio or RocksDB" || true
check commands 'boost/asio|/rocksdb/' "Asio or RocksDB" || true
check host 'boost/asio|/rocksdb/' "Asio or RocksDB" || true
check ovn 'boost/asio|/rocksdb/' "Asio or RocksDB" || true
check cli '/rocksdb/|/openssl/|/spdlog/' "RocksDB, OpenSSL or spdlog" || true

# Boost in cli/: only Beast and Asio are included by our own files (the rest of Boost comes in
# through them). Beast's SSL stream would pull in OpenSSL, which the check above refuses.
other_boost_includes() { # reads source text, prints its Boost includes other than Beast and Asio
  grep -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]boost/' |
    grep -vE '[<"]boost/(beast|asio)(/|\.hpp)'
}
if other_boost_includes <<<$'#include <boost/beast/http.hpp>\n#include <boost/filesystem.hpp>' >/dev/null; then
  echo "ok: the Boost include check flags boost/filesystem.hpp"
else
  echo "FAIL: the Boost include check did not flag boost/filesystem.hpp"
  status=1
fi
cli_status=0
for f in "$src"/cli/*.cc "$src"/cli/*.h; do
  [[ $f == *_test.cc ]] && continue
  if other=$(other_boost_includes <"$f"); then
    echo "FAIL: $f includes Boost beyond Beast and Asio:"
    sed 's/^/  /' <<<"$other"
    cli_status=1
    status=1
  fi
done
[[ $cli_status == 0 ]] && echo "ok: cli/ includes of Boost only Beast and Asio"

if [[ ! -x $bin/bin/microovn ]]; then
  echo "FAIL: $bin/bin/microovn is missing, so its libraries cannot be checked"
  exit 1
fi
if ldd "$bin/bin/microovn" | grep -E 'rocksdb|libssl|libcrypto|spdlog'; then
  echo "FAIL: the microovn binary loads one of the libraries above"
  status=1
else
  echo "ok: the microovn binary loads no RocksDB, OpenSSL or spdlog"
fi
if ldd "$bin/bin/microovn" | grep -E 'libboost'; then
  echo "FAIL: the microovn binary loads a Boost library (Beast and Asio are header-only)"
  status=1
else
  echo "ok: the microovn binary loads no Boost library"
fi
exit $status
