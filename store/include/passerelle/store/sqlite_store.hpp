#pragma once

#include <filesystem>
#include <memory>

#include "passerelle/crypto/master_keys.hpp"
#include "passerelle/store/key_store.hpp"
#include "passerelle/store/stores.hpp"

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

// The stores of one SQLite database share one writer connection and one pool of readers.
using SqliteStores = Stores;

// Opens (creating if needed) a SQLite database: WAL journal, synchronous=FULL so that an
// acknowledged write survives a crash or power loss, pending migrations applied. Throws
// DomainError(configuration) naming the file if it cannot be opened or migrated.
SqliteStores openSqliteStores(const SqliteOptions& options, std::shared_ptr<KeyStore> keys);

}  // namespace passerelle::store
