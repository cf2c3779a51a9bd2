#pragma once

#include <memory>

#include "passerelle/store/consent_store.hpp"
#include "passerelle/store/console_session_store.hpp"
#include "passerelle/store/dossier_store.hpp"
#include "passerelle/store/export_job_store.hpp"
#include "passerelle/store/pending_audit.hpp"
#include "passerelle/store/policy_agreement.hpp"
#include "passerelle/store/relationship_store.hpp"
#include "passerelle/store/webhook_store.hpp"

namespace passerelle::store {

// The stores of one database (SQLite or PostgreSQL). They share its connections; each may be
// used alone, and each keeps the database open while it lives.
struct Stores {
  std::unique_ptr<DossierStore> dossiers;
  std::unique_ptr<RelationshipStore> relationships;
  std::unique_ptr<ConsentStore> consents;
  std::unique_ptr<WebhookStore> webhooks;
  std::unique_ptr<PendingAuditStore> pending_audit;
  std::unique_ptr<PolicyAgreement> policy_agreement;
  std::unique_ptr<ExportJobStore> export_jobs;
  std::unique_ptr<ConsoleSessionStore> console_sessions;
};

}  // namespace passerelle::store
