// The PostgreSQL connection under the store's PostgreSQL backend (issue 23), against a real
// server the test starts (tests/support/postgres_server.hpp): values round-trip, every failure
// is a core::DomainError of the kind its SQLSTATE says, and migrations run once however many
// nodes start together.
#include "pg_connection.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "passerelle/core/domain_error.hpp"
#include "pg_migrations.hpp"
#include "postgres_server.hpp"
#include "thrown_kind.hpp"

namespace passerelle::store {
namespace {

using core::ErrorKind;
using testing::PostgresServer;

class PgConnectionTest : public ::testing::Test {
 protected:
  PostgresServer& server_ = PostgresServer::shared();
  const std::string database_ = server_.createDatabase("pgconn");
  PgConnection connect() { return PgConnection(server_.url(database_)); }
};

TEST_F(PgConnectionTest, TextNumbersBytesAndNullRoundTripAsParameters) {
  auto c = connect();
  c.exec("CREATE TABLE t (s text, n bigint, b bytea, z text)");
  const std::vector<unsigned char> bytes = {0, 1, 0xfe, 0xff, '\'', '\\'};
  // A value with quotes goes apart from the SQL: nothing to escape, nothing injected.
  const std::string tricky = "l'été \"; DROP TABLE t; --";
  c.exec("INSERT INTO t VALUES ($1, $2, $3, $4)",
         {PgParam(tricky), PgParam(std::int64_t{-42}), PgParam::bytes(bytes), PgParam::null()});
  const auto r = c.exec("SELECT s, n, b, z FROM t");
  ASSERT_EQ(r.rows(), 1);
  EXPECT_EQ(r.text(0, 0), tricky);
  EXPECT_EQ(r.integer(0, 1), -42);
  EXPECT_EQ(r.bytes(0, 2), bytes);
  EXPECT_TRUE(r.isNull(0, 3));
  EXPECT_FALSE(r.isNull(0, 0));
  EXPECT_EQ(c.exec("UPDATE t SET n = n + 1").affected(), 1);
}

TEST_F(PgConnectionTest, EachFailureHasTheKindItsSqlstateSays) {
  auto c = connect();
  c.exec("CREATE TABLE u (id text PRIMARY KEY)");
  c.exec("INSERT INTO u VALUES ('a')");
  EXPECT_EQ(testing::thrownKind([&] { c.exec("INSERT INTO u VALUES ('a')"); }),
            ErrorKind::conflict);
  // A role without the privilege: what the gateway's role meets on the audit log's rows.
  server_.runSql(database_, "CREATE ROLE reader_" + database_ + " LOGIN");
  PgConnection reader(server_.url(database_, "reader_" + database_));
  EXPECT_EQ(testing::thrownKind([&] { reader.exec("DELETE FROM u"); }), ErrorKind::configuration);
  // A statement the code got wrong is a bug, not a kind of the vocabulary.
  EXPECT_THROW(c.exec("SELEC 1"), std::logic_error);
  // The connection still serves after each failure.
  EXPECT_EQ(c.exec("SELECT COUNT(*) FROM u").integer(0, 0), 1);
}

TEST_F(PgConnectionTest, AServerThatCannotBeReachedIsAConfigurationErrorWithoutThePassword) {
  try {
    PgConnection("postgresql://someone:s3cret-pw@127.0.0.1:1/nothing?connect_timeout=2");
    FAIL() << "connected to nothing";
  } catch (const core::DomainError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::configuration);
    EXPECT_EQ(std::string(e.what()).find("s3cret-pw"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("127.0.0.1"), std::string::npos) << e.what();
  }
}

TEST_F(PgConnectionTest, ATransactionNotCommittedLeavesNothing) {
  auto c = connect();
  c.exec("CREATE TABLE v (n bigint)");
  try {
    PgTransaction tx(c);
    c.exec("INSERT INTO v VALUES (1)");
    throw std::runtime_error("the work fails before its commit");
  } catch (const std::runtime_error&) {
  }
  {
    PgTransaction tx(c);
    c.exec("INSERT INTO v VALUES (2)");
    tx.commit();
  }
  const auto r = c.exec("SELECT n FROM v");
  ASSERT_EQ(r.rows(), 1);
  EXPECT_EQ(r.integer(0, 0), 2);
  EXPECT_FALSE(c.inTransaction());
}

TEST_F(PgConnectionTest, MigrationsRunOnceWhenNodesStartTogether) {
  const Migrations migrations = {
      {"001_first.sql", "CREATE TABLE one (id bigint PRIMARY KEY);\nINSERT INTO one VALUES (1);"},
      {"002_second.sql", "CREATE TABLE two (id bigint PRIMARY KEY);"},
  };
  std::atomic<int> failures = 0;
  std::vector<std::thread> nodes;
  std::vector<int> reached(4, 0);
  for (int i = 0; i < 4; ++i)
    nodes.emplace_back([&, i] {
      try {
        auto c = connect();
        reached[static_cast<std::size_t>(i)] = migratePostgres(c, migrations);
      } catch (const std::exception&) {
        ++failures;
      }
    });
  for (auto& n : nodes) n.join();
  EXPECT_EQ(failures, 0);
  for (const int r : reached) EXPECT_EQ(r, 2);
  auto c = connect();
  EXPECT_EQ(c.exec("SELECT COUNT(*) FROM schema_migrations").integer(0, 0), 2);
  EXPECT_EQ(c.exec("SELECT COUNT(*) FROM one").integer(0, 0), 1);  // the first ran once
}

TEST_F(PgConnectionTest, AFailedMigrationLeavesTheVersionBeforeIt) {
  auto c = connect();
  const Migrations good = {{"001_first.sql", "CREATE TABLE first (id bigint);"}};
  EXPECT_EQ(migratePostgres(c, good), 1);
  const Migrations bad = {
      {"001_first.sql", "CREATE TABLE first (id bigint);"},
      {"002_broken.sql", "CREATE TABLE half (id bigint);\nCREATE TABLE first (id bigint);"},
  };
  // A shipped migration that fails is a bug of the program, not a kind of the vocabulary.
  EXPECT_THROW(migratePostgres(c, bad), std::logic_error);
  EXPECT_EQ(c.exec("SELECT MAX(version) FROM schema_migrations").integer(0, 0), 1);
  EXPECT_EQ(c.exec("SELECT to_regclass('half') IS NULL").text(0, 0), "t");
}

TEST_F(PgConnectionTest, ALostConnectionIsUnavailableAndComesBackAfterReset) {
  auto c = connect();
  EXPECT_EQ(c.exec("SELECT 1").integer(0, 0), 1);
  // Only this connection's server process ends: the shared server keeps serving the others.
  auto admin = connect();
  admin.exec(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid "
      "<> pg_backend_pid()",
      {PgParam(database_)});
  EXPECT_EQ(testing::thrownKind([&] { c.exec("SELECT 1"); }), ErrorKind::unavailable);
  EXPECT_FALSE(c.ok());
  c.reset();
  EXPECT_TRUE(c.ok());
  EXPECT_EQ(c.exec("SELECT 2").integer(0, 0), 2);
}

}  // namespace
}  // namespace passerelle::store
