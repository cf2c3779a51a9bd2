#pragma once

#include <string>
#include <vector>

#include "passerelle/app/audit_recorder.hpp"
#include "passerelle/core/worker.hpp"
#include "passerelle/dossiers/policy_holder.hpp"
#include "passerelle/dossiers/retention.hpp"
#include "passerelle/store/dossier_store.hpp"
#include "passerelle/store/leases.hpp"

namespace passerelle::app {

// The retention rule applied (dossiers/retention.hpp): now, or daily on a worker of its own.
// apply() from any thread; start() and stop() from one controlling thread.
class RetentionRunner {
 public:
  // `leases` says whether this node runs the daily rule (store/leases.hpp): with several
  // nodes, the one holding the "retention" lease.
  RetentionRunner(dossiers::RetentionRule rule, store::DossierStore& dossiers,
                  const dossiers::PolicyHolder& policies, AuditRecorder& audit,
                  store::Leases& leases)
      : rule_(rule), dossiers_(dossiers), policies_(policies), audit_(audit), leases_(leases) {}

  struct Report {
    std::string cutoff;  // last activity before this is due
    std::vector<dossiers::DueErasure> due;
    std::size_t erased = 0;
  };
  // Lists the dossiers due and, unless `dry_run`, erases them (crypto-shredding), each erasure
  // and its `dossier_erase` entry one transaction.
  Report apply(bool dry_run);

  // Applies the rule now, then every 24 hours, until stop(); a failed round is logged (counts
  // only) and retried the next day. A node without the lease asks again every kLeaseRetry, and
  // applies the rule as soon as it takes the lease over.
  void start() { daily_.start(); }
  static constexpr std::chrono::seconds kLeaseRetry{5};
  void stop() { daily_.stop(); }

 private:
  std::optional<core::Worker::Clock::time_point> dailyRound();

  const dossiers::RetentionRule rule_;
  store::DossierStore& dossiers_;
  const dossiers::PolicyHolder& policies_;
  AuditRecorder& audit_;
  store::Leases& leases_;
  core::Worker daily_{[this] { return dailyRound(); }, core::Worker::OnStop::abandon};
};

}  // namespace passerelle::app
