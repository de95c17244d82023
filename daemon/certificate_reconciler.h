// The certificate reconciler: converges this member's OVN service certificates (data/pki) on the
// certificates projection. When the cluster's CA is one this member has not yet issued every
// service certificate from, or the projection lacks one of this member's certificates, it runs
// an effect (off the core thread) that writes the CA certificate, keeps every certificate on disk
// that the current CA issued and that is still valid, issues the others (the CA's key opened
// with the cluster key, only there), and then records each certificate the projection does not
// hold (`certificate_issued`, request id "certificate-<fingerprint>", so a retry is deduplicated).
// It runs at start, whenever the projection changes, and every 10 minutes (lost files).
// Idempotent; one effect at a time; a failure is retried after a backoff (5 s doubling to 5 min).
// Core thread only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>

#include "daemon/api.h"
#include "daemon/host_seams.h"
#include "host/seams.h"

namespace movn::daemon {

class CertificateReconciler {
 public:
  // `pki_dir`: where OVN's certificate files go (<parent of STATE_DIR>/data/pki).
  CertificateReconciler(Node& node, host::Effects& effects, MemberContext& member, std::filesystem::path pki_dir);

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

  // What the reconciler did, for /1.0/stats and tests.
  struct Stats {
    std::uint64_t runs = 0;
    std::uint64_t converged = 0;  // runs that ended with every certificate usable and recorded
    std::uint64_t issued = 0;    // certificates issued (new keys)
    std::uint64_t recorded = 0;  // certificate_issued proposals that were applied
    std::uint64_t failures = 0;
    std::uint64_t churn = 0;  // issues too soon after the previous one
    std::string last_error;
  };
  const Stats& stats() const { return stats_; }

 private:
  // The desired state as the applied projection has it: the CA's fingerprint and this member's
  // certificates' fingerprints issued from it; empty when there is nothing to converge on.
  std::string target() const;
  void start();
  void finish(Result<void> r, const std::string& target, std::uint64_t issued);
  void back_off();

  Node& node_;
  host::Effects& effects_;
  MemberContext& member_;
  std::filesystem::path pki_dir_;
  bool running_ = false;
  std::string converged_;  // the target() of the last run that succeeded
  std::uint64_t converged_at_tick_ = 0;
  std::uint64_t ticks_ = 0;
  std::uint64_t retry_at_tick_ = 0;
  std::uint64_t backoff_ticks_ = kBackoffFirstTicks;
  std::uint64_t last_issue_tick_ = 0;  // 0: none since start
  Stats stats_;
};

}  // namespace movn::daemon
