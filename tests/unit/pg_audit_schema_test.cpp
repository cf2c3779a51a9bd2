// The audit log's PostgreSQL schema keeps the log append-only by itself (issue 23): the role the
// gateway's nodes connect as may read, append, take indices and prune through audit_prune(),
// and nothing else; triggers refuse a rewrite even to the schema's owner. On a real server the
// test starts.
#include <gtest/gtest.h>

#include "passerelle/core/domain_error.hpp"
#include "pg_connection.hpp"
#include "pg_migrations.hpp"
#include "postgres_server.hpp"
#include "thrown_kind.hpp"

namespace passerelle::store {
namespace {

using core::ErrorKind;
using testing::PostgresServer;
using testing::thrownKind;

class PgAuditSchemaTest : public ::testing::Test {
 protected:
  PgAuditSchemaTest() {
    owner_.emplace(server_.url(database_));
    migratePostgres(*owner_, detail::postgresMigrations());
    // A node's login role, member of the group the migration granted to.
    const std::string node = "node_" + database_;
    server_.runSql(database_, "CREATE ROLE " + node + " LOGIN IN ROLE passerelle_gateway");
    gateway_.emplace(server_.url(database_, node));
  }

  // Appends `n` entries dated `at` as a node does: indices from the head, in one transaction.
  void append(int n, const std::string& at) {
    PgTransaction tx(*gateway_);
    const auto first = gateway_
                           ->exec(
                               "UPDATE audit_head SET size = size + $1 WHERE id = 1 RETURNING "
                               "size - $1",
                               {PgParam(std::int64_t{n})})
                           .integer(0, 0);
    for (std::int64_t i = first; i < first + n; ++i)
      gateway_->exec(
          "INSERT INTO audit_entries (idx, entry, leaf_hash, at, partner, purpose, action, "
          "person, decision) VALUES ($1, '{}', 'h', $2, 'caf', 'instruction_rsa', 'section_read', "
          "'p-x', 'allow')",
          {PgParam(i), PgParam(at)});
    tx.commit();
  }
  std::int64_t count(const std::string& sql) { return owner_->exec(sql).integer(0, 0); }

  PostgresServer& server_ = PostgresServer::shared();
  const std::string database_ = server_.createDatabase("pgaudit");
  std::optional<PgConnection> owner_;
  std::optional<PgConnection> gateway_;
};

TEST_F(PgAuditSchemaTest, TheGatewaysRoleAppendsButCannotRewriteOrDelete) {
  append(3, "2026-12-01T10:00:00Z");
  EXPECT_EQ(count("SELECT size FROM audit_head"), 3);
  auto& g = *gateway_;
  EXPECT_EQ(thrownKind([&] { g.exec("UPDATE audit_entries SET decision = 'deny' WHERE idx = 1"); }),
            ErrorKind::configuration);  // no UPDATE privilege at all
  EXPECT_EQ(thrownKind([&] { g.exec("DELETE FROM audit_entries WHERE idx = 2"); }),
            ErrorKind::configuration);
  EXPECT_EQ(thrownKind([&] { g.exec("TRUNCATE audit_entries"); }), ErrorKind::configuration);
  EXPECT_EQ(thrownKind([&] { g.exec("UPDATE audit_settings SET retention_months = 1"); }),
            ErrorKind::configuration);
  EXPECT_EQ(thrownKind([&] {
              g.exec("INSERT INTO audit_tiles VALUES (0, 0, $1)",
                     {PgParam::bytes(std::vector<unsigned char>(8192, 0))});
              g.exec("DELETE FROM audit_tiles");
            }),
            ErrorKind::configuration);
  // The head only grows, and an index is taken once.
  EXPECT_EQ(thrownKind([&] { g.exec("UPDATE audit_head SET size = 1"); }), ErrorKind::forbidden);
  EXPECT_EQ(thrownKind([&] {
              g.exec(
                  "INSERT INTO audit_entries (idx, leaf_hash, at, partner, purpose, action, "
                  "person, decision) VALUES (1, 'h', 'x', '', '', '', '', '')");
            }),
            ErrorKind::conflict);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE decision = 'allow'"), 3);
}

TEST_F(PgAuditSchemaTest, TriggersRefuseARewriteEvenToTheOwner) {
  append(2, "2026-12-01T10:00:00Z");
  auto& o = *owner_;
  EXPECT_EQ(thrownKind([&] { o.exec("DELETE FROM audit_entries"); }), ErrorKind::forbidden);
  EXPECT_EQ(thrownKind([&] { o.exec("TRUNCATE audit_entries"); }), ErrorKind::forbidden);
  EXPECT_EQ(thrownKind([&] { o.exec("UPDATE audit_entries SET entry = 'x' WHERE idx = 0"); }),
            ErrorKind::forbidden);
  // Emptying is pruning, and pruning spares what is above the horizon.
  EXPECT_EQ(thrownKind([&] { o.exec("UPDATE audit_entries SET entry = NULL WHERE idx = 0"); }),
            ErrorKind::forbidden);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE entry IS NOT NULL"), 2);
}

TEST_F(PgAuditSchemaTest, PruningEmptiesOnlyEntriesOlderThanTheRetentionPeriod) {
  append(3, "2020-01-01T00:00:00Z");  // long past the 12 months
  append(2, "2099-01-01T00:00:00Z");  // within it, whatever today is
  auto& g = *gateway_;
  // Asked to prune up to a date that would reach a recent entry: refused, nothing emptied.
  EXPECT_EQ(thrownKind([&] { g.exec("SELECT audit_prune('2100-01-01T00:00:00Z')"); }),
            ErrorKind::forbidden);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE entry IS NULL"), 0);
  EXPECT_EQ(g.exec("SELECT audit_prune('2021-01-01T00:00:00Z')").integer(0, 0), 3);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE entry IS NULL AND person = ''"), 3);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE leaf_hash = 'h'"), 5);  // kept
  EXPECT_EQ(count("SELECT prune_horizon FROM audit_settings"), 3);
}

TEST_F(PgAuditSchemaTest, AppendsFromTwoNodesTakeConsecutiveIndicesAndARollbackGivesThemBack) {
  PgConnection second(server_.url(database_, "node_" + database_));
  {
    PgTransaction rolled_back(second);
    second.exec("UPDATE audit_head SET size = size + 5 WHERE id = 1");
    // Not committed: the indices go back.
  }
  append(2, "2026-12-01T10:00:00Z");
  {
    PgTransaction tx(second);
    const auto first =
        second.exec("UPDATE audit_head SET size = size + 1 WHERE id = 1 RETURNING size - 1")
            .integer(0, 0);
    EXPECT_EQ(first, 2);
    tx.commit();
  }
  EXPECT_EQ(count("SELECT size FROM audit_head"), 3);
  // Running the migrations again changes nothing.
  const auto latest = static_cast<int>(detail::postgresMigrations().size());
  EXPECT_EQ(migratePostgres(*owner_, detail::postgresMigrations()), latest);
  EXPECT_EQ(count("SELECT COUNT(*) FROM schema_migrations"), latest);
}

}  // namespace
}  // namespace passerelle::store
