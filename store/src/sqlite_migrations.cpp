#include "sqlite_migrations.hpp"

#include <Poco/Data/Transaction.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

#include <stdexcept>
#include <string>

namespace passerelle::store {

using namespace Poco::Data::Keywords;

namespace {

// Each statement of a migration ends with ';' at the end of a line.
std::vector<std::string> statementsOf(const std::string& script) {
  std::vector<std::string> out;
  std::string current;
  std::size_t start = 0;
  while (start < script.size()) {
    auto end = script.find('\n', start);
    if (end == std::string::npos) end = script.size();
    std::string line = script.substr(start, end - start);
    start = end + 1;
    if (line.rfind("--", 0) == 0) continue;
    current += line + "\n";
    if (!line.empty() && line.back() == ';') {
      out.push_back(current);
      current.clear();
    }
  }
  return out;
}

}  // namespace

int migrateSqlite(Poco::Data::Session& session, const Migrations& migrations) {
  session << "CREATE TABLE IF NOT EXISTS schema_migrations ("
             "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
      now;
  int current = 0;
  session << "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", into(current), now;
  for (const auto& [name, script] : migrations) {
    const int version = std::stoi(name.substr(0, 3));
    if (version <= current) continue;
    Poco::Data::Transaction tx(session);
    for (const auto& statement : statementsOf(script)) session << statement, now;
    session << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
        bind(version), bind(name),
        bind(Poco::DateTimeFormatter::format(Poco::Timestamp(), "%Y-%m-%dT%H:%M:%SZ")), now;
    tx.commit();
    current = version;
  }
  return current;
}

}  // namespace passerelle::store
