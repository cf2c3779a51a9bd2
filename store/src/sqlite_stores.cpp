#include "sqlite_stores.hpp"

#include <Poco/Exception.h>

#include <stdexcept>

namespace passerelle::store {

SqliteStores openSqliteStores(const SqliteOptions& options, const crypto::MasterKey& master) {
  try {
    auto db = std::make_shared<SqliteDatabase>(options.file, options.read_connections, master);
    return {makeSqliteDossierStore(db), makeSqliteRelationshipStore(db),
            makeSqliteConsentStore(db)};
  } catch (const Poco::Exception& e) {
    throw std::runtime_error("cannot open SQLite store " + options.file.string() + ": " +
                             e.displayText());
  }
}

}  // namespace passerelle::store
