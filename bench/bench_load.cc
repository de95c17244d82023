// Load driver for comparisons: N closed-loop clients, each on its own keep-alive connection, send
// one HTTP request at a time to a unix socket or a TCP host:port; client i talks to the i-th
// endpoint modulo their number. Prints on stdout
//   LABEL clients=N commits_per_s=X p50_ms=Y p99_ms=Z
// (a 200 answer counts as a commit; " errors=E" follows when some answers were not 200), and on
// stderr a detail line: commits measured and with the warm-up, answers per endpoint, max latency, the first error, and with --stats the
// synced log writes per commit of each microovnd given (GET /1.0/stats before and after).
// The load itself is bench/http_load.cc's, shared with microovn-bench-append.
//
// Usage: microovn-bench-load [options] ENDPOINT...
//   ENDPOINT        unix:PATH (e.g. STATE_DIR/control.socket) or IP:PORT
//   --clients N     concurrent clients (default 1)
//   --seconds S     measured time (default 10)
//   --warmup S      load before the measurement, not counted (default 1)
//   --method M      default PUT
//   --path P        default /1.0/config/ovn.central-ips
//   --body B        default {"value":"10.0.0.1"}
//   --request-id    a fresh X-Request-Id (32 hex characters) on every request
//   --label L       first word of the result line (default load)
//   --stats ENDPOINT  a microovnd control socket to read synced_writes from (repeatable)
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench/http_load.h"

namespace {
int usage() {
  std::fprintf(stderr,
               "usage: microovn-bench-load [--clients N] [--seconds S] [--warmup S] [--method M] [--path P] "
               "[--body B] [--request-id] [--label L] [--stats ENDPOINT]... ENDPOINT...\n"
               "  ENDPOINT: unix:PATH or IP:PORT\n");
  return 2;
}
}  // namespace

int main(int argc, char** argv) {
  using movn::bench::Endpoint;
  int clients = 1;
  double seconds = 10, warmup = 1;
  std::string label = "load", body = "{\"value\":\"10.0.0.1\"}";
  movn::bench::LoadSpec spec;
  std::vector<Endpoint> endpoints, stats;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--request-id") {
      spec.request_id = true;
    } else if (a == "--clients" || a == "--seconds" || a == "--warmup" || a == "--method" || a == "--path" ||
               a == "--body" || a == "--label" || a == "--stats") {
      if ((v = value()) == nullptr) return usage();
      if (a == "--clients") clients = std::atoi(v);
      if (a == "--seconds") seconds = std::atof(v);
      if (a == "--warmup") warmup = std::atof(v);
      if (a == "--method") spec.method = v;
      if (a == "--path") spec.path = v;
      if (a == "--body") body = v;
      if (a == "--label") label = v;
      if (a == "--stats") {
        auto e = movn::bench::parse_endpoint(v);
        if (!e) return usage();
        stats.push_back(*e);
      }
    } else if (a.starts_with("--")) {
      return usage();
    } else {
      auto e = movn::bench::parse_endpoint(a);
      if (!e) {
        std::fprintf(stderr, "not an endpoint: %s\n", a.c_str());
        return usage();
      }
      endpoints.push_back(*e);
    }
  }
  if (endpoints.empty() || clients < 1 || seconds <= 0 || warmup < 0) return usage();
  spec.body = [body](int) { return body; };

  std::vector<long> syncs_before;
  for (const auto& s : stats) syncs_before.push_back(movn::bench::synced_writes(s));
  auto r = movn::bench::run_load(endpoints, clients, seconds, warmup, spec);
  const auto n = r.latencies_us.size();

  std::printf("%s clients=%d commits_per_s=%.0f p50_ms=%.2f p99_ms=%.2f", label.c_str(), clients, r.commits_per_s(),
              r.percentile_us(0.50) / 1000, r.percentile_us(0.99) / 1000);
  if (r.errors != 0) std::printf(" errors=%ld", r.errors);
  std::printf("\n");
  std::fflush(stdout);

  std::string detail = "# " + label + " clients=" + std::to_string(clients) + " commits=" + std::to_string(n) +
                       " with_warmup=" + std::to_string(r.all_ok) +
                       " seconds=" + std::to_string(r.seconds).substr(0, 5) +
                       " max_ms=" + std::to_string(n == 0 ? 0.0 : r.latencies_us.back() / 1000).substr(0, 7) +
                       " per_endpoint=";
  for (std::size_t e = 0; e < endpoints.size(); ++e) detail += (e ? "," : "") + std::to_string(r.per_endpoint[e]);
  if (!stats.empty()) {
    detail += " synced_writes_per_commit=";
    for (std::size_t s = 0; s < stats.size(); ++s) {
      long after = movn::bench::synced_writes(stats[s]);
      char x[32];
      // The syncs were counted from before the warm-up: per commit of the whole run.
      if (after < 0 || syncs_before[s] < 0 || r.all_ok == 0)
        std::snprintf(x, sizeof x, "?");
      else
        std::snprintf(x, sizeof x, "%.3f", double(after - syncs_before[s]) / double(r.all_ok));
      detail += (s ? "," : "") + std::string(x);
    }
  }
  detail += " errors=" + std::to_string(r.errors);
  if (r.errors != 0) detail += " first_error=\"" + r.first_error + "\"";
  std::fprintf(stderr, "%s\n", detail.c_str());
  return r.errors == 0 ? 0 : 1;
}
