#include "passerelle/gateway/config.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "temp_dir.hpp"

namespace passerelle::gateway {
namespace {

std::filesystem::path writeConfig(const testing::TempDir& dir, const std::string& text) {
  std::ofstream(dir / "passerelle.json") << text;
  return dir / "passerelle.json";
}

const std::string kMinimal =
    R"({"tls":{"certificate":"c.pem","private_key":"k.pem","client_ca":"/etc/ca.pem"},
  "partners":"p.json","store":{"sqlite":"db/x.db"})";

TEST(ConfigTest, RelativePathsAreResolvedFromTheFilesDirectory) {
  testing::TempDir dir;
  const auto config = loadConfig(writeConfig(dir, kMinimal + "}"));
  EXPECT_EQ(config.server.tls.certificate, dir / "c.pem");
  EXPECT_EQ(config.server.tls.client_ca, "/etc/ca.pem");
  EXPECT_EQ(config.sqlite_file, dir / "db/x.db");
  EXPECT_FALSE(config.master_key_file);
  EXPECT_EQ(config.server.port, 8443);
  EXPECT_EQ(config.server.limits.max_body_bytes, 1024u * 1024u);
}

TEST(ConfigTest, LimitsAndListenAreRead) {
  testing::TempDir dir;
  const auto config = loadConfig(writeConfig(
      dir,
      kMinimal +
          R"(,"listen":{"host":"0.0.0.0","port":9443},"limits":{"max_body_bytes":2048,"max_threads":4}})"));
  EXPECT_EQ(config.server.host, "0.0.0.0");
  EXPECT_EQ(config.server.port, 9443);
  EXPECT_EQ(config.server.limits.max_body_bytes, 2048u);
  EXPECT_EQ(config.server.limits.max_threads, 4);
}

TEST(ConfigTest, WebhooksAndTheImportLimitAreRead) {
  testing::TempDir dir;
  const auto config = loadConfig(writeConfig(dir, kMinimal + R"(,"limits":{"max_import_bytes":4096},
      "webhooks":{"poll_ms":200,"backoff_base_ms":500,"backoff_max_seconds":60,
                  "timeout_seconds":3,"ca_file":"ca.pem"}})"));
  EXPECT_EQ(config.server.limits.max_import_bytes, 4096u);
  EXPECT_EQ(config.webhooks.poll_ms, 200);
  EXPECT_EQ(config.webhooks.backoff_base_ms, 500);
  EXPECT_EQ(config.webhooks.backoff_max_seconds, 60);
  EXPECT_EQ(config.webhooks.timeout_seconds, 3);
  EXPECT_EQ(config.webhooks.ca_file, dir / "ca.pem");
  const auto defaults = loadConfig(writeConfig(dir, kMinimal + "}"));
  EXPECT_EQ(defaults.webhooks.poll_ms, 1000);
  EXPECT_FALSE(defaults.webhooks.ca_file);
}

TEST(ConfigTest, TheControllerIsReadWithBothItsNameAndContact) {
  testing::TempDir dir;
  const auto config = loadConfig(writeConfig(
      dir, kMinimal + R"(,"controller":{"name":"Département X","contact":"dpo@x.fr"}})"));
  ASSERT_TRUE(config.controller);
  EXPECT_EQ(config.controller->name, "Département X");
  EXPECT_EQ(config.controller->contact, "dpo@x.fr");
  EXPECT_FALSE(loadConfig(writeConfig(dir, kMinimal + "}")).controller);
  for (const auto* bad : {R"({"name":"Département X"})", R"({"name":"","contact":"a"})",
                          R"({"name":"a","contact":"b","phone":"c"})", R"("Département X")"}) {
    try {
      loadConfig(writeConfig(dir, kMinimal + R"(,"controller":)" + bad + "}"));
      ADD_FAILURE() << "accepted " << bad;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("controller"), std::string::npos) << e.what();
    }
  }
}

