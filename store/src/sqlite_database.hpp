#pragma once

#include <Poco/Data/Session.h>

#include <mutex>

#include "passerelle/crypto/master_key.hpp"
#include "sealed_content.hpp"
#include "sqlite_connection_pool.hpp"
#include "sqlite_migrations.hpp"

namespace passerelle::store {

// What the SQLite stores share: one writer connection behind a mutex (SQLite has one writer
// anyway), a pool of readers, and the keys that seal contents.
struct SqliteDatabase {
  SqliteDatabase(const std::filesystem::path& file, std::size_t readers,
                 const crypto::MasterKey& master)
      : sealed(master),
        writer(openMigrated(file)),
        readers(file, std::max<std::size_t>(1, readers)) {}

  SealedContent sealed;
  std::mutex write_mutex;
  Poco::Data::Session writer;
  SqliteConnectionPool readers;

 private:
  // The writer session is opened first, so that readers only ever see a migrated schema.
  static Poco::Data::Session openMigrated(const std::filesystem::path& file) {
    auto session = SqliteConnectionPool::open(file);
    migrateSqlite(session);
    return session;
  }
};

}  // namespace passerelle::store
