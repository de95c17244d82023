// Simulator: membership under faults: the operator's random configuration changes (add,
// promote, demote, remove, the leader included) and leadership transfers during the safety phase,
// faults aimed at a change in flight, and the leader host's role policy (every phase).
#include "tests/sim/sim_member.h"
#include "tests/sim/simulator.h"

namespace movn::sim {
namespace {

constexpr raft::MemberRole kVoter = raft::MemberRole::kVoter;
constexpr raft::MemberRole kStandby = raft::MemberRole::kStandby;
constexpr raft::MemberRole kSpare = raft::MemberRole::kSpare;

std::uint64_t pick(Rng& rng, const std::vector<std::uint64_t>& ids) {
  return ids[rng.below(ids.size())];
}

// The member that lags most in a leader's view (lowest match, then lowest id); the first of ids
// if `core` does not lead.
std::uint64_t most_lagging(const raft::Core& core, const std::vector<std::uint64_t>& ids) {
  std::uint64_t best = ids.front();
  for (std::uint64_t id : ids) {
    const raft::Progress* pr = core.progress(NodeId(id));
    const raft::Progress* best_pr = core.progress(NodeId(best));
    if (pr && best_pr && pr->match < best_pr->match) best = id;
  }
  return best;
}

}  // namespace

void Simulator::random_membership() {
  if (rng_.chance(faults_.change)) random_change();
  if (rng_.chance(faults_.transfer)) random_transfer();
}

void Simulator::random_change() {
  // The operator reaches members like clients do: mostly the newest leader.
  std::optional<std::uint64_t> at = client_target();
  if (!at) return;
  const raft::Core& core = *member(*at).core();
  const raft::Configuration& c = core.configuration();
  std::vector<std::uint64_t> outside, voters, non_voters, in;
  for (const auto& m : members_) {
    std::optional<raft::MemberRole> role = c.role(NodeId(m->id));
    if (!role) {
      outside.push_back(m->id);
      continue;
    }
    in.push_back(m->id);
    (*role == kVoter ? voters : non_voters).push_back(m->id);
  }
  std::uint64_t target = 0;
  std::optional<raft::MemberRole> role;
  const std::uint64_t op = rng_.below(100);
  if (op < 25) {
    // Add a machine (a removed one comes back with the log it kept), now and then straight
    // to voter: a member with nothing of the log yet counts toward the quorum at once.
    if (outside.empty()) return;
    target = pick(rng_, outside);
    const std::uint64_t r = rng_.below(10);
    role = r < 4 ? kSpare : r < 8 ? kStandby : kVoter;
  } else if (op < 50) {
    // Promote, half the time the member that lags most (unlike the role policy, which waits
    // for a catch-up round).
    if (non_voters.empty()) return;
    target = rng_.chance(0.5) ? most_lagging(core, non_voters) : pick(rng_, non_voters);
    role = kVoter;
  } else if (op < 65) {
    // Demote a voter; sometimes the leader itself, which hands over.
    if (voters.empty()) return;
    target = rng_.chance(0.25) && c.is_voter(NodeId(*at)) ? *at : pick(rng_, voters);
    role = rng_.chance(0.5) ? kStandby : kSpare;
  } else if (op < 85) {
    // Remove a member; sometimes the leader itself.
    if (in.empty()) return;
    target = rng_.chance(0.25) && c.contains(NodeId(*at)) ? *at : pick(rng_, in);
  } else {
    // A spare becomes a stand-by, or the reverse.
    if (non_voters.empty()) return;
    target = pick(rng_, non_voters);
    role = c.role(NodeId(target)) == kSpare ? kStandby : kSpare;
  }
  if (!propose_change(*at, target, role).ok()) return;
  if (!rng_.chance(faults_.fault_after_change)) return;
  // A crash during the change: the leader before its entry leaves (so it alone may hold the new
  // configuration), or the member being changed.
  switch (rng_.below(3)) {
    case 0:
      if (up(*at)) crash_for(*at);
      break;
    case 1: isolate(*at); break;
    default:
      if (up(target)) crash_for(target);
      break;
  }
}

void Simulator::random_transfer() {
  std::optional<std::uint64_t> at = client_target();
  if (!at) return;
  const raft::Core& core = *member(*at).core();
  std::vector<std::uint64_t> voters;
  for (NodeId v : core.configuration().voters()) {
    if (v.value != *at) voters.push_back(v.value);
  }
  if (voters.empty()) return;
  // Half the time to the voter that lags most: it must be brought up to date first.
  std::uint64_t to = rng_.chance(0.5) ? most_lagging(core, voters) : pick(rng_, voters);
  (void)transfer(*at, to);
}

void Simulator::run_role_policy() {
  const int every = options_.role_policy_every_ticks;
  if (every <= 0 || now_ % static_cast<std::uint64_t>(every) != 0) return;
  // Every member's host polls its core; only a leader's answers.
  for (auto& m : members_) {
    if (!m->core() || m->core()->role() != raft::Role::kLeader) continue;
    if (std::optional<raft::RoleChange> c = m->core()->next_role_change()) {
      (void)propose_change(m->id, c->member.value, c->role);
    }
  }
}

}  // namespace movn::sim
