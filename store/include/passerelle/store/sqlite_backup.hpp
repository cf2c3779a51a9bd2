#pragma once

#include <filesystem>

namespace passerelle::store {

// Copies a SQLite database that a gateway may be writing into `to`, as one consistent snapshot:
// SQLite's online backup API, in one step under a read transaction (the gateway's writer goes on
// beside it, in WAL mode). Written aside, synced, then renamed: `to` is whole or absent. Throws
// core::DomainError(unavailable) naming the file if it cannot be read or written.
void backupSqliteFile(const std::filesystem::path& from, const std::filesystem::path& to);

// Puts the database file `from` in place of `to`, which no process may have open (the store's
// lock): copied aside, synced, the old write-ahead log and shared memory files removed (SQLite
// would replay an old log over the new file), then renamed. Throws core::DomainError
// (unavailable) naming the file.
void restoreSqliteFile(const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace passerelle::store
