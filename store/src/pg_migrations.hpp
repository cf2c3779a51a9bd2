#pragma once

#include "pg_connection.hpp"
#include "sqlite_migrations.hpp"

namespace passerelle::store {

namespace detail {
// store/migrations/postgresql: the dossiers' database (the stores and the audit log).
const Migrations& postgresMigrations();
// store/migrations/postgresql_keys: the data keys' database.
const Migrations& postgresKeyMigrations();
}  // namespace detail

// Applies, in order and each in its own transaction with its schema_migrations row, the
// numbered migrations the database has not seen yet. Nodes starting together take turns (an
// advisory lock held for the duration), so that each migration runs once. Returns the version
// reached. Throws core::DomainError (pg_connection.hpp); a failed migration leaves the database
// at the version before it.
int migratePostgres(PgConnection& connection, const Migrations& migrations);

}  // namespace passerelle::store
