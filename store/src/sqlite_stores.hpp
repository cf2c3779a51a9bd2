#pragma once

#include <memory>

#include "passerelle/store/sqlite_store.hpp"
#include "sqlite_database.hpp"

namespace passerelle::store {

std::unique_ptr<DossierStore> makeSqliteDossierStore(std::shared_ptr<SqliteDatabase> db);
// Re-seals, in one transaction, the sections written before per-dossier data keys under their
// dossier's key (created as needed). Nothing to do on a database created since.
void resealLegacySections(SqliteDatabase& db);
// Destroys what an erasure interrupted between its commit and its keys left: the data keys of
// erased dossiers (one write; nothing to do when none is left).
void shredKeysOfErasedDossiers(SqliteDatabase& db);
std::unique_ptr<RelationshipStore> makeSqliteRelationshipStore(std::shared_ptr<SqliteDatabase> db);
std::unique_ptr<ConsentStore> makeSqliteConsentStore(std::shared_ptr<SqliteDatabase> db);
std::unique_ptr<WebhookStore> makeSqliteWebhookStore(std::shared_ptr<SqliteDatabase> db);
std::unique_ptr<PendingAuditStore> makeSqlitePendingAuditStore(std::shared_ptr<SqliteDatabase> db);

}  // namespace passerelle::store
