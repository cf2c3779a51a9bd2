#include "sqlite_statement_cache.hpp"

#include <Poco/Data/SQLite/Utility.h>
#include <sqlite3.h>

#include <stdexcept>

#include "passerelle/core/domain_error.hpp"
#include "sqlite_errors.hpp"

namespace passerelle::store {

namespace {

// SQLite's messages carry no values (every value is bound), so they may reach the caller.
[[noreturn]] void fail(sqlite3* db, const char* what) {
  const int code = sqlite3_extended_errcode(db) & 0xff;
  const std::string message = std::string(what) + ": " + sqlite3_errmsg(db);
  if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
    throw core::DomainError(core::ErrorKind::integrity, message);
  if (isStorageFailure(code)) throw core::DomainError(core::ErrorKind::unavailable, message);
  if (code == SQLITE_CONSTRAINT) throw core::DomainError(core::ErrorKind::conflict, message);
  throw std::logic_error(message);  // a statement or a binding the code got wrong
}

}  // namespace

CachedStatement::~CachedStatement() {
  // Both only report the last step's error, already thrown.
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

CachedStatement& CachedStatement::bind(std::string_view text) {
  if (sqlite3_bind_text(statement_, next_parameter_++, text.data(), static_cast<int>(text.size()),
                        SQLITE_TRANSIENT) != SQLITE_OK)
    fail(sqlite3_db_handle(statement_), "binding a parameter");
  return *this;
}

CachedStatement& CachedStatement::bindNull() {
  if (sqlite3_bind_null(statement_, next_parameter_++) != SQLITE_OK)
    fail(sqlite3_db_handle(statement_), "binding a parameter");
  return *this;
}

CachedStatement& CachedStatement::bind(std::int64_t value) {
  if (sqlite3_bind_int64(statement_, next_parameter_++, value) != SQLITE_OK)
    fail(sqlite3_db_handle(statement_), "binding a parameter");
  return *this;
}

CachedStatement& CachedStatement::bind(const std::vector<unsigned char>& blob) {
  // An empty vector's data() may be null, which SQLite would bind as NULL: bytes, even none,
  // are not NULL.
  static const unsigned char kNone = 0;
  if (sqlite3_bind_blob(statement_, next_parameter_++, blob.empty() ? &kNone : blob.data(),
                        static_cast<int>(blob.size()), SQLITE_TRANSIENT) != SQLITE_OK)
    fail(sqlite3_db_handle(statement_), "binding a parameter");
  return *this;
}

bool CachedStatement::step() {
  const int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(sqlite3_db_handle(statement_), "running a statement");
}

std::string CachedStatement::text(int column) const {
  const auto* p = sqlite3_column_text(statement_, column);
  const int n = sqlite3_column_bytes(statement_, column);
  return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p), n);
}

std::int64_t CachedStatement::integer(int column) const {
  return sqlite3_column_int64(statement_, column);
}

std::vector<unsigned char> CachedStatement::blob(int column) const {
  const auto* p = static_cast<const unsigned char*>(sqlite3_column_blob(statement_, column));
  const int n = sqlite3_column_bytes(statement_, column);
  return p == nullptr ? std::vector<unsigned char>() : std::vector<unsigned char>(p, p + n);
}

bool CachedStatement::isNull(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

std::variant<std::monostate, std::int64_t, std::string, std::vector<unsigned char>>
CachedStatement::value(int column) const {
  switch (sqlite3_column_type(statement_, column)) {
    case SQLITE_NULL:
      return std::monostate{};
    case SQLITE_INTEGER:
      return integer(column);
    case SQLITE_BLOB:
      return blob(column);
    default:
      return text(column);
  }
}

StatementCache::StatementCache(Poco::Data::Session& session)
    : db_(Poco::Data::SQLite::Utility::dbHandle(session)) {}

StatementCache::~StatementCache() {
  for (auto& [sql, statement] : statements_) sqlite3_finalize(statement);
}

CachedStatement StatementCache::prepare(const char* sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, nullptr) !=
        SQLITE_OK)
      fail(db_, "preparing a statement");
    it = statements_.emplace(sql, statement).first;
  }
  return CachedStatement(it->second);
}

}  // namespace passerelle::store
