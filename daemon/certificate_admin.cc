#include "daemon/certificate_admin.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>

#include "commands/decide.h"
#include "pki/certificate.h"
#include "pki/cluster_ca.h"
#include "pki/seal.h"

namespace movn::daemon {

CertificateAdmin::CertificateAdmin(Node& node, host::Effects& effects, MemberContext& member, const Clock& clock)
    : node_(node), effects_(effects), member_(member), clock_(clock) {}

void CertificateAdmin::regenerate(const std::string& request_id, const events::Actor& actor, Done done) {
  if (!node_.applied().membership().bootstrapped())
    return done(make_error(Errc::kFailedPrecondition,
                           "this member is not part of a cluster yet (run 'microovn cluster bootstrap')"));
  if (member_.cluster_key.empty())
    return done(make_error(Errc::kFailedPrecondition, "this member has no cluster key: it cannot seal a new CA"));
  auto made = std::make_shared<events::CaCertificate>();
  effects_.run(
      [made, key = member_.cluster_key, now = static_cast<std::int64_t>(clock_.now_ms() / 1000)]() -> Result<void> {
        MOVN_ASSIGN_OR_RETURN(*made, pki::generate_sealed_ca(now, key));
        return {};
      },
      [this, made, request_id, actor, done = std::move(done)](Result<void> r) mutable {
        if (!r.ok()) return done(std::move(r).error().wrap("failed to make a new CA"));
        propose(std::move(*made), true, request_id, actor, std::move(done));
      });
}

void CertificateAdmin::set_ca(std::string cert_pem, std::string key_pem, const std::string& request_id,
                              const events::Actor& actor, Done done) {
  if (!node_.applied().membership().bootstrapped()) {
    pki::wipe(key_pem);
    return done(make_error(Errc::kFailedPrecondition,
                           "this member is not part of a cluster yet (run 'microovn cluster bootstrap')"));
  }
  if (member_.cluster_key.empty()) {
    pki::wipe(key_pem);
    return done(make_error(Errc::kFailedPrecondition, "this member has no cluster key: it cannot seal the CA"));
  }
  struct Work {
    pki::KeyPair pair;
    events::CaCertificate sealed;
  };
  auto work = std::make_shared<Work>();
  work->pair.cert_pem = std::move(cert_pem);
  work->pair.key_pem = std::move(key_pem);
  pki::wipe(key_pem);
  effects_.run(
      [work, key = member_.cluster_key]() -> Result<void> {
        auto checked = pki::check_ca_bundle(work->pair.cert_pem, work->pair.key_pem);
        auto sealed = checked.ok() ? pki::seal_ca(work->pair, key) : Result<events::CaCertificate>(checked.error());
        pki::wipe(work->pair.key_pem);
        if (!sealed.ok()) return std::move(sealed).error();
        work->sealed = std::move(sealed).value();
        return {};
      },
      [this, work, request_id, actor, done = std::move(done)](Result<void> r) mutable {
        if (!r.ok()) return done(std::move(r).error().wrap("invalid CA"));
        propose(std::move(work->sealed), false, request_id, actor, std::move(done));
      });
}

void CertificateAdmin::propose(events::CaCertificate ca, bool generated, const std::string& request_id,
                               const events::Actor& actor, Done done) {
  const std::string fingerprint = ca.fingerprint;
  node_.propose(commands::SetCaRequest{std::move(ca), generated, ""}, RequestMeta{request_id, actor},
                [this, fingerprint, done = std::move(done)](Result<Outcome> o) mutable {
                  if (!o.ok()) return done(std::move(o).error());
                  const auto& state = node_.applied();
                  const auto& current = state.certificates().ca();
                  // Nothing recorded: the operator's CA was set already.
                  if (o->index.value == 0 && !o->duplicate) return done(Report{});
                  // A retry of a regenerate answers for the CA its first attempt made.
                  std::string fp = current ? current->ca.fingerprint : fingerprint;
                  // Who the cluster reaches, as fresh as a read barrier makes it (a follower
                  // learns it from the leader's answer).
                  node_.read_barrier([this, fp, done = std::move(done)](Result<void>) mutable {
                    start_report(std::move(fp), std::move(done));
                  });
                });
}

void CertificateAdmin::start_report(std::string fingerprint, Done done) {
  const auto& state = node_.applied();
  Pending p;
  p.fingerprint = std::move(fingerprint);
  for (const auto& [name, m] : state.membership().members()) {
    if (name != member_.name && !node_.reachable(m.raft_id)) {
      p.errors.push_back("failed to contact cluster member with address \"" + m.address +
                         "\": it is not reachable from the cluster");
      continue;
    }
    p.waiting.push_back(name);
  }
  p.deadline_tick = ticks_ + kReportWaitTicks;
  p.done = std::move(done);
  spdlog::info("the cluster CA is now {}: waiting for {} members to issue their certificates", p.fingerprint,
               p.waiting.size());
  if (!answer_if_done(p, false)) pending_.push_back(std::move(p));
}

bool CertificateAdmin::answer_if_done(Pending& p, bool due) {
  const auto& certs = node_.applied().certificates();
  Report report;
  report.new_ca = true;
  report.errors = p.errors;
  bool complete = true;
  for (const auto& name : p.waiting) {
    auto& host = report.hosts[name];
    for (std::string_view service : commands::kCertificateServices) {
      const auto* c = certs.find(name, service);
      const bool done = c != nullptr && c->ca_fingerprint == p.fingerprint;
      complete = complete && done;
      (done ? host.success : host.failed).emplace_back(service);
    }
  }
  if (!complete && !due) return false;
  p.done(std::move(report));
  return true;
}

void CertificateAdmin::tick() {
  ++ticks_;
  if (pending_.empty()) return;
  std::vector<Pending> still;
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& p : pending)
    if (!answer_if_done(p, ticks_ >= p.deadline_tick)) still.push_back(std::move(p));
  for (auto& p : still) pending_.push_back(std::move(p));
}

}  // namespace movn::daemon
