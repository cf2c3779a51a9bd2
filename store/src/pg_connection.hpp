#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;
struct pg_result;

namespace passerelle::store {

// One parameter of a statement: text (libpq's text format: numbers and timestamps as their
// text), bytes (binary, for bytea), or NULL. Values are always sent apart from the SQL.
class PgParam {
 public:
  PgParam(std::string_view text) : value_(text) {}    // NOLINT: implicit, as a value is written
  PgParam(const char* text) : value_(text) {}         // NOLINT
  PgParam(const std::string& text) : value_(text) {}  // NOLINT
  PgParam(std::int64_t number) : value_(std::to_string(number)) {}  // NOLINT
  static PgParam bytes(const std::vector<unsigned char>& b) {
    PgParam p(std::string(b.begin(), b.end()));
    p.binary_ = true;
    return p;
  }
  static PgParam null() {
    PgParam p("");
    p.null_ = true;
    return p;
  }
  template <typename T>
  static PgParam optional(const std::optional<T>& v) {
    return v ? PgParam(*v) : null();
  }

  const std::string& value() const { return value_; }
  bool binary() const { return binary_; }
  bool isNull() const { return null_; }

 private:
  std::string value_;
  bool binary_ = false;
  bool null_ = false;
};

// The rows a statement returned (text format). Owns libpq's result; movable, not copyable.
class PgResult {
 public:
  explicit PgResult(pg_result* result) : result_(result) {}
  PgResult(PgResult&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
  PgResult& operator=(PgResult&&) = delete;
  PgResult(const PgResult&) = delete;
  ~PgResult();

  int rows() const;
  std::int64_t affected() const;  // rows an INSERT, UPDATE or DELETE touched
  bool isNull(int row, int column) const;
  std::string text(int row, int column) const;
  std::int64_t integer(int row, int column) const;
  std::vector<unsigned char> bytes(int row, int column) const;  // a bytea column
  // What a column holds: an integer type, bytea, or anything else (read as text).
  enum class Type { integer, bytes, text };
  Type type(int column) const;

 private:
  pg_result* result_;
};

// One connection to a PostgreSQL server (libpq), used by one thread at a time. Failures throw
// core::DomainError of the kind the server's SQLSTATE says (pg_errors.hpp): `unavailable` for a
// lost connection, a full disk, a serialization failure or a deadlock (retry later), `conflict`
// for a broken constraint, `integrity` for data the server found corrupt, `configuration` for
// a connection refused at open or a privilege the role lacks, `forbidden` for a rule of the
// schema's own triggers and functions; std::logic_error for a statement the code got wrong. Server
// messages may quote a value; they go to the log, not the client.
class PgConnection {
 public:
  // Connects (libpq URI or key=value string). Throws DomainError(configuration), naming the
  // host and database but never the password, if the server refuses or cannot be reached.
  explicit PgConnection(const std::string& url);
  PgConnection(PgConnection&& other) noexcept : conn_(other.conn_) { other.conn_ = nullptr; }
  PgConnection& operator=(PgConnection&&) = delete;
  PgConnection(const PgConnection&) = delete;
  ~PgConnection();

  PgResult exec(std::string_view sql, const std::vector<PgParam>& params = {});
  // Prepares `sql` under `name` on this connection (until it is reset), then runs it.
  void prepare(const std::string& name, std::string_view sql);
  PgResult execPrepared(const std::string& name, const std::vector<PgParam>& params);
  // Runs a script of several statements, without parameters (migrations).
  void script(std::string_view sql);

  // Whether the connection still stands; reset() reconnects one that does not.
  bool ok() const;
  void reset();
  // Whether a transaction is open (or failed and not yet rolled back).
  bool inTransaction() const;

 private:
  pg_conn* conn_;
};

// A transaction on a connection: rolled back when destroyed uncommitted (an exception).
class PgTransaction {
 public:
  explicit PgTransaction(PgConnection& connection);
  ~PgTransaction();
  PgTransaction(const PgTransaction&) = delete;
  PgTransaction& operator=(const PgTransaction&) = delete;
  void commit();

 private:
  PgConnection& connection_;
  bool done_ = false;
};

}  // namespace passerelle::store
