#include "sqlite_database.hpp"

#include <sqlite3.h>

#include "sqlite_migrations.hpp"

namespace passerelle::store {

namespace {

class SqliteRows final : public SqlRows {
 public:
  SqliteRows(StatementCache& statements, const char* sql) : statement_(statements.prepare(sql)) {}

  CachedStatement& statement() { return statement_; }
  bool next() override { return statement_.step(); }
  std::string text(int column) const override { return statement_.text(column); }
  std::int64_t integer(int column) const override { return statement_.integer(column); }
  std::vector<unsigned char> blob(int column) const override { return statement_.blob(column); }
  bool isNull(int column) const override { return statement_.isNull(column); }
  SqlValue value(int column) const override { return statement_.value(column); }

 private:
  CachedStatement statement_;
};

class SqliteConnection final : public SqlConnection {
 public:
  explicit SqliteConnection(StatementCache& statements) : statements_(statements) {}

  std::unique_ptr<SqlRows> query(const char* sql, const std::vector<SqlValue>& params) override {
    auto rows = std::make_unique<SqliteRows>(statements_, sql);
    auto& statement = rows->statement();
    for (const auto& p : params) {
      if (std::holds_alternative<std::monostate>(p))
        statement.bindNull();
      else if (const auto* i = std::get_if<std::int64_t>(&p))
        statement.bind(*i);
      else if (const auto* t = std::get_if<std::string>(&p))
        statement.bind(std::string_view(*t));
      else
        statement.bind(std::get<std::vector<unsigned char>>(p));
    }
    return rows;
  }

  std::int64_t execute(const char* sql, const std::vector<SqlValue>& params) override {
    auto rows = query(sql, params);
    while (rows->next()) {
    }
    return sqlite3_changes64(statements_.handle());
  }

  void serialise(std::string_view) override {}

 private:
  StatementCache& statements_;
};

// The writer session is opened and migrated before the readers open.
Poco::Data::Session openMigrated(const std::filesystem::path& file,
                                 const Migrations& migrations = detail::sqliteMigrations()) {
  auto session = SqliteConnectionPool::open(file);
  migrateSqlite(session, migrations);
  return session;
}

// The SqliteSerialDatabase this thread is writing to, if any: a write() inside joins it.
thread_local const SqliteSerialDatabase* serial_write_of = nullptr;

}  // namespace

std::unique_ptr<SqlConnection> sqliteConnection(StatementCache& statements) {
  return std::make_unique<SqliteConnection>(statements);
}

SqliteDatabase::SqliteDatabase(const std::filesystem::path& file, std::size_t readers)
    : writes_(openMigrated(file)),
      readers_(file, std::max<std::size_t>(1, readers)),
      writer_(sqliteConnection(writes_.statements())) {}

SqliteDatabase::~SqliteDatabase() = default;

void SqliteDatabase::write(const std::function<void(SqlConnection&)>& work) {
  writes_.run([&] { work(*writer_); });
}

void SqliteDatabase::read(const std::function<void(SqlConnection&)>& work) {
  auto lease = readers_.acquire();
  SqliteConnection connection(lease.statements());
  work(connection);
}

SqliteSerialDatabase::SqliteSerialDatabase(const std::filesystem::path& file,
                                           const Migrations& migrations, std::size_t readers)
    : session_(openMigrated(file, migrations)),
      statements_(session_),
      writer_(sqliteConnection(statements_)),
      readers_(file, std::max<std::size_t>(1, readers)) {}

SqliteSerialDatabase::~SqliteSerialDatabase() = default;

void SqliteSerialDatabase::write(const std::function<void(SqlConnection&)>& work) {
  if (serial_write_of == this) {
    work(*writer_);
    return;
  }
  std::lock_guard lock(mutex_);
  writer_->execute("BEGIN IMMEDIATE");
  serial_write_of = this;
  try {
    work(*writer_);
    writer_->execute("COMMIT");
  } catch (...) {
    serial_write_of = nullptr;
    if (!sqlite3_get_autocommit(statements_.handle())) {
      try {
        writer_->execute("ROLLBACK");
      } catch (const std::exception&) {
        // SQLite rolled back already after an I/O error.
      }
    }
    throw;
  }
  serial_write_of = nullptr;
}

void SqliteSerialDatabase::read(const std::function<void(SqlConnection&)>& work) {
  auto lease = readers_.acquire();
  SqliteConnection connection(lease.statements());
  work(connection);
}

}  // namespace passerelle::store
