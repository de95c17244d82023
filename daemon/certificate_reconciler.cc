#include "daemon/certificate_reconciler.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>
#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "commands/decide.h"
#include "pki/cluster_ca.h"
#include "pki/seal.h"
#include "pki/secret_key.h"
#include "pki/service_files.h"

namespace movn::daemon {

namespace {

std::uint64_t ms_of(std::int64_t unix_s) { return unix_s > 0 ? static_cast<std::uint64_t>(unix_s) * 1000 : 0; }

}  // namespace

CertificateReconciler::CertificateReconciler(Node& node, host::Effects& effects, MemberContext& member,
                                             std::filesystem::path pki_dir, const Clock& clock)
    : node_(node), effects_(effects), member_(member), pki_dir_(std::move(pki_dir)), clock_(clock) {}

std::string CertificateReconciler::target() const {
  const auto& state = node_.applied();
  const auto& ca = state.certificates().ca();
  if (!ca || member_.cluster_key.empty() || member_.name.empty()) return {};
  if (state.membership().find(member_.name) == nullptr) return {};
  std::string t = ca->ca.fingerprint;
  for (std::string_view service : commands::kCertificateServices) {
    const auto* c = state.certificates().find(member_.name, service);
    t += ' ';
    t += (c != nullptr && c->ca_fingerprint == ca->ca.fingerprint) ? c->fingerprint : std::string("-");
  }
  return t;
}

std::string CertificateReconciler::ca_due() const {
  const auto& ca = node_.applied().certificates().ca();
  if (!ca || target().empty()) return {};
  const auto not_after_s = static_cast<std::int64_t>(ca->ca.not_after_ms / 1000);
  if (!due_for_renewal(not_after_s, now_s())) return {};
  if (ca->auto_renew) return ca->ca.fingerprint;
  if (warned_ca_ != ca->ca.fingerprint) {
    warned_ca_ = ca->ca.fingerprint;
    spdlog::warn("the operator's CA {} expires at {}: it is not renewed automatically (certificates set-ca)",
                 ca->ca.fingerprint, format_rfc3339(ca->ca.not_after_ms));
  }
  return {};
}

void CertificateReconciler::reissue(std::vector<std::string> services,
                                    std::function<void(Result<Reissued>)> done) {
  for (const auto& s : services) {
    if (std::find(std::begin(commands::kCertificateServices), std::end(commands::kCertificateServices), s) ==
        std::end(commands::kCertificateServices))
      return done(make_error(Errc::kInvalidArgument, "\"" + s + "\" is not a service that holds a certificate"));
  }
  if (target().empty())
    return done(make_error(Errc::kFailedPrecondition,
                           "this member holds no certificates to reissue (it is in no cluster, the cluster has "
                           "no CA, or this member has no cluster key)"));
  reissue_queue_.push_back(ReissueCall{std::move(services), std::move(done)});
}

void CertificateReconciler::tick() {
  ++ticks_;
  if (running_) return;
  if (!reissue_queue_.empty()) {
    // An operator's request runs now, even while a failure waits for its backoff.
    auto calls = std::move(reissue_queue_);
    reissue_queue_.clear();
    std::vector<std::string> forced;
    std::vector<std::function<void(Result<Reissued>)>> waiting;
    for (auto& c : calls) {
      for (auto& s : c.services)
        if (std::find(forced.begin(), forced.end(), s) == forced.end()) forced.push_back(s);
      auto services = c.services;
      waiting.push_back([services, done = std::move(c.done)](Result<Reissued> r) {
        if (!r.ok()) return done(std::move(r).error());
        Reissued mine;
        for (const auto& s : services)
          (std::find(r->success.begin(), r->success.end(), s) != r->success.end() ? mine.success : mine.failed)
              .push_back(s);
        done(std::move(mine));
      });
    }
    if (target().empty()) {
      for (auto& w : waiting) w(make_error(Errc::kFailedPrecondition, "this member holds no certificates to reissue"));
      return;
    }
    return start(std::move(forced), std::move(waiting));
  }
  if (ticks_ < retry_at_tick_) return;
  if (auto due = ca_due(); !due.empty()) return renew_ca(due);
  const std::string t = target();
  if (t.empty()) {
    // In a cluster with a CA but without the cluster key (it was not received when joining, or
    // identity/cluster.key was lost): nothing can be issued here, and /1.0/stats says so.
    const auto& state = node_.applied();
    if (member_.cluster_key.empty() && state.certificates().ca() && !member_.name.empty() &&
        state.membership().find(member_.name) != nullptr && stats_.last_error.empty()) {
      stats_.last_error = "this member has no cluster key (identity/" + std::string(pki::kClusterKeyFile) +
                          "): it cannot open the cluster CA to issue its certificates";
      spdlog::error("{}", stats_.last_error);
    }
    return;
  }
  if (t == converged_ && ticks_ < converged_at_tick_ + kRecheckTicks) return;
  start({}, {});
}

void CertificateReconciler::renew_ca(const std::string& old_fingerprint) {
  running_ = true;
  ++stats_.runs;
  auto made = std::make_shared<events::CaCertificate>();
  spdlog::info("the cluster CA {} expires within {} days: making a new one", old_fingerprint,
               kRenewWithinS / (24 * 3600));
  effects_.run(
      [made, key = member_.cluster_key, now = now_s()]() -> Result<void> {
        MOVN_ASSIGN_OR_RETURN(*made, pki::generate_sealed_ca(now, key));
        return {};
      },
      [this, made, old_fingerprint](Result<void> r) {
        if (!r.ok()) return finish(std::move(r).error().wrap("renewing the CA"), {}, 0, {});
        node_.propose(commands::SetCaRequest{*made, true, old_fingerprint},
                      RequestMeta{"ca-renewal-" + old_fingerprint, events::Actor{member_.name, {}}},
                      [this, fp = made->fingerprint](Result<Outcome> o) {
                        running_ = false;
                        // Another member renewed it first (kConflict, or this request id applied
                        // already): one new CA either way.
                        if (o.ok() || o.error().code == Errc::kConflict) {
                          if (o.ok() && !o->duplicate) {
                            ++stats_.ca_renewals;
                            spdlog::info("the cluster CA is now {}", fp);
                          }
                          return;
                        }
                        ++stats_.failures;
                        stats_.last_error = "renewing the CA: " + o.error().message;
                        spdlog::warn("{} (retrying in {} s)", stats_.last_error, backoff_ticks_ / 10);
                        back_off();
                      });
      });
}

void CertificateReconciler::start(std::vector<std::string> forced,
                                  std::vector<std::function<void(Result<Reissued>)>> waiting) {
  running_ = true;
  ++stats_.runs;
  const auto& state = node_.applied();
  // What the effect needs, copied: it shares nothing with the core thread.
  struct Work {
    events::CaCertificate ca;
    std::string cluster_key;
    std::string member;
    std::filesystem::path dir;
    std::int64_t now = 0;
    std::vector<std::string> forced;
    std::map<std::string, std::string> recorded;  // service -> fingerprint the projection holds
    std::vector<events::CertificateIssued> to_record;
    std::map<std::string, std::string> errors;  // service -> why it could not be issued
    std::uint64_t issued = 0;
    std::uint64_t unforced = 0;  // issued without being asked to (the churn guard counts these)
  };
  auto work = std::make_shared<Work>();
  work->ca = state.certificates().ca()->ca;
  work->cluster_key = member_.cluster_key;
  work->member = member_.name;
  work->dir = pki_dir_;
  work->now = now_s();
  work->forced = std::move(forced);
  for (std::string_view service : commands::kCertificateServices) {
    const auto* c = state.certificates().find(member_.name, service);
    if (c != nullptr && c->ca_fingerprint == work->ca.fingerprint) work->recorded[std::string(service)] = c->fingerprint;
  }
  const std::string t = target();
  auto waiting_shared = std::make_shared<std::vector<std::function<void(Result<Reissued>)>>>(std::move(waiting));
  // Answers the reissue calls: a forced service succeeded if it was issued and recorded.
  auto answer = [work, waiting_shared](const std::map<std::string, std::string>& record_errors) {
    Reissued r;
    for (const auto& s : work->forced)
      (work->errors.contains(s) || record_errors.contains(s) ? r.failed : r.success).push_back(s);
    for (auto& w : *waiting_shared) w(r);
    waiting_shared->clear();
  };
  effects_.run(
      [work]() -> Result<void> {
        const std::int64_t now = work->now;
        MOVN_TRY(pki::write_ca_file(work->dir, work->ca.certificate));
        std::string ca_key;  // opened only if a certificate must be issued
        for (std::string_view service : commands::kCertificateServices) {
          const bool force =
              std::find(work->forced.begin(), work->forced.end(), service) != work->forced.end();
          std::optional<pki::ServiceCertificate> have;
          if (!force) {
            MOVN_ASSIGN_OR_RETURN(have, pki::usable_service_certificate(work->dir, work->member, service,
                                                                        work->ca.certificate, now));
            if (have && due_for_renewal(have->info.not_after_unix_s, now)) have.reset();
          }
          if (!have) {
            if (ca_key.empty()) {
              auto opened = pki::open_ca_key(work->ca, work->cluster_key);
              if (!opened.ok()) return std::move(opened).error();
              ca_key = std::move(opened).value();
            }
            auto issued = pki::issue_service_files(work->dir, work->member, service, work->ca.certificate, ca_key, now);
            if (!issued.ok()) {
              work->errors[std::string(service)] = issued.error().message;
              continue;
            }
            have = std::move(issued).value();
            ++work->issued;
            if (!force) ++work->unforced;
          }
          auto it = work->recorded.find(std::string(service));
          if (it != work->recorded.end() && it->second == have->info.fingerprint_hex) continue;
          work->to_record.push_back(events::CertificateIssued{
              work->member, std::string(service), have->cert_pem, have->info.serial_hex, have->info.fingerprint_hex,
              ms_of(have->info.not_before_unix_s), ms_of(have->info.not_after_unix_s), work->ca.fingerprint});
        }
        pki::wipe(ca_key);
        if (!work->errors.empty()) {
          const auto& [service, why] = *work->errors.begin();
          return make_error(Errc::kInternal, "issuing the " + service + " certificate: " + why);
        }
        return {};
      },
      [this, work, t, answer](Result<void> r) {
        stats_.issued += work->issued;
        if (work->issued > 0) spdlog::info("issued {} service certificates from CA {}", work->issued, work->ca.fingerprint);
        if (!r.ok() && work->to_record.empty()) {
          // Nothing issued to record: every forced service that was not issued failed.
          for (const auto& s : work->forced) work->errors.emplace(s, r.error().message);
          answer({});
          return finish(std::move(r), t, work->unforced, work->ca.fingerprint);
        }
        if (work->to_record.empty()) {
          answer({});
          return finish({}, t, work->unforced, work->ca.fingerprint);
        }
        // Record each; the run succeeds once every one is applied (or was already), and the
        // certificates that were issued are recorded even when another failed.
        struct Recording {
          std::size_t left = 0;
          std::optional<Error> failed;
          std::map<std::string, std::string> errors;
        };
        auto rec = std::make_shared<Recording>();
        rec->left = work->to_record.size();
        if (!r.ok()) rec->failed = r.error();
        for (const auto& c : work->to_record) {
          node_.propose(commands::RecordCertificateRequest{c},
                        RequestMeta{"certificate-" + c.fingerprint, events::Actor{work->member, {}}},
                        [this, rec, t, answer, service = c.service, unforced = work->unforced,
                         ca = work->ca.fingerprint](Result<Outcome> o) {
                          if (o.ok()) {
                            ++stats_.recorded;
                          } else {
                            rec->errors[service] = o.error().message;
                            if (!rec->failed) rec->failed = std::move(o).error().wrap("recording the " + service + " certificate");
                          }
                          if (--rec->left > 0) return;
                          answer(rec->errors);
                          finish(rec->failed ? Result<void>(*rec->failed) : Result<void>(), t, unforced, ca);
                        });
        }
      });
}

void CertificateReconciler::finish(Result<void> r, const std::string& target, std::uint64_t issued,
                                   const std::string& ca) {
  running_ = false;
  if (issued > 0) {
    const bool churn = last_issue_tick_ != 0 && ca == last_issue_ca_ && ticks_ < last_issue_tick_ + kChurnTicks;
    last_issue_tick_ = ticks_;
    last_issue_ca_ = ca;
    if (churn) {
      ++stats_.churn;
      spdlog::warn("service certificates were issued again within {} s of the last issue: is {} shared with "
                   "another member, or changed by something else? (next check in {} s)",
                   kChurnTicks / 10, pki_dir_.string(), backoff_ticks_ / 10);
      back_off();
      if (r.ok()) {
        converged_ = target;
        converged_at_tick_ = ticks_;
      }
      return;
    }
  }
  if (r.ok()) {
    backoff_ticks_ = kBackoffFirstTicks;
    // Converged on what the projection said when the run began; if recording changed it (it
    // does, the first time), the next tick finds the files usable and records nothing.
    converged_ = target;
    converged_at_tick_ = ticks_;
    ++stats_.converged;
    return;
  }
  ++stats_.failures;
  stats_.last_error = r.error().message;
  spdlog::warn("service certificates: {} (retrying in {} s)", r.error().message, backoff_ticks_ / 10);
  back_off();
}

void CertificateReconciler::back_off() {
  retry_at_tick_ = ticks_ + backoff_ticks_;
  backoff_ticks_ = std::min(backoff_ticks_ * 2, kBackoffMaxTicks);
}

}  // namespace movn::daemon
