// Simulator: the random driver of one seed: a fault profile drawn from the seed, random faults,
// client requests (handed to the host loop of the member they reach, and sometimes retried with
// the same id elsewhere) and ReadIndex reads during the safety phase, then the liveness phase. Membership operations are in
// sim_membership.cc.
#include "tests/sim/simulator.h"

#include "common/sha256.h"
#include "tests/sim/sim_member.h"

namespace movn::sim {
namespace {
// Token names clients ask for: few, so issues and revokes meet each other's tokens.
constexpr std::uint64_t kTokenNames = 6;
constexpr std::uint64_t kProjectionDigestEveryEntries = 16;
}  // namespace

void Simulator::crash_for(std::uint64_t id) {
  crash(id);
  member(id).restart_at = now_ + rng_.range(1, static_cast<std::uint64_t>(faults_.down_ticks_max));
}

void Simulator::random_faults() {
  const std::uint64_t n = members_.size();
  for (auto& m : members_) {
    if (m->node && rng_.chance(faults_.crash)) crash_for(m->id);
    if (rng_.chance(faults_.slow_disk)) {
      set_disk_delay(m->id, m->disk_delay ? 0 : static_cast<int>(rng_.range(
                                                    1, faults_.slow_disk_max_ticks)));
    }
  }
  if (rng_.chance(faults_.leader_fault)) {
    // Leaders hold the entries nobody else has yet: faults aimed at them find the subtle cases
    // (Figure 8, stale tails) far more often than faults spread evenly.
    if (auto l = leader()) {
      if (rng_.chance(0.5)) {
        crash_for(*l);
      } else {
        isolate(*l);
      }
    }
  }
  if (network_.partitioned() && rng_.chance(faults_.heal)) heal();
  if (rng_.chance(faults_.partition)) {
    switch (rng_.below(3)) {
      case 0: isolate(rng_.range(1, n)); break;
      case 1: {  // two sides, symmetric
        std::vector<int> side(n + 1);
        for (std::uint64_t i = 1; i <= n; ++i) side[i] = static_cast<int>(rng_.below(2));
        for (std::uint64_t a = 1; a <= n; ++a) {
          for (std::uint64_t b = 1; b <= n; ++b) {
            if (side[a] != side[b]) block(a, b);
          }
        }
        break;
      }
      default: {  // a few one-way links
        std::uint64_t k = rng_.range(1, n);
        for (std::uint64_t i = 0; i < k; ++i) {
          std::uint64_t a = rng_.range(1, n);
          std::uint64_t b = rng_.range(1, n);
          if (a != b) block(a, b);
        }
        break;
      }
    }
  }
}

std::optional<std::uint64_t> Simulator::client_target() {
  // Clients mostly reach the newest leader, sometimes any member that believes it leads (a
  // stale, partitioned leader), sometimes a random member (which refuses).
  std::optional<std::uint64_t> target;
  std::uint64_t pick = rng_.below(100);
  if (pick < 60) {
    target = leader();
  } else if (pick < 85) {
    std::vector<std::uint64_t> believers;
    for (const auto& m : members_) {
      if (m->core() && m->core()->role() == raft::Role::kLeader) believers.push_back(m->id);
    }
    if (!believers.empty()) target = believers[rng_.below(believers.size())];
  }
  if (!target) target = rng_.range(1, members_.size());
  if (!up(*target)) return std::nullopt;
  return target;
}

void Simulator::random_proposals() {
  if (!rng_.chance(faults_.propose)) return;
  std::uint64_t burst = rng_.range(1, 3);
  for (std::uint64_t i = 0; i < burst; ++i) {
    std::optional<std::uint64_t> target = client_target();
    if (!target) continue;
    // When the cluster forms by joins, clients talk to members (and to machine 1 until it has
    // bootstrapped): a machine outside the cluster would bootstrap a cluster of its own.
    if (options_.joins && !member(*target).raft_id && (*target != 1 || founded_)) continue;
    bool accepted = false;
    if (!sent_.empty() && rng_.chance(faults_.retry)) {
      // A client that timed out, or saw the leader change, sends the request again with the
      // same id, to whichever member it reaches.
      auto [request, id] = sent_[rng_.below(sent_.size())];
      ++retried_;
      event(EventKind::kRetry, *target);
      auto r = propose_command(*target, request, id);
      accepted = r.ok() && r->value != 0;
    } else {
      // Refused requests (revoking an unknown token, a taken name, a bad address) are skipped.
      auto request = random_request(*target);
      auto id = next_request_id();
      auto r = propose_command(*target, request, id);
      accepted = r.ok() && r->value != 0;
      if (r.ok()) {
        sent_.emplace_back(std::move(request), std::move(id));
        if (sent_.size() > 32) sent_.erase(sent_.begin());
      }
    }
    if (accepted && rng_.chance(faults_.fault_after_propose)) {
      // Cut the leader off before its new entry leaves: an entry only the leader holds.
      if (rng_.chance(0.5)) {
        crash_for(*target);
      } else {
        isolate(*target);
      }
    }
  }
}

void Simulator::random_reads() {
  if (!rng_.chance(faults_.read)) return;
  // Like other clients, except that half the reads go to the member with the oldest term among
  // those that believe they lead: while a partitioned leader has not yet stepped down, it must
  // never confirm a read that misses what its successor committed.
  std::optional<std::uint64_t> target;
  if (rng_.chance(0.5)) {
    for (const auto& m : members_) {
      if (m->core() && m->core()->role() == raft::Role::kLeader &&
          (!target || m->core()->term() < member(*target).core()->term())) {
        target = m->id;
      }
    }
  } else {
    target = client_target();
  }
  if (target) (void)read(*target);
}

commands::Request Simulator::bootstrap_request(std::uint64_t id) const {
  const std::string name = "m" + std::to_string(id);
  commands::BootstrapRequest r;
  r.cluster_id = "sim-" + std::to_string(options_.seed);
  r.name = name;
  r.address = "10.0.0." + std::to_string(id);
  r.fingerprint = sha256_hex(name);
  r.certificate = "sim certificate of " + name;
  return r;
}

commands::Request Simulator::random_request(std::uint64_t id) {
  const projections::State& view = member(id).node->view();
  // Until the member has applied a bootstrap, that is the only request it accepts. When the
  // cluster forms by joins, only machine 1 bootstraps, once; any other machine outside it
  // refuses what it is asked.
  if (!view.membership().bootstrapped()) {
    if (!options_.joins || (id == 1 && !founded_)) return bootstrap_request(id);
    return commands::SetConfigRequest{"ovn.central-ips", "10.1.0.1"};
  }
  const std::uint64_t pick = rng_.below(100);
  if (pick < 35) {
    // 1-3 addresses; now and then an invalid one, which decide() refuses.
    std::string ips;
    for (std::uint64_t i = 0, k = rng_.range(1, 3); i < k; ++i) {
      if (i > 0) ips += ',';
      ips += "10.1." + std::to_string(rng_.below(256)) + "." +
             std::to_string(rng_.chance(0.05) ? 256 : rng_.below(256));
    }
    return commands::SetConfigRequest{"ovn.central-ips", std::move(ips)};
  }
  if (pick < 45) return commands::DeleteConfigRequest{"ovn.central-ips"};
  if (pick < 75) {
    commands::IssueTokenRequest r;
    // Mostly a name without a live token; sometimes any (refused if it has one, unless that one
    // has expired) or a member's name (refused while that member exists).
    r.name = "n" + std::to_string(rng_.range(1, kTokenNames));
    if (rng_.chance(0.1)) {
      r.name = "m" + std::to_string(rng_.range(1, members_.size()));
    } else if (rng_.chance(0.8) && view.tokens().find(r.name) != nullptr) {
      for (std::uint64_t i = 1; i <= kTokenNames; ++i) {
        std::string free = "n" + std::to_string(i);
        if (view.tokens().find(free) == nullptr) {
          r.name = std::move(free);
          break;
        }
      }
    }
    for (int i = 0; i < 4; ++i) {
      std::uint64_t w = rng_.next();
      r.secret_sha256.append(reinterpret_cast<const char*>(&w), sizeof(w));
    }
    // Cluster time advances one per tick: some tokens expire within the run and are purged.
    r.lifetime_ms = rng_.range(20, 2000);
    return r;
  }
  const auto& tokens = view.tokens().tokens();
  if (!tokens.empty() && rng_.chance(0.8)) {
    auto it = tokens.begin();
    std::advance(it, static_cast<std::ptrdiff_t>(rng_.below(tokens.size())));
    return commands::RevokeTokenRequest{it->first};
  }
  return commands::RevokeTokenRequest{"n" + std::to_string(rng_.range(1, kTokenNames))};
}

SeedResult Simulator::run_seed(int safety_ticks, int liveness_ticks) {
  random_mode_ = true;
  // A fault profile per seed: some seeds are calm, some stormy.
  double storm = rng_.uniform(0.2, 1.0);
  network_.faults.drop = rng_.uniform(0, 0.15) * storm;
  network_.faults.duplicate = rng_.uniform(0, 0.05) * storm;
  network_.faults.max_delay_ticks = static_cast<int>(rng_.range(1, 6));
  faults_.crash = rng_.uniform(0.0005, 0.004) * storm;
  faults_.down_ticks_max = static_cast<int>(rng_.range(10, 150));
  faults_.partition = rng_.uniform(0.002, 0.02) * storm;
  faults_.heal = rng_.uniform(0.01, 0.05);
  faults_.disk_error = rng_.uniform(0, 0.002) * storm;
  faults_.slow_disk = rng_.uniform(0, 0.01) * storm;
  faults_.slow_disk_max_ticks = static_cast<int>(rng_.range(1, 12));
  faults_.propose = rng_.uniform(0.02, 0.6);
  faults_.leader_fault = rng_.uniform(0.002, 0.03) * storm;
  faults_.fault_after_propose = rng_.uniform(0, 0.25) * storm;
  faults_.read = rng_.uniform(0, 0.2);
  faults_.retry = rng_.uniform(0, 0.5);
  if (options_.membership) {
    faults_.change = rng_.uniform(0.005, 0.04);
    faults_.transfer = rng_.uniform(0, 0.015);
    faults_.fault_after_change = rng_.uniform(0, 0.3) * storm;
    faults_.forget_config_record = rng_.uniform(0, 0.2);
  }
  if (options_.joins) {
    faults_.join = rng_.uniform(0.01, 0.05);
    faults_.remove = rng_.uniform(0.002, 0.012);
    faults_.clean_stop = rng_.uniform(0, 0.01);
  }
  event(EventKind::kPhase, 0);
  for (int t = 0; t < safety_ticks && !violation(); ++t) tick_once();
  // An operator may have made a voter of a member hundreds of entries behind; catching it up
  // takes a round trip per entry or two whenever reordering sends the leader back to probing
  // (seeds needed up to about 600 ticks), so membership seeds get three times the bound.
  if (!violation())
    check_liveness(options_.membership || options_.joins ? 3 * liveness_ticks : liveness_ticks);

  SeedResult r;
  r.ok = !violation();
  if (!r.ok) {
    r.violation = *violation();
    event(EventKind::kViolation);
    r.trace_tail = trace_.tail(options_.trace_keep);
  }
  r.ticks = now_;
  r.committed = checker_.committed_count();
  r.acked = acked_requests_.size();
  r.refused = refused_;
  r.leaders = checker_.leaders_seen();
  r.digests_compared = checker_.digests_compared();
  r.crashes = crashes_;
  r.changes = changes_;
  r.configs_committed = checker_.configurations_committed();
  r.transfers = transfers_;
  r.reads_served = checker_.reads_served();
  r.retried = retried_;
  r.forwarded = forwarded_;
  r.joined = joined_;
  r.removed = removed_;
  r.follower_reads = follower_reads_;
  r.duplicates_refused = duplicates_refused_;
  r.catch_up_reads = catch_up_reads_;
  return r;
}

}  // namespace movn::sim

