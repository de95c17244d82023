#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in build-fuzz/ (everything instrumented, ASan + UBSan;
# the build also compiles every library and binary of the project with clang) and fuzzes each
# target for SECONDS (default 30). New corpus entries go to a temporary directory, so the
# committed corpus is not changed; a finding is written to build-fuzz/findings/ and fails the run.
#   bash tests/fuzz/run.sh [SECONDS] [TARGET...]      e.g. bash tests/fuzz/run.sh 600 event_batch
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-30}
shift || true
all=(event_batch checkpoint raft_config api_request decide validate join_token cli_response peer_frame)
targets=("$@")
((${#targets[@]})) || targets=("${all[@]}")

echo "== build (clang, libFuzzer, ASan + UBSan) =="
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMICROOVN_FUZZ=ON \
  -DMICROOVN_TESTS=OFF -DMICROOVN_BENCH=OFF >/dev/null
cmake --build build-fuzz -j"$(nproc)"

mkdir -p build-fuzz/findings
failed=()
passed=0
for t in "${targets[@]}"; do
  work=$(mktemp -d)
  inputs=(tests/fuzz/corpus/"$t")
  [[ -d tests/fuzz/regressions/$t ]] && inputs+=(tests/fuzz/regressions/"$t")
  echo "== fuzz_$t for ${seconds} s =="
  if UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 build-fuzz/bin/fuzz_"$t" -max_total_time="$seconds" \
      -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
      -artifact_prefix=build-fuzz/findings/"$t"- "$work" "${inputs[@]}" >"build-fuzz/findings/$t.log" 2>&1; then
    passed=$((passed + 1))
    grep -E '^stat::(number_of_executed_units|new_units_added)|^Done' "build-fuzz/findings/$t.log" | tr '\n' ' '
    echo
  else
    failed+=("$t")
    tail -40 "build-fuzz/findings/$t.log"
    echo "FINDING in fuzz_$t: input saved under build-fuzz/findings/ (see docs/reliability.md)"
  fi
  rm -rf "$work"
done
echo "fuzz: ${passed} passed, ${#failed[@]} failed"
((${#failed[@]} == 0))
