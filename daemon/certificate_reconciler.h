// The certificate reconciler: converges this member's OVN service certificates (data/pki) on the
// certificates projection. When the cluster's CA is one this member has not yet issued every
// service certificate from, or the projection lacks one of this member's certificates, it runs
// an effect (off the core thread) that writes the CA certificate, keeps every certificate on disk
// that the current CA issued and that is still valid, issues the others (the CA's key opened
// with the cluster key, only there), and then records each certificate the projection does not
// hold (`certificate_issued`, request id "certificate-<fingerprint>", so a retry is deduplicated).
// It runs at start, whenever the projection changes, and every 10 minutes (lost files, renewal).
// Renewal: a certificate within 10 days of its expiry is issued again; a CA the cluster generated
// (auto_renew) within 10 days of its expiry is replaced by a new one (ca_generated, request id
// "ca-renewal-<old fingerprint>", refused if another member replaced it first), after which every
// member issues its certificates again. An operator's CA is never replaced. Time is the clock the
// Node reads (tests inject one). `certificates reissue` asks it to issue given services again
// (reissue()), whether or not the ones it holds are usable.
// Idempotent; one effect at a time; a failure is retried after a backoff (5 s doubling to 5 min).
// Core thread only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "daemon/api.h"
#include "daemon/host_seams.h"
#include "common/time.h"
#include "host/seams.h"

namespace movn::daemon {

class CertificateReconciler {
 public:
  // `pki_dir`: where OVN's certificate files go (<parent of STATE_DIR>/data/pki).
  CertificateReconciler(Node& node, host::Effects& effects, MemberContext& member, std::filesystem::path pki_dir,
                        const Clock& clock = system_clock());

  // Called every daemon tick: starts an effect when the projection and what this member last
  // converged on differ, unless one runs or a failed one waits for its backoff.
  void tick();

  static constexpr std::uint64_t kBackoffFirstTicks = 50;   // 5 s
  static constexpr std::uint64_t kBackoffMaxTicks = 3000;  // 5 min
  // What it converged on is checked again this often (files lost or damaged, a certificate near
  // its expiry), and at start.
  static constexpr std::uint64_t kRecheckTicks = 6000;  // 10 min
  // Issuing again this soon after the last issue means something else changes data/pki (another
  // member sharing it by mistake): the reconciler then backs off as after a failure, so the log
  // does not fill with certificates.
  static constexpr std::uint64_t kChurnTicks = 600;  // 1 min
  // Certificates (and a generated CA) this close to their expiry are renewed.
  static constexpr std::int64_t kRenewWithinS = 10LL * 24 * 3600;
  static bool due_for_renewal(std::int64_t not_after_unix_s, std::int64_t now_unix_s) {
    return not_after_unix_s - now_unix_s < kRenewWithinS;
  }

  // Which of the services asked for were issued again and recorded, in the order asked.
  struct Reissued {
    std::vector<std::string> success;
    std::vector<std::string> failed;
  };
  // Issues new keys and certificates for `services` (of kCertificateServices) on this member and
  // records them; `done` runs on the core thread once they are recorded or have failed. An error
  // when this member has nothing to issue from (no cluster, no CA, no cluster key).
  void reissue(std::vector<std::string> services, std::function<void(Result<Reissued>)> done);

  // What the reconciler did, for /1.0/stats and tests.
  struct Stats {
    std::uint64_t runs = 0;
    std::uint64_t converged = 0;  // runs that ended with every certificate usable and recorded
    std::uint64_t issued = 0;    // certificates issued (new keys)
    std::uint64_t recorded = 0;  // certificate_issued proposals that were applied
    std::uint64_t failures = 0;
    std::uint64_t churn = 0;  // issues too soon after the previous one
    std::uint64_t ca_renewals = 0;  // generated CAs this member replaced near their expiry
    std::string last_error;
  };
  const Stats& stats() const { return stats_; }

 private:
  // The desired state as the applied projection has it: the CA's fingerprint and this member's
  // certificates' fingerprints issued from it; empty when there is nothing to converge on.
  std::string target() const;
  std::int64_t now_s() const { return static_cast<std::int64_t>(clock_.now_ms() / 1000); }
  // The fingerprint of the generated CA that is due for renewal, or empty.
  std::string ca_due() const;
  void start(std::vector<std::string> forced,
             std::vector<std::function<void(Result<Reissued>)>> waiting);
  void renew_ca(const std::string& old_fingerprint);
  // `issued`: certificates issued without an operator asking, from CA `ca` (the churn guard).
  void finish(Result<void> r, const std::string& target, std::uint64_t issued, const std::string& ca);
  void back_off();

  Node& node_;
  host::Effects& effects_;
  MemberContext& member_;
  std::filesystem::path pki_dir_;
  const Clock& clock_;
  struct ReissueCall {
    std::vector<std::string> services;
    std::function<void(Result<Reissued>)> done;
  };
  std::vector<ReissueCall> reissue_queue_;
  bool running_ = false;
  std::string converged_;  // the target() of the last run that succeeded
  std::uint64_t converged_at_tick_ = 0;
  std::uint64_t ticks_ = 0;
  std::uint64_t retry_at_tick_ = 0;
  std::uint64_t backoff_ticks_ = kBackoffFirstTicks;
  std::uint64_t last_issue_tick_ = 0;  // 0: none since start
  std::string last_issue_ca_;           // the CA of that issue: a new CA is no churn
  mutable std::string warned_ca_;  // the operator's CA whose coming expiry was logged
  Stats stats_;
};

}  // namespace movn::daemon
