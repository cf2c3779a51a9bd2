#pragma once

#include <Poco/Data/Session.h>

#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "sqlite_statement_cache.hpp"

namespace passerelle::store {

// A fixed set of SQLite sessions on one file, each configured for WAL and durable commits.
// acquire() blocks until a session is free. Thread-safe.
class SqliteConnectionPool {
 public:
  SqliteConnectionPool(const std::filesystem::path& file, std::size_t size,
                       int busy_timeout_ms = kDefaultBusyTimeoutMs);

  // How long a statement waits for another connection's lock before failing with "busy".
  static constexpr int kDefaultBusyTimeoutMs = 10000;
  // The WAL's bounds, for every file (docs/ARCHITECTURE.md, "WAL size"): a checkpoint in the
  // commit that crosses this many pages (16 MiB of 4 KiB pages) ...
  static constexpr int kWalAutocheckpointPages = 4000;
  // ... and the size the file is truncated back to when a checkpoint resets it.
  static constexpr long long kJournalSizeLimitBytes = 16LL * 1024 * 1024;
  // How long an open that fails is retried (a file another process is creating) before the
  // error is thrown.
  static constexpr std::size_t kOpenTimeoutSeconds = 2;

  // A session on loan; returned to the pool when the lease is destroyed.
  class Lease {
   public:
    Lease(SqliteConnectionPool& pool, std::size_t index) : pool_(pool), index_(index) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { pool_.release(index_); }
    Poco::Data::Session& operator*() const { return pool_.sessions_[index_]; }
    // The session's prepared statements, for the queries every request makes.
    StatementCache& statements() const { return *pool_.statements_[index_]; }

   private:
    SqliteConnectionPool& pool_;
    std::size_t index_;
  };

  Lease acquire();

  // Opens one session on `file` with the gateway's pragmas.
  static Poco::Data::Session open(const std::filesystem::path& file,
                                  int busy_timeout_ms = kDefaultBusyTimeoutMs);

 private:
  void release(std::size_t index);

  std::vector<Poco::Data::Session> sessions_;
  // Declared after the sessions: finalized before they close.
  std::vector<std::unique_ptr<StatementCache>> statements_;
  std::vector<std::size_t> free_;
  std::mutex mutex_;
  std::condition_variable available_;
};

}  // namespace passerelle::store
