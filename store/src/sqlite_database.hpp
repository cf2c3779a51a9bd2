#pragma once

#include <Poco/Data/Session.h>
#include <Poco/Nullable.h>

#include <mutex>
#include <optional>
#include <string>

#include "passerelle/core/ids.hpp"
#include "passerelle/store/key_store.hpp"
#include "sealed_content.hpp"
#include "sqlite_connection_pool.hpp"
#include "sqlite_migrations.hpp"
#include "sqlite_write_queue.hpp"

namespace passerelle::store {

// What the SQLite stores share: one writer connection whose transactions are group-committed
// (SQLite has one writer anyway), a pool of readers, and the keys that seal contents.
struct SqliteDatabase {
  SqliteDatabase(const std::filesystem::path& file, std::size_t readers,
                 std::shared_ptr<KeyStore> keys)
      : sealed(std::move(keys)),
        writes(openMigrated(file)),
        readers(file, std::max<std::size_t>(1, readers)) {}

  SealedContent sealed;
  SqliteWriteQueue writes;
  SqliteConnectionPool readers;

 private:
  // The writer session is opened first, so that readers only ever see a migrated schema.
  static Poco::Data::Session openMigrated(const std::filesystem::path& file) {
    auto session = SqliteConnectionPool::open(file);
    migrateSqlite(session, detail::sqliteMigrations());
    return session;
  }
};

// Whether the dossier exists and is not erased, on a given session (the writer's, inside a
// write queue's work).
inline bool dossierExists(Poco::Data::Session& session, const core::DossierId& id) {
  using namespace Poco::Data::Keywords;
  int found = 0;
  session << "SELECT COUNT(*) FROM dossiers WHERE id = ? AND erased_at IS NULL AND "
             "merged_into IS NULL",
      bind(id.str()), into(found), now;
  return found > 0;
}

// NULL columns and optional values.
inline Poco::Nullable<std::string> toNullable(const std::optional<std::string>& o) {
  return o ? Poco::Nullable<std::string>(*o) : Poco::Nullable<std::string>();
}
inline std::optional<std::string> fromNullable(const Poco::Nullable<std::string>& n) {
  return n.isNull() ? std::nullopt : std::optional<std::string>(n.value());
}

}  // namespace passerelle::store
