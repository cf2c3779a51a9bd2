#pragma once

#include <memory>

#include "passerelle/store/key_store.hpp"
#include "passerelle/store/stores.hpp"
#include "sealed_content.hpp"
#include "sql_database.hpp"

namespace passerelle::store {

// The stores on a SqlDatabase, one implementation for SQLite and PostgreSQL.
std::unique_ptr<DossierStore> makeDossierStore(std::shared_ptr<SqlDatabase> db,
                                               std::shared_ptr<SealedContent> sealed);
std::unique_ptr<RelationshipStore> makeRelationshipStore(std::shared_ptr<SqlDatabase> db);
std::unique_ptr<ConsentStore> makeConsentStore(std::shared_ptr<SqlDatabase> db);
std::unique_ptr<WebhookStore> makeWebhookStore(std::shared_ptr<SqlDatabase> db);
std::unique_ptr<PendingAuditStore> makePendingAuditStore(std::shared_ptr<SqlDatabase> db);
std::unique_ptr<PolicyAgreement> makePolicyAgreement(std::shared_ptr<SqlDatabase> db);
std::unique_ptr<ExportJobStore> makeExportJobStore(std::shared_ptr<SqlDatabase> db);
std::unique_ptr<ConsoleSessionStore> makeConsoleSessionStore(std::shared_ptr<SqlDatabase> db);

// All of them, contents sealed with `keys`, after the start-up work below.
Stores makeStores(const std::shared_ptr<SqlDatabase>& db, std::shared_ptr<KeyStore> keys);

// Re-seals, in one transaction, the sections written before per-dossier data keys under their
// dossier's key (created as needed). Nothing to do on a database created since.
void resealLegacySections(SqlDatabase& db, SealedContent& sealed);
// Destroys what an erasure interrupted between its commit and its keys left: the data keys of
// erased dossiers (one write; nothing to do when none is left).
void shredKeysOfErasedDossiers(SqlDatabase& db, SealedContent& sealed);

// Whether the dossier exists and is neither erased nor merged, on a write's connection.
bool dossierExists(SqlConnection& connection, const core::DossierId& id);

}  // namespace passerelle::store
