#pragma once

#include <filesystem>
#include <memory>
#include <string>

namespace passerelle::testing {

// A real PostgreSQL server that a test process starts for itself: Debian's initdb into a
// temporary directory and pg_ctl on a free local port, run as the unprivileged `postgres` user
// (the package's) when the tests run as root, since PostgreSQL refuses root. Stopped (fast
// shutdown) and removed when destroyed, and by a watchdog process if the test process dies
// first (a crash, a sanitizer's abort, a timeout's kill), so that no server outlives its
// tests. Not thread-safe; one per process is enough (`shared()`), each test then creates its
// own database.
class PostgresServer {
 public:
  // Starts the server; throws std::runtime_error with initdb's or pg_ctl's output if it cannot.
  PostgresServer();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // The process's one server, started at the first call, stopped at exit.
  static PostgresServer& shared();

  // Whether the binaries are installed (the tests that need a server fail, naming the
  // package, when they are not: the install script installs it).
  static bool installed();

  int port() const { return port_; }
  // A libpq connection URI for `database` as `user` (the superuser `postgres` by default),
  // over TCP on 127.0.0.1.
  std::string url(const std::string& database, const std::string& user = "postgres") const;
  // Creates an empty database, named uniquely for this process; returns its name.
  std::string createDatabase(const std::string& prefix);
  // Runs SQL as the superuser in `database` (psql -v ON_ERROR_STOP=1); throws with psql's
  // output if it fails.
  void runSql(const std::string& database, const std::string& sql) const;

  // Stops the server abruptly (immediate shutdown, as a crash would) and starts it again on the
  // same data and port: what a node sees when the database restarts.
  void restart();

 private:
  void startWatchdog();

  struct Dir;
  std::unique_ptr<Dir> dir_;
  int watchdog_fd_ = -1;  // the watchdog reads its end until this one closes
  int watchdog_pid_ = -1;
  int port_ = 0;
  int databases_ = 0;
};

}  // namespace passerelle::testing
