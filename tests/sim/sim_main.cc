// microovn-sim: runs the deterministic cluster simulator (every member runs the host loop,
// host::Node) over a range of seeds.
//   microovn-sim --seeds N [--seed-start S] [--members M] [--membership | --joins] [--plant-bug 1..12]
//                [--trace] [--keep-going]
// --membership adds one or two machines outside the initial M voters, random configuration
// changes and leadership transfers, and (in most seeds) the leader host's role policy.
// --joins forms the cluster as an operator does: machine 1 bootstraps, M-1 or more machines join
// through join tokens, members are removed (and told so) and join again, leaders stop cleanly.
// --plant-bug 1|2 plants the raft-notes.md bugs in the core (test hooks); 3 a host that serves
// reads without ReadIndex; 4 no dedup check; 5 a leader that proposes before its no-op has
// committed; 6 a follower that answers a forwarded write before its own apply; 7 a leader that
// counts its own copy on append (7 needs MICROOVN_RAFT_TEST_HOOKS); 8 replies sent before what
// they acknowledge is durable; 9 a catch-up reader that keeps entries a write replaced; 10 a
// core never told that a catch-up read completed; 11 a joiner admitted without the cluster key
// (with --joins); 12 an early Ready (taken while a write runs) that lets replies out too (12
// needs MICROOVN_RAFT_TEST_HOOKS).
// Prints one summary line; exits 0 only if every seed passed. A failing seed prints itself, the
// violated invariant, the tail of its trace and the command that replays it with a full trace.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tests/sim/simulator.h"

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: microovn-sim --seeds N [--seed-start S] [--members M] [--membership] "
               "[--joins] [--plant-bug 1..12] [--trace] [--keep-going]\n");
  return 2;
}

bool parse_u64(const char* s, std::uint64_t& out) {
  char* end = nullptr;
  out = std::strtoull(s, &end, 10);
  return end && *end == '\0' && end != s;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t seeds = 0, seed_start = 1, members = 3, plant_bug = 0;
  bool trace = false, keep_going = false, membership = false, joins = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&](std::uint64_t& out) { return i + 1 < argc && parse_u64(argv[++i], out); };
    if (a == "--seeds") {
      if (!value(seeds)) return usage();
    } else if (a == "--seed-start") {
      if (!value(seed_start)) return usage();
    } else if (a == "--members") {
      if (!value(members) || members < 1 || members > 9) return usage();
    } else if (a == "--plant-bug") {
      if (!value(plant_bug) || plant_bug > 12) return usage();
    } else if (a == "--membership") {
      membership = true;
    } else if (a == "--joins") {
      joins = true;
    } else if (a == "--trace") {
      trace = true;
    } else if (a == "--keep-going") {
      keep_going = true;
    } else {
      return usage();
    }
  }
  if (seeds == 0) return usage();
#ifndef MOVN_RAFT_TEST_HOOKS
  if (plant_bug == 1 || plant_bug == 2 || plant_bug == 7 || plant_bug == 12) {
    std::fprintf(stderr,
                 "Error: built without MICROOVN_RAFT_TEST_HOOKS: cannot plant bugs 1, 2, 7 and 12\n");
    return 2;
  }
#endif

  auto t0 = std::chrono::steady_clock::now();
  std::uint64_t failed = 0, ticks = 0, committed = 0, acked = 0, refused = 0, leaders = 0;
  std::uint64_t crashes = 0, digests = 0, changes = 0, configs = 0, transfers = 0, reads = 0;
  std::uint64_t retried = 0, duplicates_refused = 0, forwarded = 0, follower_reads = 0, joined = 0, removed = 0;
  std::uint64_t catch_up_reads = 0;
  std::uint64_t first_failed = 0;
  for (std::uint64_t s = seed_start; s < seed_start + seeds; ++s) {
    movn::sim::Simulator sim(movn::sim::options_for_seed(
        s, static_cast<int>(members), static_cast<int>(plant_bug), trace, membership, joins));
    movn::sim::SeedResult r = sim.run_seed();
    ticks += r.ticks;
    committed += r.committed;
    acked += r.acked;
    refused += r.refused;
    digests += r.digests_compared;
    leaders += r.leaders;
    crashes += r.crashes;
    changes += r.changes;
    configs += r.configs_committed;
    transfers += r.transfers;
    reads += r.reads_served;
    retried += r.retried;
    duplicates_refused += r.duplicates_refused;
    forwarded += r.forwarded;
    follower_reads += r.follower_reads;
    joined += r.joined;
    removed += r.removed;
    catch_up_reads += r.catch_up_reads;
    if (!r.ok) {
      if (failed == 0) first_failed = s;
      ++failed;
      std::printf("FAIL seed=%llu members=%llu invariant: %s\n", static_cast<unsigned long long>(s),
                  static_cast<unsigned long long>(members), r.violation.c_str());
      if (!trace) {
        std::size_t from = r.trace_tail.size() > 60 ? r.trace_tail.size() - 60 : 0;
        std::printf("  last %zu events:\n", r.trace_tail.size() - from);
        for (std::size_t i = from; i < r.trace_tail.size(); ++i) {
          std::printf("  %s\n", r.trace_tail[i].c_str());
        }
      }
      std::printf(
          "  replay: microovn-sim --seed-start %llu --seeds 1 --members %llu%s%s%s --trace\n",
          static_cast<unsigned long long>(s), static_cast<unsigned long long>(members),
          membership ? " --membership" : "", joins ? " --joins" : "",
          plant_bug ? (" --plant-bug " + std::to_string(plant_bug)).c_str() : "");
      if (!keep_going) {
        seeds = s - seed_start + 1;
        break;
      }
    }
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf(
      "seeds=%llu seed_start=%llu members=%llu membership=%d joins=%d plant_bug=%llu violations=%llu "
      "first_failed=%llu ticks=%llu committed=%llu acked=%llu refused=%llu leaders=%llu "
      "crashes=%llu digests_compared=%llu reads=%llu changes=%llu configs_committed=%llu "
      "transfers=%llu retried=%llu forwarded=%llu duplicates_refused=%llu follower_reads=%llu joined=%llu "
      "removed=%llu catch_up_reads=%llu secs=%.1f\n",
      static_cast<unsigned long long>(seeds), static_cast<unsigned long long>(seed_start),
      static_cast<unsigned long long>(members), membership ? 1 : 0, joins ? 1 : 0,
      static_cast<unsigned long long>(plant_bug),
      static_cast<unsigned long long>(failed), static_cast<unsigned long long>(first_failed),
      static_cast<unsigned long long>(ticks), static_cast<unsigned long long>(committed),
      static_cast<unsigned long long>(acked), static_cast<unsigned long long>(refused),
      static_cast<unsigned long long>(leaders), static_cast<unsigned long long>(crashes),
      static_cast<unsigned long long>(digests), static_cast<unsigned long long>(reads),
      static_cast<unsigned long long>(changes), static_cast<unsigned long long>(configs),
      static_cast<unsigned long long>(transfers), static_cast<unsigned long long>(retried),
      static_cast<unsigned long long>(forwarded), static_cast<unsigned long long>(duplicates_refused),
      static_cast<unsigned long long>(follower_reads), static_cast<unsigned long long>(joined),
      static_cast<unsigned long long>(removed), static_cast<unsigned long long>(catch_up_reads), secs);
  return failed == 0 ? 0 : 1;
}
