#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "pg_connection.hpp"
#include "sql_database.hpp"
#include "sqlite_migrations.hpp"

namespace passerelle::store {

// A SqlConnection over one PostgreSQL connection: `?` placeholders become `$n`, and each
// statement is prepared once per connection (until it is reset).
class PgSqlConnection final : public SqlConnection {
 public:
  explicit PgSqlConnection(const std::string& url) : connection_(url) {}

  std::unique_ptr<SqlRows> query(const char* sql, const std::vector<SqlValue>& params) override;
  std::int64_t execute(const char* sql, const std::vector<SqlValue>& params) override;
  void serialise(std::string_view key) override;

  PgConnection& raw() { return connection_; }
  // Reconnects if the connection was lost (prepared statements go with it). Throws
  // core::DomainError(unavailable) if the server cannot be reached.
  void ensureConnected();
  // Rows changed by execute() since the connection opened.
  std::int64_t changes() const { return changes_; }

 private:
  PgResult run(const char* sql, const std::vector<SqlValue>& params);

  PgConnection connection_;
  std::map<const char*, std::string> prepared_;  // statement names, by the SQL's address
  std::int64_t changes_ = 0;
};

// A fixed set of connections to one database; acquire() waits for a free one, up to a bound.
// Thread-safe.
class PgPool {
 public:
  PgPool(const std::string& url, std::size_t size);

  class Lease {
   public:
    Lease(PgPool& pool, std::size_t index) : pool_(pool), index_(index) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { pool_.release(index_); }
    PgSqlConnection& operator*() const { return *pool_.connections_[index_]; }

   private:
    PgPool& pool_;
    std::size_t index_;
  };

  // A connection, reconnected if it was lost. Throws core::DomainError(unavailable) if none is
  // free within kAcquireTimeout or the server cannot be reached.
  Lease acquire();

  static constexpr std::chrono::seconds kAcquireTimeout{10};

 private:
  void release(std::size_t index);

  std::vector<std::unique_ptr<PgSqlConnection>> connections_;
  std::vector<std::size_t> free_;
  std::mutex mutex_;
  std::condition_variable available_;
};

// A SqlDatabase on PostgreSQL: each write is a transaction on a pooled connection (several
// nodes write at once; the schema and SqlConnection::serialise order what must be ordered).
class PgDatabase final : public SqlDatabase {
 public:
  struct Options {
    std::string url;
    std::size_t pool_size = 8;
    // Applied at open, unless empty (the nodes' role may lack the rights: an operator then
    // migrates as the schema's owner).
    const Migrations* migrations = nullptr;
    // A table the schema must have: its absence is a clear refusal at open.
    std::string required_table;
    // Whether writes under a PendingAuditScope insert their audit outbox row (the dossiers'
    // database; not the keys').
    bool outbox = true;
  };
  // Connects and migrates. Throws core::DomainError(configuration) if the server refuses, or
  // the schema is missing.
  explicit PgDatabase(const Options& options);

  void write(const std::function<void(SqlConnection&)>& work) override;
  void read(const std::function<void(SqlConnection&)>& work) override;
  bool writable() const override { return writable_.load(); }
  void retire(std::vector<std::string> outbox_ids) override;

 private:
  PgPool pool_;
  bool outbox_;
  std::mutex retired_mutex_;
  std::vector<std::string> retired_;
  std::atomic<bool> writable_{true};
};

}  // namespace passerelle::store
