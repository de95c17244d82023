// bench_raft: commits/s of the pure core alone: a 3-member cluster in one thread, messages handed
// over in memory, "persistence" into MemoryLog (no disk). Measures the core's own overhead.
#include <benchmark/benchmark.h>

#include <deque>
#include <memory>
#include <vector>

#include "eventlog/raft/core.h"

namespace movn::raft {
namespace {

class BenchCluster {
 public:
  explicit BenchCluster(int n) {
    for (int i = 1; i <= n; ++i) {
      Config c;
      c.id = NodeId(i);
      for (int j = 1; j <= n; ++j) c.voters.push_back(NodeId(j));
      c.seed = 7;
      logs_.push_back(std::make_unique<MemoryLog>());
      cores_.push_back(std::make_unique<Core>(c, *logs_.back(), HardState{}));
    }
    cores_[0]->campaign();
    run();
  }
  Core& leader() { return *cores_[0]; }
  std::uint64_t applied() const { return applied_; }

  void run() {
    bool moved = true;
    while (moved) {
      moved = false;
      for (std::size_t i = 0; i < cores_.size(); ++i) {
        Core& core = *cores_[i];
        if (!core.has_ready()) continue;
        moved = true;
        Ready rd = core.ready();
        logs_[i]->persist(rd);
        for (Message& m : rd.messages) queue_.push_back(std::move(m));
        if (i == 0) applied_ += rd.committed.size();
        core.advance(rd);
      }
      while (!queue_.empty()) {
        moved = true;
        Message m = std::move(queue_.front());
        queue_.pop_front();
        cores_[m.to.value - 1]->step(std::move(m));
      }
    }
  }

 private:
  std::vector<std::unique_ptr<MemoryLog>> logs_;
  std::vector<std::unique_ptr<Core>> cores_;
  std::deque<Message> queue_;
  std::uint64_t applied_ = 0;
};

// state.range(0) proposals per round trip (1 = one in flight; 64 = pipelined batch).
void BM_Commit3(benchmark::State& state) {
  BenchCluster cluster(3);
  const std::string payload(128, 'e');
  const int per_round = static_cast<int>(state.range(0));
  std::uint64_t start = cluster.applied();
  for (auto _ : state) {
    for (int i = 0; i < per_round; ++i) {
      if (!cluster.leader().propose(payload).ok()) state.SkipWithError("lost leadership");
    }
    cluster.run();
  }
  std::uint64_t commits = cluster.applied() - start;
  state.counters["commits_per_s"] =
      benchmark::Counter(static_cast<double>(commits), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Commit3)->Arg(1)->Arg(64);

}  // namespace
}  // namespace movn::raft

BENCHMARK_MAIN();
