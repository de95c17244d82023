#include "daemon/certificate_reconciler.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "commands/decide.h"
#include "pki/cluster_ca.h"
#include "pki/seal.h"
#include "pki/service_files.h"

namespace movn::daemon {

namespace {

std::uint64_t ms_of(std::int64_t unix_s) { return unix_s > 0 ? static_cast<std::uint64_t>(unix_s) * 1000 : 0; }

}  // namespace

CertificateReconciler::CertificateReconciler(Node& node, host::Effects& effects, MemberContext& member,
                                             std::filesystem::path pki_dir)
    : node_(node), effects_(effects), member_(member), pki_dir_(std::move(pki_dir)) {}

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

void CertificateReconciler::tick() {
  ++ticks_;
  if (running_ || ticks_ < retry_at_tick_) return;
  const std::string t = target();
  if (t.empty()) return;
  if (t == converged_ && ticks_ < converged_at_tick_ + kRecheckTicks) return;
  start();
}

void CertificateReconciler::start() {
  running_ = true;
  ++stats_.runs;
  const auto& state = node_.applied();
  // What the effect needs, copied: it shares nothing with the core thread.
  struct Work {
    events::CaCertificate ca;
    std::string cluster_key;
    std::string member;
    std::filesystem::path dir;
    std::map<std::string, std::string> recorded;  // service -> fingerprint the projection holds
    std::vector<events::CertificateIssued> to_record;
    std::uint64_t issued = 0;
  };
  auto work = std::make_shared<Work>();
  work->ca = state.certificates().ca()->ca;
  work->cluster_key = member_.cluster_key;
  work->member = member_.name;
  work->dir = pki_dir_;
  for (std::string_view service : commands::kCertificateServices) {
    const auto* c = state.certificates().find(member_.name, service);
    if (c != nullptr && c->ca_fingerprint == work->ca.fingerprint) work->recorded[std::string(service)] = c->fingerprint;
  }
  const std::string t = target();
  effects_.run(
      [work]() -> Result<void> {
        const std::int64_t now = std::time(nullptr);
        MOVN_TRY(pki::write_ca_file(work->dir, work->ca.certificate));
        std::string ca_key;  // opened only if a certificate must be issued
        for (std::string_view service : commands::kCertificateServices) {
          MOVN_ASSIGN_OR_RETURN(auto have,
                                pki::usable_service_certificate(work->dir, work->member, service, work->ca.certificate, now));
          if (!have) {
            if (ca_key.empty()) {
              MOVN_ASSIGN_OR_RETURN(ca_key, pki::open_ca_key(work->ca, work->cluster_key));
            }
            auto issued = pki::issue_service_files(work->dir, work->member, service, work->ca.certificate, ca_key, now);
            if (!issued.ok()) {
              pki::wipe(ca_key);
              return std::move(issued).error().wrap("issuing the " + std::string(service) + " certificate");
            }
            have = std::move(issued).value();
            ++work->issued;
          }
          auto it = work->recorded.find(std::string(service));
          if (it != work->recorded.end() && it->second == have->info.fingerprint_hex) continue;
          work->to_record.push_back(events::CertificateIssued{
              work->member, std::string(service), have->cert_pem, have->info.serial_hex, have->info.fingerprint_hex,
              ms_of(have->info.not_before_unix_s), ms_of(have->info.not_after_unix_s), work->ca.fingerprint});
        }
        pki::wipe(ca_key);
        return {};
      },
      [this, work, t](Result<void> r) {
        if (!r.ok()) return finish(std::move(r), t, work->issued);
        stats_.issued += work->issued;
        if (work->issued > 0) spdlog::info("issued {} service certificates from CA {}", work->issued, work->ca.fingerprint);
        if (work->to_record.empty()) return finish({}, t, work->issued);
        // Record each; the run succeeds once every one is applied (or was already).
        auto left = std::make_shared<std::size_t>(work->to_record.size());
        auto failed = std::make_shared<std::optional<Error>>();
        for (const auto& c : work->to_record) {
          node_.propose(commands::RecordCertificateRequest{c},
                        RequestMeta{"certificate-" + c.fingerprint, events::Actor{work->member, {}}},
                        [this, left, failed, t, issued = work->issued](Result<Outcome> o) {
                          if (o.ok()) {
                            ++stats_.recorded;
                          } else if (!*failed) {
                            *failed = std::move(o).error();
                          }
                          if (--*left > 0) return;
                          finish(*failed ? Result<void>(**failed) : Result<void>(), t, issued);
                        });
        }
      });
}

void CertificateReconciler::finish(Result<void> r, const std::string& target, std::uint64_t issued) {
  running_ = false;
  if (issued > 0) {
    const bool churn = last_issue_tick_ != 0 && ticks_ < last_issue_tick_ + kChurnTicks;
    last_issue_tick_ = ticks_;
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
