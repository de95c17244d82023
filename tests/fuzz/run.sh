#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in build-fuzz/ (everything instrumented, ASan + UBSan;
# with them every library they link is compiled with clang) and fuzzes each target for SECONDS
# (default 30), as many targets at a time as there are cores. FUZZ_BUILD_DIR=DIR uses DIR instead,
# as it is configured: it must have been configured with clang and -DMICROOVN_FUZZ=ON
# (scripts/test.sh passes its build-asan/, which holds the tests too). New corpus entries go to a
# temporary directory, so the committed corpus is not changed; a finding is written to
# DIR/findings/ (build-fuzz/findings/ by default) and fails the run.
#   bash tests/fuzz/run.sh [SECONDS] [TARGET...]      e.g. bash tests/fuzz/run.sh 600 event_batch
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-30}
shift || true
all=(event_batch checkpoint raft_config api_request decide validate join_token cli_response peer_frame)
targets=("$@")
((${#targets[@]})) || targets=("${all[@]}")

dir=${FUZZ_BUILD_DIR:-}
if [[ -z $dir ]]; then
  dir=build-fuzz
  echo "== build (clang, libFuzzer, ASan + UBSan) =="
  CC=clang CXX=clang++ cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMICROOVN_FUZZ=ON \
    -DMICROOVN_TESTS=OFF -DMICROOVN_BENCH=OFF >/dev/null
elif ! grep -q '^MICROOVN_FUZZ:BOOL=ON$' "$dir/CMakeCache.txt" 2>/dev/null; then
  echo "run.sh: $dir is not a build configured with clang and -DMICROOVN_FUZZ=ON" >&2
  exit 2
fi
cmake --build "$dir" -j"$(nproc)" --target "${targets[@]/#/fuzz_}"

findings=$dir/findings
mkdir -p "$findings"
# fuzz_one TARGET: one fuzzing run; its status is the fuzzer's.
fuzz_one() {
  local t="$1" work status=0
  work=$(mktemp -d)
  local inputs=(tests/fuzz/corpus/"$t")
  [[ -d tests/fuzz/regressions/$t ]] && inputs+=(tests/fuzz/regressions/"$t")
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 "$dir"/bin/fuzz_"$t" -max_total_time="$seconds" \
    -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$findings/$t-" "$work" "${inputs[@]}" >"$findings/$t.log" 2>&1 || status=$?
  rm -rf "$work"
  return "$status"
}
failed=()
passed=0
parallel=$(nproc)
for ((i = 0; i < ${#targets[@]}; i += parallel)); do
  batch=("${targets[@]:i:parallel}")
  pids=()
  for t in "${batch[@]}"; do
    echo "== fuzz_$t for ${seconds} s =="
    fuzz_one "$t" &
    pids+=($!)
  done
  for j in "${!batch[@]}"; do
    t="${batch[$j]}"
    if wait "${pids[$j]}"; then
      passed=$((passed + 1))
      echo "fuzz_$t: $(grep -E '^stat::(number_of_executed_units|new_units_added)|^Done' "$findings/$t.log" | tr '\n' ' ')"
    else
      failed+=("$t")
      tail -40 "$findings/$t.log"
      echo "FINDING in fuzz_$t: input saved under $findings/ (see docs/reliability.md)"
    fi
  done
done
echo "fuzz: ${passed} passed, ${#failed[@]} failed"
((${#failed[@]} == 0))
