#include "postgres_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "temp_dir.hpp"

namespace passerelle::testing {

namespace {

// Debian's layout; PASSERELLE_PG_BIN names another directory of initdb, pg_ctl and psql.
std::filesystem::path binDir() {
  if (const char* dir = std::getenv("PASSERELLE_PG_BIN")) return dir;
  return "/usr/lib/postgresql/15/bin";
}

// The account the server runs as when the tests run as root (PostgreSQL refuses root).
const passwd* serverAccount() {
  if (::geteuid() != 0) return nullptr;
  const passwd* account = ::getpwnam("postgres");
  if (account == nullptr)
    throw std::runtime_error(
        "the tests run as root and there is no `postgres` user to run PostgreSQL as "
        "(install the postgresql package)");
  return account;
}

struct Run {
  int status = -1;
  std::string output;
};

// Runs `argv` as the server's account, its output captured in `log`. Everything the child needs
// is prepared before fork(): the test process has other threads, so the child only calls what
// is safe after fork (open, dup2, set*id, execve).
Run run(const std::vector<std::string>& argv, const std::filesystem::path& log) {
  const passwd* account = serverAccount();
  const uid_t uid = account ? account->pw_uid : 0;
  const gid_t gid = account ? account->pw_gid : 0;
  std::vector<std::string> environment = {"LC_ALL=C.UTF-8", "PATH=/usr/bin:/bin"};
  if (account != nullptr) environment.push_back(std::string("HOME=") + account->pw_dir);
  std::vector<char*> args, env;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const auto& e : environment) env.push_back(const_cast<char*>(e.c_str()));
  env.push_back(nullptr);
  const std::string log_path = log.string();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    // Nothing of the test process (its sockets, its files) reaches the server it starts.
    ::close_range(3, ~0U, 0);
    if (account != nullptr &&
        (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0))
      ::_exit(126);
    ::execve(args[0], args.data(), env.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  Run result;
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  result.output = text.str();
  return result;
}

void check(const Run& r, const std::string& what) {
  if (r.status != 0)
    throw std::runtime_error(what + " failed (" + std::to_string(r.status) + "): " + r.output);
}

// A port nothing listens on now (the kernel's choice for a socket bound to port 0).
int freePort() {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (s < 0 || ::bind(s, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(s, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    throw std::runtime_error("no free port");
  ::close(s);
  return ntohs(address.sin_port);
}

}  // namespace

struct PostgresServer::Dir {
  TempDir root;
  std::filesystem::path data() const { return root / "data"; }
  std::filesystem::path log(const std::string& name) const { return root / (name + ".log"); }
};

bool PostgresServer::installed() {
  return std::filesystem::exists(binDir() / "initdb") &&
         std::filesystem::exists(binDir() / "pg_ctl") && std::filesystem::exists(binDir() / "psql");
}

PostgresServer::PostgresServer() : dir_(std::make_unique<Dir>()) {
  if (!installed())
    throw std::runtime_error("PostgreSQL 15 is not installed in " + binDir().string() +
                             " (Debian package postgresql-15; scripts/install-deps.sh)");
  if (const passwd* account = serverAccount()) {
    if (::chown(dir_->root.path().c_str(), account->pw_uid, account->pw_gid) != 0)
      throw std::runtime_error("cannot give the server's directory to the postgres user");
  }
  check(run({(binDir() / "initdb").string(), "-D", dir_->data().string(), "-U", "postgres", "-A",
             "trust", "-E", "UTF8", "--no-instructions"},
            dir_->log("initdb")),
        "initdb");
  port_ = freePort();
  restart();
  startWatchdog();
}

PostgresServer::~PostgresServer() {
  run({(binDir() / "pg_ctl").string(), "-D", dir_->data().string(), "-m", "fast", "-w", "stop"},
      dir_->log("stop"));
  if (watchdog_fd_ >= 0) {
    ::close(watchdog_fd_);
    ::waitpid(watchdog_pid_, nullptr, 0);
  }
}

// A shell, run as the server's account in its own session, whose standard input is a pipe this
// process holds the other end of (close-on-exec, so that the programs the tests start do not
// keep it open): the pipe closes when this process ends, however it ends, and the shell then
// stops the server and removes its directory.
void PostgresServer::startWatchdog() {
  const passwd* account = serverAccount();
  const uid_t uid = account ? account->pw_uid : 0;
  const gid_t gid = account ? account->pw_gid : 0;
  const std::string script =
      "read _; '" + (binDir() / "pg_ctl").string() + "' -D '" + dir_->data().string() +
      "' -m immediate -w stop >/dev/null 2>&1; rm -rf '" + dir_->root.path().string() + "'";
  const char* argv[] = {"/bin/sh", "-c", script.c_str(), nullptr};
  const char* env[] = {"PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8", nullptr};
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::dup2(fds[0], 0);  // the duplicate is not close-on-exec
    ::close_range(3, ~0U, 0);
    ::setsid();  // out of the test's process group: a signal to the group spares it
    if (account != nullptr &&
        (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0))
      ::_exit(126);
    ::execve(argv[0], const_cast<char* const*>(argv), const_cast<char* const*>(env));
    ::_exit(127);
  }
  ::close(fds[0]);
  watchdog_fd_ = fds[1];
  watchdog_pid_ = pid;
}

PostgresServer& PostgresServer::shared() {
  static PostgresServer server;
  return server;
}

void PostgresServer::restart() {
  const auto pg_ctl = (binDir() / "pg_ctl").string();
  run({pg_ctl, "-D", dir_->data().string(), "-m", "immediate", "-w", "stop"}, dir_->log("stop"));
  // The socket in the server's own directory: /var/run/postgresql may not exist or be writable.
  const std::string options = "-p " + std::to_string(port_) + " -k " + dir_->root.path().string() +
                              " -c listen_addresses=127.0.0.1 -c max_connections=200";
  check(run({pg_ctl, "-D", dir_->data().string(), "-l", dir_->log("server").string(), "-w", "-t",
             "60", "-o", options, "start"},
            dir_->log("start")),
        "pg_ctl start");
}

std::string PostgresServer::url(const std::string& database, const std::string& user) const {
  return "postgresql://" + user + "@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

std::string PostgresServer::createDatabase(const std::string& prefix) {
  const std::string name =
      prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(++databases_);
  runSql("postgres", "CREATE DATABASE " + name);
  return name;
}

void PostgresServer::runSql(const std::string& database, const std::string& sql) const {
  check(run({(binDir() / "psql").string(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
             "-p", std::to_string(port_), "-U", "postgres", "-d", database, "-c", sql},
            dir_->log("psql")),
        "psql");
}

}  // namespace passerelle::testing
