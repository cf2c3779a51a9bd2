#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "passerelle/crypto/master_keys.hpp"
#include "passerelle/store/key_store.hpp"
#include "passerelle/store/stores.hpp"

namespace passerelle::store {

// Where a PostgreSQL deployment keeps its data (docs/configuration.md, "PostgreSQL").
struct PostgresOptions {
  // The dossiers' database (the stores and the audit log): a libpq URI or key=value string.
  std::string url;
  // The data keys' database, a different one with its own role: a dump of the dossiers'
  // database then holds no key.
  std::string keys_url;
  std::size_t pool_size = 8;  // connections of each node to the dossiers' database
  // Whether opening applies the pending migrations (the schema's owner connects); when false,
  // an operator has migrated, and a missing schema is refused.
  bool migrate = true;
};

// Opens the key store in `keys_url`. Throws DomainError(configuration) if it is the dossiers'
// database itself (a dump of one would hold the other), or for the reasons KeyStore gives.
std::shared_ptr<KeyStore> openPostgresKeyStore(const PostgresOptions& options,
                                               crypto::MasterKeys master,
                                               KeyStore::Reload reload = {});

// The stores on PostgreSQL, shared by every node. Writes from several nodes are ordered by the
// database (docs/ARCHITECTURE.md, "PostgreSQL"): a write to a dossier waits for another's to
// the same dossier, and the change feed's sequences are taken in commit order. Throws
// DomainError(configuration) if the server refuses or the schema is missing.
Stores openPostgresStores(const PostgresOptions& options, std::shared_ptr<KeyStore> keys);

}  // namespace passerelle::store
