#include "sqlite_connection_pool.hpp"

#include <Poco/Data/SQLite/Connector.h>
#include <sqlite3.h>

#include "passerelle/core/domain_error.hpp"

namespace passerelle::store {

using namespace Poco::Data::Keywords;

Poco::Data::Session SqliteConnectionPool::open(const std::filesystem::path& file,
                                               int busy_timeout_ms) {
  static std::once_flag registered;
  std::call_once(registered, [] {
    // SQLite counts every allocation under one global mutex for sqlite3_memory_used(), which
    // nothing here reads: every request's threads met on it. Only possible before SQLite
    // initialises (refused, harmlessly, if something else initialised it first).
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    Poco::Data::SQLite::Connector::registerConnector();
  });
  // Poco retries a failed open for its login timeout (60 s by default): a path the operator
  // got wrong would hold the start-up a minute before saying so.
  const auto directory =
      file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
  if (!std::filesystem::is_directory(directory))
    throw core::DomainError(
        core::ErrorKind::configuration,
        "cannot open " + file.string() + ": no directory " + directory.string());
  Poco::Data::Session session(Poco::Data::SQLite::Connector::KEY, file.string(),
                              kOpenTimeoutSeconds);
  std::string mode;
  session << "PRAGMA journal_mode=WAL", into(mode), now;
  // FULL: in WAL mode, NORMAL may lose the last commits on power loss; an acknowledged write
  // must survive.
  session << "PRAGMA synchronous=FULL", now;
  session << "PRAGMA foreign_keys=ON", now;
  // The WAL's bounds (docs/ARCHITECTURE.md, "WAL size"). A checkpoint runs in the commit that
  // crosses kWalAutocheckpointPages (default 1,000): four times fewer checkpoints copy a hot
  // page (an index's upper levels, a table's last leaf) once where it was copied four times.
  // When readers keep the checkpoint from reaching the WAL's end, the WAL grows past that; the
  // next checkpoint that resets it truncates the file back to kJournalSizeLimitBytes, so a
  // burst does not leave a large file behind.
  session << "PRAGMA wal_autocheckpoint=" + std::to_string(kWalAutocheckpointPages), now;
  session << "PRAGMA journal_size_limit=" + std::to_string(kJournalSizeLimitBytes), now;
  session << "PRAGMA busy_timeout=" + std::to_string(busy_timeout_ms), now;
  return session;
}

SqliteConnectionPool::SqliteConnectionPool(const std::filesystem::path& file, std::size_t size,
                                           int busy_timeout_ms) {
  sessions_.reserve(size);
  for (std::size_t i = 0; i < size; ++i) sessions_.push_back(open(file, busy_timeout_ms));
  for (std::size_t i = 0; i < size; ++i) {
    statements_.push_back(std::make_unique<StatementCache>(sessions_[i]));
    free_.push_back(i);
  }
}

SqliteConnectionPool::Lease SqliteConnectionPool::acquire() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [this] { return !free_.empty(); });
  const auto index = free_.back();
  free_.pop_back();
  return Lease(*this, index);
}

void SqliteConnectionPool::release(std::size_t index) {
  {
    std::lock_guard lock(mutex_);
    free_.push_back(index);
  }
  available_.notify_one();
}

}  // namespace passerelle::store
