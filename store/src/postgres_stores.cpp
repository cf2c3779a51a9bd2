#include "passerelle/core/domain_error.hpp"
#include "passerelle/store/postgres_store.hpp"
#include "pg_database.hpp"
#include "pg_migrations.hpp"
#include "sql_stores.hpp"

namespace passerelle::store {

namespace {

// The database a connection string names, as the server reports it (host, port and name), to
// refuse keys kept beside the dossiers whatever the spelling of the two URLs.
std::string databaseOf(const std::string& url) {
  PgConnection connection(url);
  auto r = connection.exec(
      "SELECT current_database() || '@' || COALESCE(inet_server_addr()::text, 'local') || ':' "
      "|| current_setting('port')");
  return r.text(0, 0);
}

}  // namespace

std::shared_ptr<KeyStore> openPostgresKeyStore(const PostgresOptions& options,
                                               crypto::MasterKeys master, KeyStore::Reload reload) {
  if (options.keys_url.empty() || databaseOf(options.keys_url) == databaseOf(options.url))
    throw core::DomainError(core::ErrorKind::configuration,
                            "store.postgresql.keys_url must name a database other than the "
                            "dossiers' (a dump of one must not hold the other)");
  KeyStore::Options key_options{};
  key_options.reload = std::move(reload);
  key_options.postgres_url = options.keys_url;
  key_options.postgres_migrate = options.migrate;
  return std::make_shared<KeyStore>(std::move(key_options), std::move(master));
}

Stores openPostgresStores(const PostgresOptions& options, std::shared_ptr<KeyStore> keys) {
  auto db = std::make_shared<PgDatabase>(PgDatabase::Options{
      options.url, options.pool_size, options.migrate ? &detail::postgresMigrations() : nullptr,
      "change_head", true});
  return makeStores(db, std::move(keys));
}

}  // namespace passerelle::store
