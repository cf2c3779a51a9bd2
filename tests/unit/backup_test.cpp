#include "passerelle/app/backup.hpp"

#include <gtest/gtest.h>

#include "passerelle/core/domain_error.hpp"
#include "temp_dir.hpp"

namespace passerelle::app {
namespace {

// A PostgreSQL store is not copied file by file: the operator is sent to pg_dump, and nothing
// is written.
TEST(BackupTest, APostgresStoreIsSentToPgDump) {
  testing::TempDir dir;
  AppConfig config;
  config.postgresql = PostgresConfig{};
  config.postgresql->url = "postgresql://localhost/passerelle";
  for (const auto& run :
       std::vector<std::function<void()>>{[&] { backupStore(config, dir / "backup"); },
                                          [&] { restoreStore(config, dir / "backup"); }}) {
    try {
      run();
      ADD_FAILURE() << "not refused";
    } catch (const core::DomainError& e) {
      EXPECT_EQ(e.kind(), core::ErrorKind::configuration);
      EXPECT_NE(std::string(e.what()).find("pg_dump"), std::string::npos) << e.what();
    }
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "backup"));
}

}  // namespace
}  // namespace passerelle::app
