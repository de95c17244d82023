// Simulator: membership under faults: the operator's random configuration changes (add,
// promote, demote, remove, the leader included) and leadership transfers during the safety phase,
// faults aimed at a change in flight, and the leader host's role policy (every phase).
#include "tests/sim/sim_member.h"
#include "tests/sim/simulator.h"

#include <algorithm>
#include <set>

#include "common/sha256.h"

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

// ---- SimOptions::joins: the cluster formed and changed as an operator does it ----

std::vector<std::string> Simulator::member_addresses() const {
  // What a token lists: every member's address, as the issuing member knows them.
  std::vector<std::string> out;
  auto l = leader();
  if (!l) return out;
  for (const auto& [name, m] : member(*l).node->applied().membership().members()) out.push_back(m.address);
  return out;
}

void Simulator::random_joins() {
  // Joins with a token already issued start (or start again after a crash, with the same request
  // id, so a join the cluster applied is answered with its first outcome).
  for (auto& m : members_) {
    if (m->node && !m->raft_id && !m->joining && !m->join_request_id.empty()) start_join(*m);
  }
  if (!random_mode_ || liveness_phase_) return;
  if (rng_.chance(faults_.join)) {
    // The operator adds a machine that is not a member: `cluster add` at a member, then the
    // machine joins with the token.
    std::vector<std::uint64_t> outside;
    // (One token at a time per machine: a second would replace the secret the first was issued
    // with, and its join would use another request id.)
    std::set<std::uint64_t> pending;
    for (const auto& [request, machine] : token_requests_) pending.insert(machine);
    for (const auto& m : members_)
      if (!m->raft_id && m->join_request_id.empty() && !m->joining && m->node && m->id != 1 && !pending.contains(m->id))
        outside.push_back(m->id);
    auto at = client_target();
    if (!outside.empty() && at && member(*at).raft_id) (void)add_machine(*at, outside[rng_.below(outside.size())]);
  }
  if (rng_.chance(faults_.remove)) {
    // The operator removes a member (now and then the leader itself) at any member.
    auto l = leader();
    auto at = client_target();
    if (l && at && member(*at).raft_id) {
      const auto& members = member(*l).node->applied().membership().members();
      if (members.size() > 1) {
        auto it = members.begin();
        std::advance(it, static_cast<std::ptrdiff_t>(rng_.below(members.size())));
        // As a careful operator does: never the last voter among the members (the others could
        // not take over until one of them has caught up and been promoted).
        const raft::Configuration& c = member(*l).core()->committed_configuration().configuration;
        std::size_t other_voters = 0;
        for (const auto& [name, mm] : members)
          if (name != it->first && c.is_voter(mm.raft_id)) ++other_voters;
        if (other_voters > 0) (void)remove_member(*at, it->first);
      }
    }
  }
  if (rng_.chance(faults_.clean_stop)) {
    // The leader stops cleanly: it hands leadership over first, then exits.
    if (auto l = leader(); l && member(*l).stop_at == 0) {
      Member& m = member(*l);
      auto to = m.node->hand_over();
      event(EventKind::kTransfer, m.id, to.ok() ? to->value : 0, m.core()->term().value);
      m.stop_at = now_ + 3;
      after_input(m);
    }
  }
}

Result<LogIndex> Simulator::add_machine(std::uint64_t at, std::uint64_t machine) {
  Member& joiner = member(machine);
  std::string secret;
  for (int k = 0; k < 4; ++k) {
    const std::uint64_t w = rng_.next();
    secret.append(reinterpret_cast<const char*>(&w), sizeof(w));
  }
  joiner.token_secret = secret;
  joiner.token_addresses = member_addresses();
  joiner.join_request_id.clear();
  const Digest hash = sha256(secret);
  const std::string id = next_request_id();
  token_requests_[id] = joiner.id;
  auto r = propose_command(at, commands::IssueTokenRequest{"m" + std::to_string(joiner.id),
                                                           std::string(hash.begin(), hash.end()), 400},
                           id);
  if (!r.ok()) token_requests_.erase(id);
  return r;
}

Result<LogIndex> Simulator::remove_member(std::uint64_t at, const std::string& name) {
  return propose_command(at, commands::RemoveMemberRequest{name}, next_request_id());
}

void Simulator::start_join(Member& m) {
  // The token's addresses (as `cluster join` has them), then the members known now; never its
  // own (a machine whose join was applied but never answered is listed as a member itself).
  const std::string own = "10.0.0." + std::to_string(m.id) + ":6686";
  std::vector<std::string> addresses;
  for (const auto& list : {m.token_addresses, member_addresses()})
    for (const auto& a : list)
      if (a != own && std::find(addresses.begin(), addresses.end(), a) == addresses.end()) addresses.push_back(a);
  if (addresses.empty()) return;
  m.joining = true;
  const std::string name = "m" + std::to_string(m.id);
  commands::JoinRequest request{name, "10.0.0." + std::to_string(m.id), sha256_hex(name), "sim certificate of " + name,
                                m.token_secret};
  const std::uint64_t id = m.id;
  m.node->join(std::move(request), m.join_request_id, std::move(addresses), [this, id](Result<host::Node::Admission> r) {
    Member& mm = member(id);
    mm.joining = false;
    if (!r.ok()) {
      // Refused (the token expired, was revoked or replaced): the operator may add it again.
      if (r.error().code != Errc::kUnavailable) {
        mm.join_request_id.clear();
        mm.token_secret.clear();
      }
      return;
    }
    // The cluster key travels with the admission; a member without it could not open the CA.
    if (r->shared != std::map<std::string, std::string>{{"cluster-key", kSimClusterKey}})
      checker_.on_broken(NodeId(id), "an admitted member did not receive the cluster's shared secrets");
    mm.raft_id = r->raft_id;
    machine_of_raft_[r->raft_id.value] = id;
    ++joined_;
  });
  after_input(m);
}

void Simulator::wipe(std::uint64_t id) {
  // A removed member moves its state aside and is a machine outside the cluster again, ready
  // to join anew (with a new Raft id).
  Member& m = member(id);
  if (m.raft_id) machine_of_raft_.erase(m.raft_id->value);
  crash(id);
  m.store = SimStore();
  m.raft_id.reset();
  m.token_secret.clear();
  m.token_addresses.clear();
  m.join_request_id.clear();
  m.wipe = false;
  ++removed_;
  restart(id);
}

}  // namespace movn::sim
