#include "passerelle/app/log_integrity.hpp"

#include "passerelle/audit/audit_entry.hpp"
#include "passerelle/core/domain_error.hpp"

namespace passerelle::app {

IntegrityState LogIntegrity::state(std::size_t checkpoints) const {
  const auto& store = log_.store();
  IntegrityState out;
  out.entries = log_.size();
  out.pruned = store.prunedCount();
  out.retention_months = retention_months_;
  out.checkpoints = store.recentCheckpoints(checkpoints);
  store::AuditQuery last;
  last.action = std::string(audit::toString(audit::AuditAction::audit_verify));
  last.decision = std::string(audit::toString(audit::AuditDecision::allow));
  last.newest_first = true;
  last.limit = 1;
  for (const auto& row : store.search(last)) {
    RecordedVerification v{row.index, row.time, row.partner, {}};
    if (row.entry) v.details = audit::parseAuditEntry(*row.entry).event.details;
    out.last_verification = std::move(v);
  }
  return out;
}

audit::VerifyReport LogIntegrity::verify() {
  std::unique_lock lock(running_, std::try_to_lock);
  if (!lock.owns_lock())
    throw core::DomainError(core::ErrorKind::conflict,
                            "a verification of the audit log is under way: ask again when it ends");
  audit::VerifyOptions options;
  options.public_key = log_.publicKeyHex();
  options.retention_months = retention_months_;
  const auto source = audit::storeSource(log_.store());
  return audit::verifyLog(*source, options);
}

}  // namespace passerelle::app
