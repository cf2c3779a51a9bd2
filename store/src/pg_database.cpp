#include "pg_database.hpp"

#include <Poco/Logger.h>

#include <stdexcept>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/core/utc_time.hpp"
#include "passerelle/crypto/bytes.hpp"
#include "passerelle/store/pending_audit.hpp"
#include "pending_audit_work.hpp"
#include "pg_migrations.hpp"
#include "write_metrics.hpp"

namespace passerelle::store {

namespace {

using core::DomainError;
using core::ErrorKind;

Poco::Logger& logger() {
  return Poco::Logger::get("passerelle.store");
}

// `?` placeholders as PostgreSQL's `$1`, `$2`... (the stores' SQL quotes no `?`).
std::string numbered(const char* sql) {
  std::string out;
  int n = 0;
  bool quoted = false;
  for (const char* p = sql; *p != '\0'; ++p) {
    if (*p == '\'') quoted = !quoted;
    if (*p == '?' && !quoted)
      out += "$" + std::to_string(++n);
    else
      out += *p;
  }
  return out;
}

std::vector<PgParam> paramsOf(const std::vector<SqlValue>& values) {
  std::vector<PgParam> out;
  out.reserve(values.size());
  for (const auto& v : values) {
    if (std::holds_alternative<std::monostate>(v))
      out.push_back(PgParam::null());
    else if (const auto* i = std::get_if<std::int64_t>(&v))
      out.emplace_back(*i);
    else if (const auto* t = std::get_if<std::string>(&v))
      out.emplace_back(*t);
    else
      out.push_back(PgParam::bytes(std::get<std::vector<unsigned char>>(v)));
  }
  return out;
}

class PgRows final : public SqlRows {
 public:
  explicit PgRows(PgResult result) : result_(std::move(result)) {}
  bool next() override { return ++row_ < result_.rows(); }
  std::string text(int column) const override { return result_.text(row_, column); }
  std::int64_t integer(int column) const override { return result_.integer(row_, column); }
  std::vector<unsigned char> blob(int column) const override { return result_.bytes(row_, column); }
  bool isNull(int column) const override { return result_.isNull(row_, column); }
  SqlValue value(int column) const override {
    if (isNull(column)) return std::monostate{};
    switch (result_.type(column)) {
      case PgResult::Type::integer:
        return integer(column);
      case PgResult::Type::bytes:
        return blob(column);
      case PgResult::Type::text:
        break;
    }
    return text(column);
  }

 private:
  PgResult result_;
  int row_ = -1;
};

}  // namespace

PgResult PgSqlConnection::run(const char* sql, const std::vector<SqlValue>& params) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    const auto name = "s" + std::to_string(prepared_.size());
    connection_.prepare(name, numbered(sql));
    it = prepared_.emplace(sql, name).first;
  }
  return connection_.execPrepared(it->second, paramsOf(params));
}

std::unique_ptr<SqlRows> PgSqlConnection::query(const char* sql,
                                                const std::vector<SqlValue>& params) {
  return std::make_unique<PgRows>(run(sql, params));
}

std::int64_t PgSqlConnection::execute(const char* sql, const std::vector<SqlValue>& params) {
  const auto changed = run(sql, params).affected();
  changes_ += changed;
  return changed;
}

void PgSqlConnection::serialise(std::string_view key) {
  run("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", {std::string(key)});
}

void PgSqlConnection::ensureConnected() {
  if (connection_.ok()) return;
  prepared_.clear();
  connection_.reset();
  if (!connection_.ok())
    throw DomainError(ErrorKind::unavailable,
                      "the database cannot be reached; nothing was changed, retry later");
}

PgPool::PgPool(const std::string& url, std::size_t size) {
  for (std::size_t i = 0; i < std::max<std::size_t>(1, size); ++i) {
    connections_.push_back(std::make_unique<PgSqlConnection>(url));
    free_.push_back(i);
  }
}

PgPool::Lease PgPool::acquire() {
  std::unique_lock lock(mutex_);
  if (!available_.wait_for(lock, kAcquireTimeout, [&] { return !free_.empty(); }))
    throw DomainError(ErrorKind::unavailable,
                      "every database connection is busy; nothing was changed, retry later");
  const auto index = free_.back();
  free_.pop_back();
  lock.unlock();
  try {
    connections_[index]->ensureConnected();
  } catch (...) {
    release(index);
    throw;
  }
  return Lease(*this, index);
}

