#pragma once

#include <Poco/Data/Session.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <vector>

namespace passerelle::store {

// A fixed set of SQLite sessions on one file, each configured for WAL and durable commits.
// acquire() blocks until a session is free. Thread-safe.
class SqliteConnectionPool {
 public:
  SqliteConnectionPool(const std::filesystem::path& file, std::size_t size,
                       int busy_timeout_ms = kDefaultBusyTimeoutMs);

  // How long a statement waits for another connection's lock before failing with "busy".
  static constexpr int kDefaultBusyTimeoutMs = 10000;

  // A session on loan; returned to the pool when the lease is destroyed.
  class Lease {
   public:
    Lease(SqliteConnectionPool& pool, Poco::Data::Session* session)
        : pool_(pool), session_(session) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { pool_.release(session_); }
    Poco::Data::Session& operator*() const { return *session_; }

   private:
    SqliteConnectionPool& pool_;
    Poco::Data::Session* session_;
  };

  Lease acquire();

  // Opens one session on `file` with the gateway's pragmas.
  static Poco::Data::Session open(const std::filesystem::path& file,
                                  int busy_timeout_ms = kDefaultBusyTimeoutMs);

 private:
  void release(Poco::Data::Session* session);

  std::vector<Poco::Data::Session> sessions_;
  std::vector<Poco::Data::Session*> free_;
  std::mutex mutex_;
  std::condition_variable available_;
};

}  // namespace passerelle::store
