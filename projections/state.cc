#include "projections/state.h"

#include "projections/test_hooks.h"

#include <cassert>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

namespace movn::projections {
namespace {
bool dedup_at_apply() {
#ifdef MOVN_PROJECTIONS_TEST_HOOKS
  return !test_hooks().apply_without_dedup;
#else
  return true;
#endif
}
}  // namespace

#ifdef MOVN_PROJECTIONS_TEST_HOOKS
TestHooks& test_hooks() {
  static TestHooks hooks;
  return hooks;
}
#endif

bool State::preconditions_hold(const events::EventBatch& batch) const {
  // Effects of earlier events of the same batch, so a batch is checked as a sequence.
  bool bootstrapped = membership_.bootstrapped();
  std::set<std::string_view> joined, issued, revoked, set_keys, deleted_keys, removed_names;
  std::set<NodeId> joined_ids;
  // The CA fingerprint a certificate_issued must name: the CA current at that point of the batch.
  std::string_view ca_fingerprint = certificates_.ca() ? std::string_view(certificates_.ca()->ca.fingerprint) : "";
  const std::uint64_t now = batch.cluster_time.value;
  auto has_token = [&](std::string_view name) {
    if (issued.contains(name)) return true;
    if (revoked.contains(name)) return false;
    return tokens_.find(name) != nullptr;
  };
  // Services switched on and off earlier in the batch: member -> service -> enabled.
  std::map<std::string_view, std::map<std::string_view, bool>> switched;
  auto service_enabled = [&](std::string_view member, std::string_view service) {
    if (auto m = switched.find(member); m != switched.end())
      if (auto s = m->second.find(service); s != m->second.end()) return s->second;
    return services_.enabled(member, service);
  };
  auto current_member = [&](std::string_view name) {
    return (membership_.find(name) != nullptr || joined.contains(name)) && !removed_names.contains(name);
  };
  for (const auto& e : batch.events) {
    if (const auto* b = std::get_if<events::ClusterBootstrapped>(&e)) {
      if (bootstrapped) return false;
      bootstrapped = true;
      (void)b;
    } else if (const auto* j = std::get_if<events::MemberJoined>(&e)) {
      if (!bootstrapped || membership_.find(j->name) != nullptr || joined.contains(j->name)) return false;
      if (membership_.find(events::raft_id_of(*j)) != nullptr || joined_ids.contains(events::raft_id_of(*j)))
        return false;
      joined.insert(j->name);
      joined_ids.insert(events::raft_id_of(*j));
    } else if (const auto* t = std::get_if<events::JoinTokenIssued>(&e)) {
      if (!bootstrapped || membership_.find(t->name) != nullptr || joined.contains(t->name)) return false;
      if (has_token(t->name)) {
        const Token* old = tokens_.find(t->name);
        bool replaceable = !issued.contains(t->name) && old != nullptr && old->expired_at(now);
        if (!replaceable) return false;
      }
      issued.insert(t->name);
      revoked.erase(t->name);
    } else if (const auto* r = std::get_if<events::JoinTokenRevoked>(&e)) {
      if (!has_token(r->name)) return false;
      // A join uses a token only while it is valid at the batch's cluster time.
      if (r->reason == events::RevokeReason::kUsed && !issued.contains(r->name)) {
        const Token* t = tokens_.find(r->name);
        if (t != nullptr && t->expired_at(now)) return false;
      }
      revoked.insert(r->name);
      issued.erase(r->name);
    } else if (const auto* rm = std::get_if<events::MemberRemoved>(&e)) {
      // The member exists, with that Raft id, and is not the last one.
      const Member* m = membership_.find(rm->name);
      if (!bootstrapped || m == nullptr || m->raft_id != NodeId(rm->raft_id) || removed_names.contains(rm->name))
        return false;
      removed_names.insert(rm->name);
      if (membership_.members().size() + joined.size() <= removed_names.size()) return false;
    } else if (const auto* g = std::get_if<events::CaGenerated>(&e)) {
      if (!bootstrapped) return false;
      ca_fingerprint = g->ca.fingerprint;
    } else if (const auto* cs = std::get_if<events::CaSet>(&e)) {
      if (!bootstrapped) return false;
      ca_fingerprint = cs->ca.fingerprint;
    } else if (const auto* ci = std::get_if<events::CertificateIssued>(&e)) {
      // Issued to a current member, from the CA that is current: one issued from a CA that was
      // replaced meanwhile is superseded, and its member issues again from the new one.
      const bool member = (membership_.find(ci->member) != nullptr || joined.contains(ci->member)) &&
                          !removed_names.contains(ci->member);
      if (!member || ca_fingerprint.empty() || ci->ca_fingerprint != ca_fingerprint) return false;
    } else if (const auto* se = std::get_if<events::ServiceEnabled>(&e)) {
      // A known service, on a current member that does not run it yet.
      if (!is_service(se->service) || !current_member(se->member) || service_enabled(se->member, se->service))
        return false;
      switched[se->member][se->service] = true;
    } else if (const auto* sd = std::get_if<events::ServiceDisabled>(&e)) {
      if (!current_member(sd->member) || !service_enabled(sd->member, sd->service)) return false;
      switched[sd->member][sd->service] = false;
    } else if (const auto* sv = std::get_if<events::SchemaVersionReported>(&e)) {
      if (!current_member(sv->member)) return false;
    } else if (const auto* cr = std::get_if<events::CentralReady>(&e)) {
      // Only a member that runs central can be a ready one.
      if (!current_member(cr->member) || !service_enabled(cr->member, "central")) return false;
    } else if (std::holds_alternative<events::ConfigSet>(e)) {
      if (!bootstrapped) return false;
    } else if (const auto* d = std::get_if<events::ConfigDeleted>(&e)) {
      if (!bootstrapped) return false;
      (void)d;
    }
  }
  return true;
}

ApplyOutcome State::apply_batch(const events::EventBatch& batch, LogIndex index, Term term) {
  assert(index > applied_index_);
  auto advance = [&] {
    applied_index_ = index;
    if (batch.cluster_time.value > last_time_ms_) last_time_ms_ = batch.cluster_time.value;
  };
  if (auto first = requests_.find(batch.request_id); first && dedup_at_apply()) {
    advance();
    // Batches written before digests existed carry none: their ids can only be compared.
    const bool same = first->digest.empty() || batch.request_digest.empty() || first->digest == batch.request_digest;
    return same ? ApplyOutcome::kDuplicate : ApplyOutcome::kReusedId;
  }
  if (requests_.expired(batch.request_id)) {
    advance();
    return ApplyOutcome::kExpired;
  }
  if (!preconditions_hold(batch)) {
    requests_.record(batch.request_id, index, /*superseded=*/true, batch.request_digest, batch.cluster_time.value);
    advance();
    return ApplyOutcome::kSuperseded;
  }
  ApplyContext ctx{index, term, batch.cluster_time, batch};
  for (const auto& e : batch.events) {
    membership_.apply(e, ctx);
    tokens_.apply(e, ctx);
    config_.apply(e, ctx);
    certificates_.apply(e, ctx);
    services_.apply(e, ctx);
  }
  requests_.record(batch.request_id, index, /*superseded=*/false, batch.request_digest, batch.cluster_time.value);
  advance();
  return ApplyOutcome::kApplied;
}

void State::skip(LogIndex index) {
  assert(index > applied_index_);
  applied_index_ = index;
}

std::vector<ProjectionInfo> State::describe() const {
  std::vector<ProjectionInfo> out;
  for (const auto* p : all()) out.push_back({std::string(p->name()), applied_index_, to_hex(p->digest())});
  return out;
}

std::string State::checkpoint() const {
  nlohmann::json j;
  j["applied_index"] = applied_index_.value;
  j["last_time_ms"] = last_time_ms_;
  for (const auto* p : all()) {
    std::string snap = p->snapshot();
    j["projections"][std::string(p->name())] =
        nlohmann::json::binary(std::vector<std::uint8_t>(snap.begin(), snap.end()));
  }
  auto bytes = nlohmann::json::to_cbor(j);
  return std::string(bytes.begin(), bytes.end());
}

Result<void> State::restore_checkpoint(std::string_view bytes) {
  State fresh;
  // from_cbor recurses per nesting level: bound the depth (and check text) without recursion first.
  if (auto c = check_cbor(bytes, kMaxCheckpointDepth); !c.ok())
    return std::move(c).error().wrap("checkpoint does not parse");
  try {
    auto j = nlohmann::json::from_cbor(bytes.begin(), bytes.end());
    fresh.applied_index_ = LogIndex(snapshot_u64(j.at("applied_index")));
    fresh.last_time_ms_ = snapshot_u64(j.at("last_time_ms"));
    const auto& ps = j.at("projections");
    std::vector<Projection*> targets = {&fresh.membership_, &fresh.tokens_, &fresh.config_,
                                        &fresh.requests_, &fresh.certificates_, &fresh.services_};
    for (auto* p : targets) {
      // A checkpoint written before a projection existed has no entry for it: the log it covers
      // held none of that projection's events, so it starts empty.
      if ((p == &fresh.certificates_ || p == &fresh.services_) && !ps.contains(std::string(p->name()))) continue;
      const auto& bin = ps.at(std::string(p->name())).get_binary();
      MOVN_TRY(p->restore(std::string_view(reinterpret_cast<const char*>(bin.data()), bin.size())));
    }
  } catch (const std::exception& ex) {
    return make_error(Errc::kCorruption, std::string("checkpoint does not parse: ") + ex.what());
  }
  *this = std::move(fresh);
  return {};
}

}  // namespace movn::projections
