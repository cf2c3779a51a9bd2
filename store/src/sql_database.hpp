#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace passerelle::store {

// The SQL that the stores share between SQLite and PostgreSQL (docs/ARCHITECTURE.md,
// "PostgreSQL"): one implementation of each store, on either backend. Statements are written in
// the subset both accept (`?` placeholders, `ON CONFLICT`, `CAST(? AS TEXT)` where a type must
// be told); what differs (how sequences are taken, which rows a transaction locks) lives in the
// schemas and in SqlConnection::serialise.

// A value bound to a placeholder: NULL, an integer, text, or bytes (a BLOB, a bytea).
using SqlValue =
    std::variant<std::monostate, std::int64_t, std::string, std::vector<unsigned char>>;

inline SqlValue nullable(const std::optional<std::string>& value) {
  return value ? SqlValue(*value) : SqlValue();
}

// The rows one statement returned, read in order.
class SqlRows {
 public:
  virtual ~SqlRows() = default;
  // Moves to the next row; false when there is none left.
  virtual bool next() = 0;
  virtual std::string text(int column) const = 0;
  virtual std::int64_t integer(int column) const = 0;
  virtual std::vector<unsigned char> blob(int column) const = 0;
  virtual bool isNull(int column) const = 0;
  // The column's value with the type the backend stored it under (copying rows between
  // backends).
  virtual SqlValue value(int column) const = 0;

  std::optional<std::string> optionalText(int column) const {
    return isNull(column) ? std::nullopt : std::optional<std::string>(text(column));
  }
};

// One connection, used by one thread at a time (a write's or a read's). Failures throw
// core::DomainError of the backend's kind (`unavailable` for the disk, the server or a lock,
// `conflict` for a broken constraint, `integrity` for a corrupt file); std::logic_error for a
// statement the code got wrong.
class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  // Runs `sql`: a string literal (it is the key of the connection's prepared statements).
  virtual std::unique_ptr<SqlRows> query(const char* sql,
                                         const std::vector<SqlValue>& params = {}) = 0;
  // Runs a statement that returns no rows; how many rows it changed.
  virtual std::int64_t execute(const char* sql, const std::vector<SqlValue>& params = {}) = 0;
  // Inside a write: orders this transaction after any other that holds `key`, until it ends
  // (on PostgreSQL, a transaction-level advisory lock; on SQLite nothing, as its one writer is
  // alone anyway). Taken before reading what the write depends on, so that two nodes writing to
  // one dossier see each other's versions rather than failing on a duplicate key.
  virtual void serialise(std::string_view key) = 0;
};

// Runs a query and makes a T of each row with `of`.
template <typename T, typename Of>
std::vector<T> collect(SqlConnection& connection, const char* sql,
                       const std::vector<SqlValue>& params, Of&& of) {
  std::vector<T> out;
  auto rows = connection.query(sql, params);
  while (rows->next()) out.push_back(of(static_cast<const SqlRows&>(*rows)));
  return out;
}

// One database: its writes and its reads. Thread-safe.
class SqlDatabase {
 public:
  SqlDatabase() = default;
  virtual ~SqlDatabase() = default;
  SqlDatabase(const SqlDatabase&) = delete;
  SqlDatabase& operator=(const SqlDatabase&) = delete;

  // Runs `work` in a transaction and returns once it is durable; rethrows what `work` threw,
  // its changes undone; core::DomainError(unavailable) if the transaction failed as a whole
  // (full disk, I/O error, the server lost), nothing of it stored. A work run by a thread under
  // a PendingAuditScope that changed something inserts its audit outbox row in the same
  // transaction. Called from inside a work of this database, `work` joins the enclosing
  // transaction (one fact, one outbox row, undone with it).
  virtual void write(const std::function<void(SqlConnection&)>& work) = 0;
  // Runs `work` on a connection for reading (it sees committed transactions only).
  virtual void read(const std::function<void(SqlConnection&)>& work) = 0;

  // Whether the last write transaction committed (false from a failed one until one commits).
  virtual bool writable() const = 0;
  // Audit outbox rows (store/pending_audit.hpp) to delete with the next write.
  virtual void retire(std::vector<std::string> outbox_ids) = 0;
};

}  // namespace passerelle::store
