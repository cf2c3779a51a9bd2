#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>

#include "passerelle/store/postgres_store.hpp"
#include "passerelle/store/sqlite_store.hpp"

namespace passerelle::store {

// What `passerelle migrate` moved (docs/operations: "From SQLite to PostgreSQL").
struct StoreMigrationReport {
  std::map<std::string, std::int64_t> rows;  // rows copied this run, by table
  std::uint64_t audit_entries = 0;           // entries the target's log holds at the end
  std::uint64_t audit_copied = 0;            // of which copied this run
  bool resumed = false;                      // an earlier run had begun
  std::string root_hash;                     // the latest checkpoint's, equal on both sides
};

// Moves a whole SQLite store to PostgreSQL: every table of the dossiers' database as stored
// (sections stay sealed, identifiers blinded), the keys file into the key database, and the
// audit log entry by entry with its tiles and checkpoints, then checks that the target's log
// has the same size and the same latest checkpoint as the source's and that its tiles give
// that checkpoint's root. Resumable: each page of rows commits with its progress mark, and a
// second run carries on where the first stopped (rows already there are not copied twice).
// The caller makes sure nothing writes the source meanwhile (it holds the store's lock) and
// that its audit outbox is empty. Throws core::DomainError: `configuration` for a target that a
// gateway node serves (heard from in the last 30 s) or whose key database holds another
// store's root key, `integrity` if the roots do not agree; the stores' errors otherwise.
StoreMigrationReport migrateSqliteToPostgres(
    const SqliteOptions& from, const std::filesystem::path& audit_file, const PostgresOptions& to,
    const std::function<void(const std::string&)>& progress = {});

}  // namespace passerelle::store
