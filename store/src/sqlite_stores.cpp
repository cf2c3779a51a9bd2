#include <Poco/Exception.h>

#include <stdexcept>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/store/sqlite_store.hpp"
#include "sql_stores.hpp"
#include "sqlite_connection_pool.hpp"
#include "sqlite_database.hpp"

namespace passerelle::store {

std::filesystem::path keysFileOf(const SqliteOptions& options) {
  if (!options.keys_file.empty()) return options.keys_file;
  auto file = options.file;
  file += ".keys";
  return file;
}

namespace {

// Sections sealed under data keys (key version 1 and later) in an existing database.
std::int64_t sectionsUnderDataKeys(const std::filesystem::path& file) {
  using namespace Poco::Data::Keywords;
  auto session = SqliteConnectionPool::open(file);
  int has_column = 0;
  session
      << "SELECT COUNT(*) FROM pragma_table_info('section_versions') WHERE name = 'key_version'",
      into(has_column), now;
  if (has_column == 0) return 0;
  Poco::Int64 count = 0;
  session << "SELECT COUNT(*) FROM section_versions WHERE key_version >= 1", into(count), now;
  return count;
}

}  // namespace

std::shared_ptr<KeyStore> openKeyStore(const SqliteOptions& options, crypto::MasterKeys master,
                                       KeyStore::Reload reload) {
  const auto keys_file = keysFileOf(options);
  const bool existing_data = std::filesystem::exists(options.file);
  try {
    if (existing_data && !std::filesystem::exists(keys_file)) {
      const auto sealed = sectionsUnderDataKeys(options.file);
      if (sealed > 0)
        throw core::DomainError(
            core::ErrorKind::configuration,
            "the data keys file " + keys_file.string() + " is missing, but " +
                options.file.string() + " holds " + std::to_string(sealed) +
                " section versions sealed under keys kept there: restore it, or "
                "set keys_file to where it is");
    }
    return std::make_shared<KeyStore>(
        KeyStore::Options{keys_file, existing_data, std::move(reload)}, std::move(master));
  } catch (const Poco::Exception& e) {
    throw core::DomainError(
        core::ErrorKind::configuration,
        "cannot open the data keys " + keys_file.string() + ": " + e.displayText());
  }
}

SqliteStores openSqliteStores(const SqliteOptions& options, std::shared_ptr<KeyStore> keys) {
  try {
    auto db = std::make_shared<SqliteDatabase>(options.file, options.read_connections);
    return makeStores(db, std::move(keys));
  } catch (const Poco::Exception& e) {
    throw core::DomainError(
        core::ErrorKind::configuration,
        "cannot open SQLite store " + options.file.string() + ": " + e.displayText());
  }
}

}  // namespace passerelle::store