// The message a configuration is refused with, or "accepted".
std::string configError(const testing::TempDir& dir, const std::string& text) {
  try {
    loadConfig(writeConfig(dir, text));
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "accepted";
}

TEST(ConfigTest, MistakesAreRefusedNamingTheKey) {
  testing::TempDir dir;
  const auto errorOf = [&](const std::string& text) { return configError(dir, text); };
  EXPECT_NE(errorOf(kMinimal + R"(,"limits":{"max_body_byte":1}})").find("limits.max_body_byte"),
            std::string::npos);
  EXPECT_NE(errorOf(kMinimal + R"(,"limits":{"max_threads":-2}})").find("limits.max_threads"),
            std::string::npos);
  EXPECT_NE(errorOf(R"({"partners":"p.json"})").find("tls"), std::string::npos);
  EXPECT_NE(errorOf("{").find("not valid JSON"), std::string::npos);
  EXPECT_NE(errorOf(kMinimal + R"(,"surprise":1})").find("unknown key"), std::string::npos);
  EXPECT_NE(errorOf(kMinimal + R"(,"webhooks":{"poll":1}})").find("webhooks.poll"),
            std::string::npos);
  EXPECT_NE(errorOf(kMinimal + R"(,"webhooks":{"poll_ms":1}})").find("poll_ms"), std::string::npos);
  EXPECT_NE(errorOf(kMinimal + R"(,"logging":{"format":"xml"}})").find("logging.format"),
            std::string::npos);
  EXPECT_NE(errorOf(kMinimal + R"(,"logging":{"level":"debug"}})").find("logging.level"),
            std::string::npos);
}

TEST(ConfigTest, TheLogFormatIsTextUnlessJsonIsAsked) {
  testing::TempDir dir;
  EXPECT_EQ(loadConfig(writeConfig(dir, kMinimal + "}")).log_format,
            GatewayConfig::LogFormat::text);
  EXPECT_EQ(loadConfig(writeConfig(dir, kMinimal + R"(,"logging":{"format":"json"}})")).log_format,
            GatewayConfig::LogFormat::json);
  EXPECT_EQ(loadConfig(writeConfig(dir, kMinimal + R"(,"logging":{"format":"text"}})")).log_format,
            GatewayConfig::LogFormat::text);
}

TEST(ConfigTest, MetricsAreServedOnlyWhenAsked) {
  testing::TempDir dir;
  const auto errorOf = [&](const std::string& text) { return configError(dir, text); };
  EXPECT_FALSE(loadConfig(writeConfig(dir, kMinimal + "}")).metrics);
  const auto local = loadConfig(writeConfig(dir, kMinimal + R"(,"metrics":{}})")).metrics;
  ASSERT_TRUE(local);
  EXPECT_EQ(local->host, "127.0.0.1");
  EXPECT_EQ(local->port, 9464);
  const auto set =
      loadConfig(writeConfig(dir, kMinimal + R"(,"metrics":{"host":"10.0.0.5","port":9100}})"))
          .metrics;
  ASSERT_TRUE(set);
  EXPECT_EQ(set->host, "10.0.0.5");
  EXPECT_EQ(set->port, 9100);
  EXPECT_NE(errorOf(kMinimal + R"(,"metrics":{"path":"/m"}})").find("metrics.path"),
            std::string::npos);
  EXPECT_NE(errorOf(kMinimal + R"(,"metrics":{"port":-1}})").find("metrics.port"),
            std::string::npos);
}

// store.postgresql (issue 23): every setting read, paths resolved, TLS settings carried into
// both connection strings whatever their form; one backend exactly, and each mistake named.
const std::string kTls =
    R"({"tls":{"certificate":"c.pem","private_key":"k.pem","client_ca":"/etc/ca.pem"},
  "partners":"p.json")";

