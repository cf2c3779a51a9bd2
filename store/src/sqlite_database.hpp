#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>

#include "sql_database.hpp"
#include "sqlite_connection_pool.hpp"
#include "sqlite_migrations.hpp"
#include "sqlite_write_queue.hpp"

namespace passerelle::store {

// A SqlDatabase on one SQLite file: one writer connection whose transactions are
// group-committed (SQLite has one writer anyway) and a pool of readers.
class SqliteDatabase final : public SqlDatabase {
 public:
  // Opens the file, applying pending migrations before any reader opens (readers only ever see
  // a migrated schema).
  SqliteDatabase(const std::filesystem::path& file, std::size_t readers);
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

// A SqlDatabase on a SQLite file that other processes write too (the data keys, which `passerelle
// keys rotate` re-wraps while a gateway serves): each write is its own BEGIN IMMEDIATE
// transaction (the write lock taken first, so that what it reads cannot change before it
// writes), one at a time in this process, with no audit outbox.
class SqliteSerialDatabase final : public SqlDatabase {
 public:
  // Opens the file and applies `migrations` before any reader opens.
  SqliteSerialDatabase(const std::filesystem::path& file, const Migrations& migrations,
                       std::size_t readers);
  ~SqliteSerialDatabase() override;

  void write(const std::function<void(SqlConnection&)>& work) override;
  void read(const std::function<void(SqlConnection&)>& work) override;
  bool writable() const override { return true; }
  void retire(std::vector<std::string>) override {}

 private:
  std::mutex mutex_;  // guards the writer
  Poco::Data::Session session_;
  StatementCache statements_;  // after the session: finalized before it closes
  std::unique_ptr<SqlConnection> writer_;
  SqliteConnectionPool readers_;
};

// A SqlConnection over a SQLite connection's prepared statements.
std::unique_ptr<SqlConnection> sqliteConnection(StatementCache& statements);

}  // namespace passerelle::store
