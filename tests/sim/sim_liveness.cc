// Simulator: the liveness phase (heal, restart, require progress and agreement) and the
// mapping between Raft ids, addresses and machines.
#include <algorithm>

#include "tests/sim/sim_member.h"
#include "tests/sim/simulator.h"

namespace movn::sim {

bool Simulator::check_liveness(int bound_ticks) {
  liveness_phase_ = true;
  event(EventKind::kPhase, 1);
  heal();
  network_.drop_if = nullptr;
  network_.faults.drop = 0;
  network_.faults.duplicate = 0;
  network_.faults.max_delay_ticks = std::min(network_.faults.max_delay_ticks, 3);
  for (auto& m : members_) {
    m->disk_delay = 0;
    restart(m->id);
  }
  std::vector<std::string> request_ids;  // one per attempt
  int attempts = 0;
  auto attempt = [&](std::uint64_t at) -> bool {
    // A new request each time (a value of its own, so decide() always records it): the first
    // that is applied is the one acknowledged.
    commands::Request request =
        commands::SetConfigRequest{"ovn.central-ips", "192.0.2." + std::to_string(++attempts % 250 + 1)};
    if (!member(at).node->view().membership().bootstrapped()) request = bootstrap_request(at);
    std::string request_id = next_request_id();
    auto r = propose_command(at, request, request_id);
    if (!r.ok()) return false;
    request_ids.push_back(std::move(request_id));
    return true;
  };
  Term proposed_in;
  std::uint64_t proposed_at = 0;
  bool done = run_until(
      [&] {
        if (std::ranges::any_of(request_ids,
                                [&](const std::string& id) { return acked_request(id); })) {
          return true;
        }
        auto l = leader();
        // A client retries at each new leader, until a leader accepts (it may refuse while its
        // backlog of uncommitted proposals is full), and when its request is refused later (one
        // decided on a new leader's view once its predecessor's entries are applied).
        const bool refused = !request_ids.empty() && answered_error_.contains(request_ids.back());
        if (l && (member(*l).core()->term() != proposed_in || proposed_at != *l || refused)) {
          if (attempt(*l)) {
            proposed_in = member(*l).core()->term();
            proposed_at = *l;
          }
        }
        return false;
      },
      bound_ticks);
  if (violation()) return false;
  if (!done) {
    checker_.fail("liveness: no proposal committed within " + std::to_string(bound_ticks) +
                  " ticks of a healed, fully connected cluster");
    return false;
  }
  // Every member of the configuration applies every acknowledged proposal, and they settle at
  // one applied index; a read at the leader is served. Machines outside the configuration (never
  // added, or removed) no longer receive the log. The target and the members are recomputed
  // every tick: an earlier attempt may still be acknowledged meanwhile, and the role policy may
  // still be changing the configuration.
  LogIndex target;
  std::vector<std::uint64_t> ids;
  std::vector<std::uint64_t> reads;  // one per leader asked
  std::pair<std::uint64_t, Term> read_at;
  bool read_done = false;
  bool converged = run_until(
      [&] {
        target = std::max(target, acked_high_);
        read_done = read_done || std::ranges::any_of(reads, [&](std::uint64_t ctx) {
                      return read_served(ctx);
                    });
        auto l = leader();
        if (!read_done && l && read_at != std::pair{*l, member(*l).core()->term()}) {
          // A read that lost its leader is never answered: the client asks the new one.
          if (auto r = read(*l); r.ok()) {
            reads.push_back(*r);
            read_at = {*l, member(*l).core()->term()};
          }
        }
        ids = configured();
        if (ids.empty() || !read_done) return false;
        if (options_.joins) {
          // The leader's membership loop has placed every member, and taken every removed one
          // out: the Raft configuration holds exactly the members' Raft ids.
          const raft::Core& lc = *member(*l).core();
          const auto& ms = member(*l).node->applied().membership();
          if (lc.committed_configuration().configuration.members.size() != ms.members().size()) return false;
          for (const auto& [name, mm] : ms.members())
            if (!lc.committed_configuration().configuration.contains(mm.raft_id)) return false;
          if (ids.size() != ms.members().size()) return false;
        }
        for (std::uint64_t id : ids) {
          const Member& m = member(id);
          if (m.applied < target || m.applied != member(ids.front()).applied) return false;
        }
        return true;
      },
      3 * bound_ticks);
  if (violation()) return false;
  if (!converged) {
    for (std::uint64_t id : ids) {
      if (member(id).applied < target) {
        checker_.fail("liveness: member " + std::to_string(id) + " applied only up to " +
                      std::to_string(member(id).applied.value) + " < " +
                      std::to_string(target.value) + " within " + std::to_string(3 * bound_ticks) +
                      " ticks");
        return false;
      }
    }
    if (ids.empty()) {
      checker_.fail("liveness: no leader at the end of the liveness phase");
    } else if (!read_done) {
      checker_.fail("liveness: no read at the leader served within " +
                    std::to_string(3 * bound_ticks) + " ticks");
    } else {
      std::string detail;
      if (auto l = leader()) {
        detail += " (leader " + std::to_string(*l) + " configuration {" +
                  raft::to_string(member(*l).core()->committed_configuration().configuration) + "}, members";
        for (const auto& [name, mm] : member(*l).node->applied().membership().members())
          detail += " " + name + "=" + std::to_string(mm.raft_id.value);
        detail += "; applied";
        for (std::uint64_t id : ids) detail += " " + std::to_string(id) + ":" + std::to_string(member(id).applied.value);
        detail += ")";
      }
      checker_.fail("liveness: members did not settle at one applied index within " +
                    std::to_string(3 * bound_ticks) + " ticks" + detail);
    }
    return false;
  }
  // Digests during the run may be sampled (SimOptions::digest_every_entries); the settled
  // members' whole states are compared here.
  for (std::uint64_t id : ids) {
    checker_.on_digest(NodeId(id), member(id).applied, state_digest(member(id).node->applied()));
  }
  if (violation()) return false;
  // Every acknowledged configuration change is in every member's log, at the index the client
  // was told.
  auto in_every_log = [&](LogIndex index, const std::string& bytes, const char* what) {
    for (std::uint64_t id : ids) {
      const raft::MemoryLog& log = member(id).store.view();
      if (index > log.last_index() || log.at(index).data != bytes) {
        checker_.fail(std::string("acknowledged ") + what + " lost: index " +
                      std::to_string(index.value) + " on member " + std::to_string(id));
        return false;
      }
    }
    return true;
  };
  for (const auto& [index, bytes] : acked_changes_) {
    if (!in_every_log(index, bytes, "configuration change")) return false;
  }
  return check_acked_visible(ids);
}

std::vector<std::uint64_t> Simulator::configured() const {
  std::vector<std::uint64_t> ids;
  auto l = leader();
  if (!l) return ids;
  for (const auto& [id, role] : member(*l).core()->committed_configuration().configuration.members) {
    if (auto machine = machine_of(id)) ids.push_back(*machine);
  }
  return ids;
}

std::optional<std::uint64_t> Simulator::machine_of(NodeId raft_id) const {
  if (!options_.joins) {
    if (raft_id.value >= 1 && raft_id.value <= members_.size()) return raft_id.value;
    return std::nullopt;
  }
  auto it = machine_of_raft_.find(raft_id.value);
  if (it == machine_of_raft_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::uint64_t> Simulator::machine_of_address(const std::string& address) const {
  // "10.0.0.<machine>:6686"
  const auto dot = address.rfind('.');
  const auto colon = address.find(':', dot == std::string::npos ? 0 : dot);
  if (dot == std::string::npos) return std::nullopt;
  std::uint64_t id = 0;
  for (std::size_t i = dot + 1; i < address.size() && i < colon; ++i) {
    if (address[i] < '0' || address[i] > '9') return std::nullopt;
    id = id * 10 + static_cast<std::uint64_t>(address[i] - '0');
  }
  if (id == 0 || id > members_.size()) return std::nullopt;
  return id;
}

bool Simulator::check_acked_visible(const std::vector<std::uint64_t>& ids) {
  // Every acknowledged request is in every member's requests projection, at the index the client
  // was told. (The projection remembers the last Requests::kWindowRequests batches; a seed
  // proposes far fewer.)
  for (const auto& [request_id, index] : acked_requests_) {
    for (std::uint64_t id : ids) {
      const Member* m = &member(id);
      auto applied = m->node->applied().requests().find(request_id);
      if (!applied || applied->index != index) {
        checker_.fail("acknowledged request not visible: " + request_id + " (index " +
                      std::to_string(index.value) + ") on member " + std::to_string(m->id) +
                      (applied ? " is at index " + std::to_string(applied->index.value)
                               : " is missing from the requests projection"));
        return false;
      }
    }
  }
  return true;
}

}  // namespace movn::sim
