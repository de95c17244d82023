// Append benchmark through the daemon API: N requesters, each on its own keep-alive connection to
// the control socket, send `PUT /1.0/config/ovn.central-ips` (one event, one log entry each) with
// a fresh request id, one at a time. Reports commits/s and p50/p99/max latency.
// Also reads GET /1.0/stats before and after, to report synced log writes per commit.
// The load itself is bench/http_load.cc's, shared with microovn-bench-load.
// Usage: microovn-bench-append SOCKET REQUESTERS SECONDS
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench/http_load.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: microovn-bench-append SOCKET REQUESTERS SECONDS\n");
    return 2;
  }
  movn::bench::Endpoint socket;
  socket.path = argv[1];
  int requesters = std::atoi(argv[2]);
  double seconds = std::atof(argv[3]);
  movn::bench::LoadSpec spec;
  spec.request_id = true;
  spec.body = [](int t) { return "{\"value\":\"10.0.0." + std::to_string(t % 250 + 1) + "\"}"; };
  long syncs_before = movn::bench::synced_writes(socket);
  auto r = movn::bench::run_load({socket}, requesters, seconds, 0, spec);
  long syncs = movn::bench::synced_writes(socket) - syncs_before;
  const auto n = r.latencies_us.size();
  std::printf("requesters=%d commits=%zu seconds=%.2f commits_per_s=%.0f p50_us=%.0f p99_us=%.0f max_us=%.0f "
              "synced_writes_per_commit=%.3f errors=%ld\n",
              requesters, n, r.seconds, r.commits_per_s(), r.percentile_us(0.50), r.percentile_us(0.99),
              n == 0 ? 0.0 : r.latencies_us.back(), n == 0 ? 0.0 : double(syncs) / n, r.errors);
  if (r.errors != 0) std::fprintf(stderr, "first error: %s\n", r.first_error.c_str());
  return r.errors == 0 ? 0 : 1;
}
