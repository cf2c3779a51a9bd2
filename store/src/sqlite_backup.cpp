#include "passerelle/store/sqlite_backup.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "passerelle/core/domain_error.hpp"

namespace passerelle::store {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& what, const fs::path& file, const std::string& why) {
  throw core::DomainError(core::ErrorKind::unavailable,
                          "cannot " + what + " " + file.string() + ": " + why);
}

// A connection closed whatever happens.
struct Connection {
  sqlite3* db = nullptr;
  ~Connection() { sqlite3_close_v2(db); }
};

void open(Connection& c, const fs::path& file, int flags, const char* what) {
  if (sqlite3_open_v2(file.c_str(), &c.db, flags, nullptr) != SQLITE_OK)
    fail(what, file, c.db ? sqlite3_errmsg(c.db) : "out of memory");
  sqlite3_busy_timeout(c.db, 10000);
}

// Makes the file's contents, or a directory's entries, durable.
void sync(const fs::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    if (fd >= 0) ::close(fd);
    fail("sync", path, "fsync failed");
  }
  ::close(fd);
}

fs::path aside(const fs::path& to) {
  auto partial = to;
  partial += ".partial";
  return partial;
}

void renameInPlace(const fs::path& partial, const fs::path& to) {
  std::error_code error;
  fs::rename(partial, to, error);
  if (error) fail("write", to, error.message());
  sync(to.parent_path().empty() ? fs::path(".") : to.parent_path(), O_RDONLY | O_DIRECTORY);
}

}  // namespace

void backupSqliteFile(const fs::path& from, const fs::path& to) {
  if (!fs::exists(from)) fail("back up", from, "no such file");
  const auto partial = aside(to);
  fs::remove(partial);
  {
    Connection source, target;
    open(source, from, SQLITE_OPEN_READONLY, "read");
    open(target, partial, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, "write");
    sqlite3_backup* backup = sqlite3_backup_init(target.db, "main", source.db, "main");
    if (backup == nullptr) fail("back up", from, sqlite3_errmsg(target.db));
    int rc = SQLITE_OK;
    // All pages in one step: one read transaction, so one snapshot. A writer's lock may keep
    // it waiting a moment (BUSY/LOCKED): tried again, for up to a minute.
    for (int attempt = 0; attempt < 600; ++attempt) {
      rc = sqlite3_backup_step(backup, -1);
      if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE) {
      const std::string why = sqlite3_errstr(rc);
      fs::remove(partial);
      fail("back up", from, why);
    }
    // The copy is a file of its own: no write-ahead log beside it.
    sqlite3_exec(target.db, "PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr);
  }
  sync(partial, O_RDONLY);
  renameInPlace(partial, to);
}

void restoreSqliteFile(const fs::path& from, const fs::path& to) {
  const auto partial = aside(to);
  std::error_code error;
  fs::copy_file(from, partial, fs::copy_options::overwrite_existing, error);
  if (error) fail("restore", to, error.message());
  sync(partial, O_RDONLY);
  for (const char* suffix : {"-wal", "-shm", "-journal"}) {
    auto stale = to;
    stale += suffix;
    fs::remove(stale, error);
    if (error) fail("restore", to, "cannot remove " + stale.string() + ": " + error.message());
  }
  renameInPlace(partial, to);
}

}  // namespace passerelle::store
