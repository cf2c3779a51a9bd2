#pragma once

#include <filesystem>
#include <memory>

#include "passerelle/crypto/master_keys.hpp"
#include "passerelle/store/consent_store.hpp"
#include "passerelle/store/dossier_store.hpp"
#include "passerelle/store/key_store.hpp"
#include "passerelle/store/pending_audit.hpp"
#include "passerelle/store/relationship_store.hpp"
#include "passerelle/store/webhook_store.hpp"

namespace passerelle::store {

struct SqliteOptions {
  std::filesystem::path file;
  std::size_t read_connections = 4;  // concurrent readers (WAL lets them run beside the writer)
  // The dossiers' data keys, in a file of their own (not in the database's backups); when
  // empty, `file` + ".keys".
  std::filesystem::path keys_file = {};
};

// Where the data keys of a store are kept.
std::filesystem::path keysFileOf(const SqliteOptions& options);

// Opens the key store of a SQLite store. Throws DomainError(configuration) if the database holds
// sections sealed under data keys but the key store file is missing (a wrong keys_file would
// otherwise make every dossier look erased), or for the reasons KeyStore gives.
std::shared_ptr<KeyStore> openKeyStore(const SqliteOptions& options, crypto::MasterKeys master,
                                       KeyStore::Reload reload = {});

// The stores of one SQLite database. They share one writer connection and one pool of readers;
// each may be used alone, and each keeps the database open while it lives.
struct SqliteStores {
  std::unique_ptr<DossierStore> dossiers;
  std::unique_ptr<RelationshipStore> relationships;
  std::unique_ptr<ConsentStore> consents;
  std::unique_ptr<WebhookStore> webhooks;
  std::unique_ptr<PendingAuditStore> pending_audit;
};

// Opens (creating if needed) a SQLite database: WAL journal, synchronous=FULL so that an
// acknowledged write survives a crash or power loss, pending migrations applied. Throws
// DomainError(configuration) naming the file if it cannot be opened or migrated.
SqliteStores openSqliteStores(const SqliteOptions& options, std::shared_ptr<KeyStore> keys);

}  // namespace passerelle::store
