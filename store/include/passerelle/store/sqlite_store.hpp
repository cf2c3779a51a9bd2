#pragma once

#include <filesystem>
#include <memory>

#include "passerelle/crypto/master_key.hpp"
#include "passerelle/store/dossier_store.hpp"

namespace passerelle::store {

struct SqliteOptions {
  std::filesystem::path file;
  std::size_t read_connections = 4;  // concurrent readers (WAL lets them run beside the writer)
};

// Opens (creating if needed) a SQLite store: WAL journal, synchronous=FULL so that an
// acknowledged write survives a crash or power loss, pending migrations applied. Throws
// std::runtime_error naming the file if it cannot be opened or migrated.
std::unique_ptr<DossierStore> openSqliteStore(const SqliteOptions& options,
                                              const crypto::MasterKey& master);

}  // namespace passerelle::store
