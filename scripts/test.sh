#!/usr/bin/env bash
# Runs every test: installs the dependencies, builds, runs the unit and integration tests
# (ctest), then builds everything again with AddressSanitizer and UndefinedBehaviorSanitizer in
# build-asan/ and runs all the tests there too, then builds the project with clang and libFuzzer
# in build-fuzz/ and fuzzes every decoder for FUZZ_SECONDS each (default 30; docs/reliability.md).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

bash scripts/install-deps.sh

echo "== build (RelWithDebInfo) == (${SECONDS} s)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMICROOVN_BENCH=ON >/dev/null
cmake --build build -j"$jobs"
echo "== tests == (${SECONDS} s)"
(cd build && ctest --output-on-failure --timeout 600 -j"$jobs")

echo "== build (ASan + UBSan) == (${SECONDS} s)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DMICROOVN_SANITIZE=ON -DMICROOVN_BENCH=OFF >/dev/null
cmake --build build-asan -j"$jobs"
echo "== tests under ASan + UBSan (unit and integration: the daemon runs instrumented) == (${SECONDS} s)"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure --timeout 600 -j"$jobs")

echo "== fuzzing (clang + libFuzzer, ASan + UBSan): ${FUZZ_SECONDS:-30} s per target == (${SECONDS} s)"
bash tests/fuzz/run.sh "${FUZZ_SECONDS:-30}"
echo "== all tests passed in ${SECONDS} s =="
