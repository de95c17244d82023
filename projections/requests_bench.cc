// requests_bench: the request-id table alone (projections::Requests), at the window's size, the
// way the host loop uses it on every apply: look an id up, then record it (which forgets the
// oldest). Results in docs/perf.md.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

#include "projections/requests.h"

namespace {

using movn::LogIndex;
using movn::projections::Requests;

// Ids shaped like the ones clients send: 32 hex characters.
std::string request_id(std::uint64_t n) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(n * 0x9e3779b97f4a7c15ULL),
                static_cast<unsigned long long>(n));
  return buf;
}

// A full window: every new id looks up a miss, is recorded and forgets the oldest; then a hit.
void BM_RecordAndFindFullWindow(benchmark::State& state) {
  Requests r;
  const std::string digest(32, 'd');
  std::uint64_t n = 0;
  for (; n < Requests::kWindowRequests; ++n) r.record(request_id(n), LogIndex(n + 1), false, digest, n);
  std::vector<std::string> ids;
  for (std::uint64_t k = 0; k < 4096; ++k) ids.push_back(request_id(n + k));
  std::size_t k = 0;
  for (auto _ : state) {
    if (k == ids.size()) {  // fresh ids again, outside the timing
      state.PauseTiming();
      n += ids.size();
      for (std::uint64_t j = 0; j < ids.size(); ++j) ids[j] = request_id(n + j);
      k = 0;
      state.ResumeTiming();
    }
    const std::string& id = ids[k++];
    benchmark::DoNotOptimize(static_cast<bool>(r.find(id)));
    r.record(id, LogIndex(n + k), false, digest, n + k);
    benchmark::DoNotOptimize(static_cast<bool>(r.find(id)));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RecordAndFindFullWindow);

// Copying the table: what a host's speculative view costs when it is rebuilt from the applied one.
void BM_CopyFullWindow(benchmark::State& state) {
  Requests r;
  const std::string digest(32, 'd');
  for (std::uint64_t n = 0; n < Requests::kWindowRequests; ++n) r.record(request_id(n), LogIndex(n + 1), false, digest, n);
  for (auto _ : state) {
    Requests copy = r;
    benchmark::DoNotOptimize(copy.size());
  }
}
BENCHMARK(BM_CopyFullWindow);

// The table's part of a checkpoint (every kCheckpointEveryEntries entries, on the core thread).
void BM_SnapshotFullWindow(benchmark::State& state) {
  Requests r;
  const std::string digest(32, 'd');
  for (std::uint64_t n = 0; n < Requests::kWindowRequests; ++n) r.record(request_id(n), LogIndex(n + 1), false, digest, n);
  for (auto _ : state) benchmark::DoNotOptimize(r.snapshot());
}
BENCHMARK(BM_SnapshotFullWindow)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
