#include "pg_connection.hpp"

#include <libpq-fe.h>

#include <stdexcept>

#include "passerelle/core/domain_error.hpp"

namespace passerelle::store {

namespace {

using core::ErrorKind;

// The kind a server error is, by its SQLSTATE class (PostgreSQL's appendix A).
std::optional<ErrorKind> kindOf(std::string_view state) {
  if (state.size() != 5) return ErrorKind::unavailable;  // no answer: the connection is gone
  const auto cls = state.substr(0, 2);
  if (cls == "08" || cls == "53" || cls == "57" || cls == "58" || cls == "40" || cls == "55")
    return ErrorKind::unavailable;  // connection, resources, shutdown, I/O, retryable, lock
  if (cls == "23") return ErrorKind::conflict;
  if (state == "XX001" || state == "XX002") return ErrorKind::integrity;  // data or index corrupt
  if (state == "42501" || cls == "28") return ErrorKind::configuration;   // privilege, auth
  // Raised by the schema's own triggers and functions: a rule refused it (the audit log is
  // append-only, pruning spares the retention period).
  if (state == "P0001") return ErrorKind::forbidden;
  return std::nullopt;
}

[[noreturn]] void fail(pg_conn* conn, pg_result* result, std::string_view what) {
  // Copied out: both point into the result, which is freed before the throw.
  const char* field = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string state = field ? field : "";
  // The primary message only: the detail may quote a row's values.
  const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string message = std::string(what) + ": " +
                        (primary ? primary
                         : conn  ? PQerrorMessage(conn)
                                 : "no connection");
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  if (result) PQclear(result);
  const auto kind = kindOf(state);
  if (kind) throw core::DomainError(*kind, "PostgreSQL: " + message);
  throw std::logic_error("PostgreSQL: " + message + " (SQLSTATE " + state + ")");
}

}  // namespace

PgResult::~PgResult() {
  if (result_) PQclear(result_);
}

PgResult::Type PgResult::type(int column) const {
  // The built-in types' OIDs (PostgreSQL's pg_type.dat): int8, int2, int4; bytea.
  switch (PQftype(result_, column)) {
    case 20:
    case 21:
    case 23:
      return Type::integer;
    case 17:
      return Type::bytes;
    default:
      return Type::text;
  }
}

int PgResult::rows() const {
  return PQntuples(result_);
}

std::int64_t PgResult::affected() const {
  const char* n = PQcmdTuples(result_);
  return n && *n ? std::stoll(n) : 0;
}

bool PgResult::isNull(int row, int column) const {
  return PQgetisnull(result_, row, column) != 0;
}

std::string PgResult::text(int row, int column) const {
  return std::string(PQgetvalue(result_, row, column),
                     static_cast<std::size_t>(PQgetlength(result_, row, column)));
}

std::int64_t PgResult::integer(int row, int column) const {
  return std::stoll(PQgetvalue(result_, row, column));
}

std::vector<unsigned char> PgResult::bytes(int row, int column) const {
  std::size_t length = 0;
  unsigned char* raw = PQunescapeBytea(
      reinterpret_cast<const unsigned char*>(PQgetvalue(result_, row, column)), &length);
  if (raw == nullptr) throw std::bad_alloc();
  std::vector<unsigned char> out(raw, raw + length);
  PQfreemem(raw);
  return out;
}

PgConnection::PgConnection(const std::string& url) : conn_(PQconnectdb(url.c_str())) {
  if (conn_ == nullptr) throw std::bad_alloc();
  if (PQstatus(conn_) != CONNECTION_OK) {
    // libpq's message names the host and the cause, never the password.
    std::string why = PQerrorMessage(conn_);
    while (!why.empty() && why.back() == '\n') why.pop_back();
    const std::string where = std::string(PQhost(conn_) ? PQhost(conn_) : "?") + ":" +
                              (PQport(conn_) ? PQport(conn_) : "?") + "/" +
                              (PQdb(conn_) ? PQdb(conn_) : "?");
    PQfinish(conn_);
    conn_ = nullptr;
    throw core::DomainError(ErrorKind::configuration,
                            "cannot connect to PostgreSQL at " + where + ": " + why);
  }
  // Notices (a migration's "already exists, skipping") are not errors; keep them off stderr.
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
}

PgConnection::~PgConnection() {
  if (conn_) PQfinish(conn_);
}

namespace {

// libpq's view of a statement's parameters (pointing into `params`).
struct ParamArrays {
  explicit ParamArrays(const std::vector<PgParam>& params) {
    for (const auto& p : params) {
      values.push_back(p.isNull() ? nullptr : p.value().data());
      lengths.push_back(static_cast<int>(p.value().size()));
      formats.push_back(p.binary() ? 1 : 0);
    }
  }
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
};

PgResult checked(pg_conn* conn, pg_result* result) {
  const auto status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    fail(conn, result, "a statement failed");
  return PgResult(result);
}

}  // namespace

PgResult PgConnection::exec(std::string_view sql, const std::vector<PgParam>& params) {
  const ParamArrays p(params);
  const std::string text(sql);
  return checked(conn_, PQexecParams(conn_, text.c_str(), static_cast<int>(params.size()), nullptr,
                                     p.values.data(), p.lengths.data(), p.formats.data(),
                                     /*resultFormat=*/0));
}

void PgConnection::prepare(const std::string& name, std::string_view sql) {
  const std::string text(sql);
  checked(conn_, PQprepare(conn_, name.c_str(), text.c_str(), 0, nullptr));
}

PgResult PgConnection::execPrepared(const std::string& name, const std::vector<PgParam>& params) {
  const ParamArrays p(params);
  return checked(conn_, PQexecPrepared(conn_, name.c_str(), static_cast<int>(params.size()),
                                       p.values.data(), p.lengths.data(), p.formats.data(),
                                       /*resultFormat=*/0));
}

void PgConnection::script(std::string_view sql) {
  pg_result* result = PQexec(conn_, std::string(sql).c_str());
  const auto status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    fail(conn_, result, "a script failed");
  PQclear(result);
}

bool PgConnection::ok() const {
  return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK;
}

void PgConnection::reset() {
  PQreset(conn_);
}

bool PgConnection::inTransaction() const {
  const auto status = PQtransactionStatus(conn_);
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR;
}

PgTransaction::PgTransaction(PgConnection& connection) : connection_(connection) {
  connection_.exec("BEGIN");
}

PgTransaction::~PgTransaction() {
  if (done_ || !connection_.ok()) return;
  try {
    connection_.exec("ROLLBACK");
  } catch (const std::exception&) {
    // The connection is lost; the server rolls the transaction back by itself.
  }
}

void PgTransaction::commit() {
  connection_.exec("COMMIT");
  done_ = true;
}

}  // namespace passerelle::store
