#include "pg_migrations.hpp"

namespace passerelle::store {

namespace {

// A constant of this program's own (the advisory lock space is the database's, shared).
constexpr std::int64_t kMigrationLock = 0x7061737365726c31;  // "passerl1"

}  // namespace

int migratePostgres(PgConnection& connection, const Migrations& migrations) {
  connection.exec("SELECT pg_advisory_lock($1)", {PgParam(kMigrationLock)});
  struct Unlock {
    PgConnection& c;
    ~Unlock() {
      try {
        if (c.ok()) c.exec("SELECT pg_advisory_unlock($1)", {PgParam(kMigrationLock)});
      } catch (const std::exception&) {
        // The lock goes with the session.
      }
    }
  } unlock{connection};
  connection.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT "
      "NULL, applied_at timestamptz NOT NULL DEFAULT now())");
  int current = static_cast<int>(
      connection.exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").integer(0, 0));
  for (const auto& [name, script] : migrations) {
    const int version = std::stoi(name.substr(0, 3));
    if (version <= current) continue;
    PgTransaction tx(connection);
    connection.script(script);
    connection.exec("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                    {PgParam(std::int64_t{version}), PgParam(name)});
    tx.commit();
    current = version;
  }
  return current;
}

}  // namespace passerelle::store
