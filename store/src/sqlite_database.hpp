#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>

#include "passerelle/store/key_store.hpp"
#include "sql_database.hpp"
#include "sqlite_connection_pool.hpp"
#include "sqlite_write_queue.hpp"

namespace passerelle::store {

// A SqlDatabase on one SQLite file: one writer connection whose transactions are
// group-committed (SQLite has one writer anyway) and a pool of readers.
class SqliteDatabase final : public SqlDatabase {
 public:
  // Opens the file, applying pending migrations before any reader opens (readers only ever see
  // a migrated schema).
  SqliteDatabase(const std::filesystem::path& file, std::size_t readers,
                 std::shared_ptr<KeyStore> keys);
  ~SqliteDatabase() override;

  void write(const std::function<void(SqlConnection&)>& work) override;
  void read(const std::function<void(SqlConnection&)>& work) override;
  bool writable() const override { return writes_.writable(); }
  void retire(std::vector<std::string> outbox_ids) override {
    writes_.retire(std::move(outbox_ids));
  }

 private:
  SqliteWriteQueue writes_;
  SqliteConnectionPool readers_;
  std::unique_ptr<SqlConnection> writer_;  // over writes_'s session, inside its works only
};

// A SqlConnection over a SQLite connection's prepared statements.
std::unique_ptr<SqlConnection> sqliteConnection(StatementCache& statements);

}  // namespace passerelle::store