TEST(ConfigTest, ThePostgresqlBackendIsReadWithItsTlsSettings) {
  testing::TempDir dir;
  const auto config = loadConfig(writeConfig(dir, kTls + R"(,"store":{"postgresql":{
      "url":"postgresql://node1@db.example/passerelle",
      "keys_url":"host=keys.example dbname=passerelle_keys user=node1",
      "pool_size":12,"migrate":false,"work_dir":"node",
      "tls":{"mode":"verify-full","ca_file":"pg ca.pem","certificate":"n.pem",
             "private_key":"n-key.pem"}}}})"));
  ASSERT_TRUE(config.postgresql);
  const auto& pg = *config.postgresql;
  EXPECT_TRUE(config.sqlite_file.empty());
  EXPECT_EQ(pg.pool_size, 12);
  EXPECT_FALSE(pg.migrate);
  EXPECT_EQ(pg.work_dir, dir / "node");
  EXPECT_EQ(pg.tls_ca_file, dir / "pg ca.pem");
  // A URI gets query parameters (percent-encoded); a key=value string gets quoted pairs.
  const auto uri = app::connectionString(pg.url, pg);
  EXPECT_EQ(
      uri.rfind("postgresql://node1@db.example/passerelle?sslmode=verify-full&sslrootcert=", 0), 0u)
      << uri;
  EXPECT_NE(uri.find("pg%20ca.pem"), std::string::npos) << uri;
  EXPECT_NE(uri.find("&sslcert="), std::string::npos) << uri;
  const auto pairs = app::connectionString(pg.keys_url, pg);
  EXPECT_NE(pairs.find(" sslmode='verify-full' sslrootcert='" + (dir / "pg ca.pem").string() + "'"),
            std::string::npos)
      << pairs;
  EXPECT_EQ(app::localPath(config, "imports"), dir / "node" / "imports");
  EXPECT_EQ(app::localPath(loadConfig(writeConfig(dir, kMinimal + "}")), "imports"),
            dir / "db/x.db.imports");
}

TEST(ConfigTest, ThePostgresqlBackendsMistakesAreRefusedNamingTheKey) {
  testing::TempDir dir;
  auto errorOf = [&](const std::string& store) -> std::string {
    try {
      loadConfig(writeConfig(dir, kTls + R"(,"store":)" + store + "}"));
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "accepted";
  };
  const std::string good = R"("url":"postgresql:///p","keys_url":"postgresql:///k","work_dir":"n")";
  EXPECT_EQ(errorOf("{\"postgresql\":{" + good + "}}"), "accepted");
  EXPECT_NE(errorOf(R"({"sqlite":"x.db","postgresql":{)" + good + "}}").find("one backend"),
            std::string::npos);
  EXPECT_NE(errorOf("{}").find("one backend"), std::string::npos);
  EXPECT_NE(errorOf(R"({"postgresql":{"url":"postgresql:///p","work_dir":"n"}})")
                .find("store.postgresql.keys_url"),
            std::string::npos);
  EXPECT_NE(errorOf(R"({"postgresql":{"url":"postgresql:///p","keys_url":"postgresql:///k"}})")
                .find("store.postgresql.work_dir"),
            std::string::npos);
  EXPECT_NE(errorOf("{\"postgresql\":{" + good + R"(,"pool_size":0}})").find("pool_size"),
            std::string::npos);
  EXPECT_NE(errorOf("{\"postgresql\":{" + good + R"(,"tls":{"mode":"sometimes"}}})")
                .find("store.postgresql.tls.mode"),
            std::string::npos);
  EXPECT_NE(errorOf("{\"postgresql\":{" + good + R"(,"tls":{"mode":"verify-full"}}})")
                .find("ca_file is required"),
            std::string::npos);
  EXPECT_NE(
      errorOf("{\"postgresql\":{" + good + R"(,"colour":"blue"}})").find("store.postgresql.colour"),
      std::string::npos);
  const auto audit = [&] {
    try {
      loadConfig(writeConfig(
          dir, kTls + R"(,"store":{"postgresql":{)" + good + R"(}},"audit":{"sqlite":"a.db"}})"));
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  }();
  EXPECT_NE(audit.find("audit.sqlite does not go with store.postgresql"), std::string::npos)
      << audit;
}

}  // namespace
}  // namespace passerelle::gateway