void PgPool::release(std::size_t index) {
  {
    std::lock_guard lock(mutex_);
    free_.push_back(index);
  }
  available_.notify_one();
}

namespace {

// The write this thread is running, if any: a write() from inside it joins it.
struct RunningWrite {
  const PgDatabase* db;
  PgSqlConnection* connection;
};
thread_local RunningWrite* running_write = nullptr;

class Running {
 public:
  explicit Running(RunningWrite* write) : outer_(running_write) { running_write = write; }
  ~Running() { running_write = outer_; }
  Running(const Running&) = delete;
  Running& operator=(const Running&) = delete;

 private:
  RunningWrite* outer_;
};

}  // namespace

PgDatabase::PgDatabase(const Options& options)
    : pool_(options.url, options.pool_size), outbox_(options.outbox) {
  auto lease = pool_.acquire();
  auto& c = (*lease).raw();
  if (options.migrations != nullptr) migratePostgres(c, *options.migrations);
  if (c.exec("SELECT to_regclass($1) IS NULL", {PgParam(options.required_table)}).text(0, 0) == "t")
    throw DomainError(ErrorKind::configuration,
                      "the PostgreSQL database has no " + options.required_table +
                          " table: run the migrations as the schema's owner first");
}

void PgDatabase::retire(std::vector<std::string> outbox_ids) {
  std::lock_guard lock(retired_mutex_);
  retired_.insert(retired_.end(), std::make_move_iterator(outbox_ids.begin()),
                  std::make_move_iterator(outbox_ids.end()));
}

void PgDatabase::write(const std::function<void(SqlConnection&)>& work) {
  if (running_write != nullptr && running_write->db == this) {
    work(*running_write->connection);
    return;
  }
  const TimedWrite timed;
  std::vector<std::string> retired;
  {
    std::lock_guard lock(retired_mutex_);
    retired.swap(retired_);
  }
  auto* scope = outbox_ ? PendingAuditScope::current() : nullptr;
  std::string outbox_id;
  try {
    auto lease = pool_.acquire();
    auto& c = *lease;
    PgTransaction tx(c.raw());
    for (const auto& id : retired) c.execute("DELETE FROM audit_outbox WHERE id = ?", {id});
    const auto before = c.changes();
    PendingWork row;
    {
      RunningWrite self{this, &c};
      const Running running(&self);
      const PendingWork::Active active(&row);
      work(c);
    }
    // A work that changed nothing (a match, an erasure of nobody) leaves nothing to claim.
    if (scope != nullptr && c.changes() != before) {
      outbox_id = crypto::toHex(crypto::randomBytes(16));
      std::string dossiers;
      for (const auto& d : row.dossiers) dossiers += (dossiers.empty() ? "" : " ") + d.str();
      c.execute("INSERT INTO audit_outbox (id, context, dossiers, created_at) VALUES (?, ?, ?, ?)",
                {outbox_id, scope->context(), dossiers, core::nowUtc()});
    }
    tx.commit();
  } catch (const DomainError& e) {
    retire(std::move(retired));
    if (e.kind() != ErrorKind::unavailable) throw;
    // The server's message may say more than a client should read; the log keeps it.
    if (writable_.exchange(false))
      logger().error("store writes failing: %s", std::string(e.what()));
    throw DomainError(ErrorKind::unavailable,
                      "the store could not be written (database unavailable); nothing was "
                      "changed, retry later");
  } catch (...) {
    retire(std::move(retired));
    throw;
  }
  if (!writable_.exchange(true)) logger().notice("store writes succeed again");
  if (scope != nullptr && !outbox_id.empty()) scope->addCommitted(std::move(outbox_id));
}

void PgDatabase::read(const std::function<void(SqlConnection&)>& work) {
  // Inside a write, its own connection: it sees what the write did, and holds no second one.
  if (running_write != nullptr && running_write->db == this) {
    work(*running_write->connection);
    return;
  }
  auto lease = pool_.acquire();
  work(*lease);
}

}  // namespace passerelle::store