namespace movn::sim {

SimOptions options_for_seed(std::uint64_t seed, int members, int plant_bug, bool trace, bool membership,
                            bool joins) {
  Rng rng(seed ^ 0x5DEECE66DULL);
  SimOptions o;
  o.members = members;
  o.seed = seed;
  o.plant_bug = plant_bug;
  o.trace = trace;
  // A projection digest hashes every projection's snapshot, which grows with the log (the
  // requests projection holds one record per batch): taken at every index, mostly while
  // restarted members replay the log, they made a seed take about 9x as long. Sampled, plus the
  // settled states at the end of the liveness phase.
  o.digest_every_entries = kProjectionDigestEveryEntries;
  o.election_ticks = 10;
  o.heartbeat_ticks = static_cast<int>(rng.range(1, 3));
  // Small batches and windows, so byte limits and flow control are exercised.
  o.max_append_bytes = rng.range(256, 4096);
  o.max_inflight_msgs = rng.range(2, 16);
  // Bounds the backlog a leader can build while cut off, so the liveness bound holds.
  o.max_uncommitted_bytes = rng.range(2048, 8192);
  o.check_quorum = !rng.chance(0.2);
  // Most seeds keep only a few recent entries in memory, so a leader reads older ones for a peer
  // that catches up off the core thread, and those reads complete late.
  if (rng.chance(0.7)) {
    o.log_cache_entries = rng.range(0, 16);
    o.log_read_delay_ticks = static_cast<int>(rng.range(0, 6));
  }
  if (joins) {
    // Machine 1 bootstraps; the others join. Every seed runs the role policy, as the daemon
    // does, toward 3 voters and 0-2 stand-bys.
    o.joins = true;
    o.machines = members + static_cast<int>(rng.range(0, 2));
    o.role_policy_every_ticks = static_cast<int>(rng.range(1, 20));
    o.role_targets.voters = 3;
    o.role_targets.standbys = rng.range(0, 2);
    return o;
  }
  if (membership) {
    o.membership = true;
    // One or two machines outside the initial configuration, so members can be added.
    o.machines = members + static_cast<int>(rng.range(1, 2));
    // Most seeds run the host's role policy, as the daemon does, with targets drawn from the
    // seed; the others leave roles to the operator alone.
    if (rng.chance(0.7)) {
      o.role_policy_every_ticks = static_cast<int>(rng.range(1, 30));
      const std::uint64_t pick = rng.below(8);
      o.role_targets.voters = pick < 4   ? 3
                              : pick < 6 ? static_cast<std::size_t>(members)
                              : pick < 7 ? 1
                                         : 5;
      o.role_targets.standbys = rng.range(0, 3);
    }
  }
  return o;
}

}  // namespace movn::sim
