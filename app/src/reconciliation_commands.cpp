#include "passerelle/app/reconciliation_commands.hpp"

#include "passerelle/app/error_table.hpp"
#include "passerelle/core/domain_error.hpp"
#include "passerelle/core/utc_time.hpp"
#include "passerelle/store/pending_audit.hpp"

namespace passerelle::app {

namespace {

// The command line acts for the Département's instruction of the RSA.
constexpr core::Purpose kPurpose = core::Purpose::instruction_rsa;

}  // namespace

const policies::Partner& ReconciliationCommands::partner(const core::PartnerId& id) const {
  const auto* partner = registry_.byId(id);
  if (partner == nullptr) throw core::DomainError(core::ErrorKind::forbidden, "no such partner");
  return *partner;
}

Actor ReconciliationCommands::actor(const policies::Partner& partner) const {
  // No purpose in the entry: the command line declares none (the service acts for kPurpose).
  return {partner.id, "cli:reconciliation", std::nullopt,
          core::RequestId("reconciliation-" + core::nowUtc())};
}

std::vector<store::ReconciliationCase> ReconciliationCommands::cases(
    const core::PartnerId& partner_id) {
  const auto& who = partner(partner_id);
  AuditNote note;
  note.policy_version = policies_.current()->version();
  try {
    auto cases = reconciliation_.list({who, kPurpose});
    note.details["cases"] = std::to_string(cases.size());
    audit_.append(audit_.entry(actor(who), audit::AuditAction::reconciliation_list, note, 200,
                               std::nullopt, false));
    return cases;
  } catch (const core::DomainError& e) {
    audit_.append(audit_.entry(actor(who), audit::AuditAction::reconciliation_list, note,
                               httpStatusOf(e), auditDecisionOf(e), false));
    throw;
  }
}

dossiers::CaseOutcome ReconciliationCommands::resolve(const core::PartnerId& partner_id,
                                                      const std::string& case_id,
                                                      const nlohmann::json& decision) {
  const auto& who = partner(partner_id);
  const auto by = actor(who);
  AuditNote note;
  note.policy_version = policies_.current()->version();
  note.details["reconciliation_case"] = core::auditableId('k', case_id);
  store::PendingAuditScope writes([&] {
    return audit::pendingContext(
        audit_.entry(by, audit::AuditAction::reconciliation_resolve, note, 0, std::nullopt, false));
  });
  try {
    auto outcome = reconciliation_.resolve({who, kPurpose}, case_id, decision);
    note.details["decision"] = outcome.decided.status;
    auto claims = writes.claim();
    for (const auto& d : outcome.decided.dossiers) {
      note.person = d;
      audit_.recordCommitted(audit_.entry(by, audit::AuditAction::reconciliation_resolve, note, 200,
                                          std::nullopt, false),
                             std::exchange(claims, {}));
    }
    return outcome;
  } catch (const core::DomainError& e) {
    audit_.append(audit_.entry(by, audit::AuditAction::reconciliation_resolve, note,
                               httpStatusOf(e), auditDecisionOf(e), false));
    throw;
  }
}

}  // namespace passerelle::app
