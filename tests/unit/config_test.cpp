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

TEST(ConfigTest, MistakesAreRefusedNamingTheKey) {
  testing::TempDir dir;
  auto errorOf = [&](const std::string& text) -> std::string {
    try {
      loadConfig(writeConfig(dir, text));
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "accepted";
  };
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
}

}  // namespace
}  // namespace passerelle::gateway
