#pragma once

#include <Poco/Data/Session.h>

#include <map>
#include <string>

namespace passerelle::store {

// Numbered migration scripts (NNN_name.sql -> SQL), embedded at build time.
using Migrations = std::map<std::string, std::string>;

namespace detail {
const Migrations& sqliteMigrations();       // store/migrations/sqlite: the dossiers' database
const Migrations& sqliteAuditMigrations();  // store/migrations/sqlite_audit: the audit log's
const Migrations& sqliteKeyMigrations();    // store/migrations/sqlite_keys: the data keys
}  // namespace detail

// Applies, in order and each in its own transaction, the numbered migrations that the database
// has not seen yet. Returns the schema version reached.
int migrateSqlite(Poco::Data::Session& session, const Migrations& migrations);

}  // namespace passerelle::store
