#pragma once

#include <Poco/Data/Session.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace passerelle::store {

// One use of a cached prepared statement: bind, step through the rows, read columns; reset for
// the next use when destroyed. Errors throw core::DomainError with SQLite's message (which
// carries no values: every value is bound): `unavailable` for the disk or a busy database,
// `integrity` for a corrupt file, `conflict` for a broken constraint; std::logic_error for a
// statement the code got wrong.
class CachedStatement {
 public:
  explicit CachedStatement(sqlite3_stmt* statement) : statement_(statement) {}
  CachedStatement(const CachedStatement&) = delete;
  CachedStatement& operator=(const CachedStatement&) = delete;
  ~CachedStatement();

  CachedStatement& bind(std::string_view text);
  CachedStatement& bind(std::int64_t value);
  CachedStatement& bind(const std::vector<unsigned char>& blob);
  CachedStatement& bindNull();

  // Moves to the next row; false when there is none left.
  bool step();

  std::string text(int column) const;
  std::int64_t integer(int column) const;
  std::vector<unsigned char> blob(int column) const;
  bool isNull(int column) const;
  // The column's value as its storage class: NULL, an integer, text or a BLOB (a REAL as text).
  std::variant<std::monostate, std::int64_t, std::string, std::vector<unsigned char>> value(
      int column) const;

 private:
  sqlite3_stmt* statement_;
  int next_parameter_ = 1;
};

// The prepared statements of one connection, compiled once and kept: through Poco::Data a small
// query is compiled again at every call, which costs three times as long as running it. Used by
// one thread at a time, as its connection is.
class StatementCache {
 public:
  explicit StatementCache(Poco::Data::Session& session);
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;
  ~StatementCache();

  // `sql` must outlive the cache (a string literal): it is the key.
  CachedStatement prepare(const char* sql);
  // The connection's handle (for the rows a statement changed).
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_;
  std::map<const char*, sqlite3_stmt*> statements_;
};

}  // namespace passerelle::store
