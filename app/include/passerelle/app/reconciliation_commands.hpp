#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "passerelle/app/audit_recorder.hpp"
#include "passerelle/dossiers/policy_holder.hpp"
#include "passerelle/dossiers/reconciliation_service.hpp"
#include "passerelle/policies/partner_registry.hpp"

namespace passerelle::app {

// Identity reconciliation from the command line (`passerelle reconciliation`), as a registered
// partner: the open cases, or a decision on one (dossiers::ReconciliationService), each recorded
// in the audit log as the API records it (one entry per dossier of a decided case). Throws
// core::DomainError as the service does, recorded too. Thread-safe.
class ReconciliationCommands {
 public:
  ReconciliationCommands(const policies::PartnerRegistry& registry,
                         const dossiers::PolicyHolder& policies,
                         dossiers::ReconciliationService& reconciliation, AuditRecorder& audit)
      : registry_(registry), policies_(policies), reconciliation_(reconciliation), audit_(audit) {}

  std::vector<store::ReconciliationCase> cases(const core::PartnerId& partner);
  dossiers::CaseOutcome resolve(const core::PartnerId& partner, const std::string& case_id,
                                const nlohmann::json& decision);

 private:
  const policies::Partner& partner(const core::PartnerId& id) const;
  Actor actor(const policies::Partner& partner) const;

  const policies::PartnerRegistry& registry_;
  const dossiers::PolicyHolder& policies_;
  dossiers::ReconciliationService& reconciliation_;
  AuditRecorder& audit_;
};

}  // namespace passerelle::app
