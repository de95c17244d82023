#!/usr/bin/env bash
# Runs every test: installs the dependencies, builds with g++ and runs the unit and integration
# tests (ctest), then builds everything again with clang in build-asan/ (AddressSanitizer,
# UndefinedBehaviorSanitizer and libFuzzer's coverage, so one build serves both), runs all the
# tests there too, and fuzzes every decoder for FUZZ_SECONDS each (default 30;
# docs/reliability.md).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

bash scripts/install-deps.sh

echo "== build (RelWithDebInfo) == (${SECONDS} s)"
# Line tables only (-g1): a quarter less compile time than full debug information, and a
# crash's stack trace still names files and lines.
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1" \
  -DMICROOVN_BENCH=ON >/dev/null
cmake --build build -j"$jobs"
echo "== tests == (${SECONDS} s)"
(cd build && ctest --output-on-failure --timeout 600 -j"$jobs")

echo "== build (clang: ASan + UBSan, libFuzzer) == (${SECONDS} s)"
CC=clang CXX=clang++ cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DMICROOVN_FUZZ=ON \
  -DMICROOVN_BENCH=OFF >/dev/null
cmake --build build-asan -j"$jobs"
echo "== tests under ASan + UBSan (unit and integration: the daemon runs instrumented) == (${SECONDS} s)"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure --timeout 600 -j"$jobs")

echo "== fuzzing (clang + libFuzzer, ASan + UBSan): ${FUZZ_SECONDS:-30} s per target == (${SECONDS} s)"
FUZZ_BUILD_DIR=build-asan bash tests/fuzz/run.sh "${FUZZ_SECONDS:-30}"
echo "== all tests passed in ${SECONDS} s =="
