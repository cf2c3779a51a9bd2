#include "passerelle/app/retention_runner.hpp"

#include <Poco/Logger.h>

#include "passerelle/core/utc_time.hpp"
#include "passerelle/store/pending_audit.hpp"

namespace passerelle::app {

RetentionRunner::Report RetentionRunner::apply(bool dry_run) {
  const auto now = core::nowUtc();
  Report report{core::monthsBefore(now, rule_.months),
                dossiers::dueForErasure(dossiers_, rule_, now), 0};
  if (dry_run) return report;
  const auto reason = dossiers::retentionReason(rule_);
  for (const auto& due : report.due) {
    const auto time = core::nowUtc();
    const Actor actor{std::nullopt, "system:retention", std::nullopt,
                      core::RequestId("retention-" + time)};
    AuditNote note;
    note.person = due.id;
    note.policy_version = policies_.current()->version();
    note.details = {{"basis", due.basis},
                    {"last_activity", due.last_activity},
                    {"retention_months", std::to_string(rule_.months)}};
    auto event =
        audit_.entry(actor, audit::AuditAction::dossier_erase, note, 0, std::nullopt, false);
    store::PendingAuditScope erasure([&] { return audit::pendingContext(event); });
    if (!dossiers_.erase(due.id, reason, {core::PartnerId("passerelle"), "retention"})) continue;
    ++report.erased;
    audit_.recordCommitted(std::move(event), erasure.claim());
  }
  return report;
}

std::optional<core::Worker::Clock::time_point> RetentionRunner::dailyRound() {
  auto& log = Poco::Logger::get("passerelle.retention");
  if (!leases_.hold("retention")) return core::Worker::now() + kLeaseRetry;
  try {
    const auto report = apply(false);
    // Counts only: the application log holds no personal data, not even dossier ids.
    log.information("retention: %z dossiers erased (last activity before %s)", report.erased,
                    report.cutoff);
  } catch (const std::exception& e) {
    log.error("retention failed, will retry tomorrow: %s", std::string(e.what()));
  }
  return core::Worker::now() + std::chrono::hours(24);
}

}  // namespace passerelle::app
