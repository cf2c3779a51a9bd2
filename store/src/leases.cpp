#include "passerelle/store/leases.hpp"

#include <Poco/Logger.h>
#include <unistd.h>

#include <mutex>
#include <set>

#include "pg_connection.hpp"

namespace passerelle::store {

namespace {

class SoleProcessLeases final : public Leases {
 public:
  bool hold(std::string_view) override { return true; }
};

class PostgresLeases final : public Leases {
 public:
  explicit PostgresLeases(const std::string& url) : connection_(url) { configure(); }

  bool hold(std::string_view name) override {
    std::lock_guard lock(mutex_);
    try {
      if (!connection_.ok()) {
        lost();
        connection_.reset();
        if (!connection_.ok()) return false;
        configure();
      }
      // Taken again by its holder, a session lock stacks: harmless, and the same round trip
      // tells whether the connection (hence every lease) still stands.
      const bool held = connection_
                            .exec("SELECT pg_try_advisory_lock(hashtextextended($1, 0))",
                                  {PgParam("passerelle-lease:" + std::string(name))})
                            .text(0, 0) == "t";
      if (held && held_.insert(std::string(name)).second)
        Poco::Logger::get("passerelle.store").information("lease taken: %s", std::string(name));
      if (!held) held_.erase(std::string(name));
      return held;
    } catch (const std::exception&) {
      lost();
      return false;
    }
  }

 private:
  // The server notices a vanished node by TCP keepalives on this connection (a server's
  // defaults wait two hours): then it ends the session, and its leases go to another node.
  void configure() {
    connection_.exec("SET tcp_keepalives_idle = 5");
    connection_.exec("SET tcp_keepalives_interval = 2");
    connection_.exec("SET tcp_keepalives_count = 3");
    // Names the process (no person, no host), so that an operator sees which node holds what.
    connection_.exec("SET application_name = 'passerelle leases " + std::to_string(getpid()) + "'");
  }

  void lost() {
    if (!held_.empty())
      Poco::Logger::get("passerelle.store")
          .warning("leases lost with their connection (%z); another node may take them",
                   held_.size());
    held_.clear();
  }

  std::mutex mutex_;
  PgConnection connection_;
  std::set<std::string> held_;
};

}  // namespace

std::unique_ptr<Leases> soleProcessLeases() {
  return std::make_unique<SoleProcessLeases>();
}

std::unique_ptr<Leases> openPostgresLeases(const std::string& url) {
  return std::make_unique<PostgresLeases>(url);
}

}  // namespace passerelle::store
