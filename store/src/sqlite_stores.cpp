#include "sqlite_stores.hpp"

#include <Poco/Exception.h>

#include <stdexcept>

namespace passerelle::store {

std::filesystem::path keysFileOf(const SqliteOptions& options) {
  if (!options.keys_file.empty()) return options.keys_file;
  auto file = options.file;
  file += ".keys";
  return file;
}

SqliteStores openSqliteStores(const SqliteOptions& options, const crypto::MasterKey& master) {
  try {
    auto db = std::make_shared<SqliteDatabase>(options.file, keysFileOf(options),
                                               options.read_connections, master);
    resealLegacySections(*db);
    return {makeSqliteDossierStore(db), makeSqliteRelationshipStore(db),
            makeSqliteConsentStore(db)};
  } catch (const Poco::Exception& e) {
    throw std::runtime_error("cannot open SQLite store " + options.file.string() + ": " +
                             e.displayText());
  }
}

}  // namespace passerelle::store
