// The files and libraries under the modules fail in the one vocabulary (core::DomainError of a
// kind, ARCHITECTURE.md "Errors"): each case below threw a bare std::runtime_error before, which
// the HTTP layer could only answer as internal-error.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "passerelle/app/process_lock.hpp"
#include "passerelle/connectors/export_job.hpp"
#include "passerelle/core/domain_error.hpp"
#include "passerelle/crypto/digest.hpp"
#include "passerelle/crypto/master_keys.hpp"
#include "passerelle/crypto/sealed_stream.hpp"
#include "passerelle/store/audit_store.hpp"
#include "temp_dir.hpp"
#include "thrown_kind.hpp"

namespace passerelle::app {
namespace {

using core::ErrorKind;

TEST(ModuleFailuresTest, AKeyFileTheOperatorGotWrongIsAConfigurationError) {
  testing::TempDir dir;
  EXPECT_EQ(testing::thrownKind([&] { crypto::MasterKeys::loadFile(dir / "missing.key"); }),
            ErrorKind::configuration);
  const auto open_to_all = dir / "open.key";
  std::ofstream(open_to_all) << "whatever\n";
  ::chmod(open_to_all.c_str(), 0644);
  EXPECT_EQ(testing::thrownKind([&] { crypto::MasterKeys::loadFile(open_to_all); }),
            ErrorKind::configuration);
  EXPECT_EQ(testing::thrownKind([&] { crypto::MasterKeys::parse("not a key", "test"); }),
            ErrorKind::configuration);
  EXPECT_EQ(
      testing::thrownKind([&] { crypto::RecipientKeys::loadSecretFile(dir / "missing.secret"); }),
      ErrorKind::configuration);
}

TEST(ModuleFailuresTest, AnAuditLogThatCannotBeOpenedIsAConfigurationError) {
  testing::TempDir dir;
  store::SqliteAuditOptions options;
  options.file = dir / "no" / "such" / "directory" / "audit.db";
  EXPECT_EQ(testing::thrownKind([&] { store::openSqliteAuditStore(options); }),
            ErrorKind::configuration);
}

TEST(ModuleFailuresTest, AFileThatCannotBeReadIsUnusable) {
  testing::TempDir dir;
  EXPECT_EQ(testing::thrownKind([&] { crypto::sha256HexOfFile((dir / "missing").string()); }),
            ErrorKind::unusable_file);
}

TEST(ModuleFailuresTest, AnExportDirectoryThatIsNoSoundExportIsRefusedAsAnIntegrityError) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir / "export");
  std::ofstream(dir / "export" / "manifest.json") << "{\"manifest\": {}}";
  const auto keys = crypto::RecipientKeys::generate();
  EXPECT_EQ(testing::thrownKind([&] {
              connectors::openExport(dir / "export", keys, std::nullopt, dir / "opened");
            }),
            ErrorKind::integrity);
  EXPECT_FALSE(std::filesystem::exists(dir / "opened"));
  std::filesystem::create_directories(dir / "taken");
  EXPECT_EQ(testing::thrownKind(
                [&] { connectors::openExport(dir / "export", keys, std::nullopt, dir / "taken"); }),
            ErrorKind::integrity);  // the manifest is checked before the output directory
}

TEST(ModuleFailuresTest, AStoreLockedByAnotherProcessIsUnavailable) {
  testing::TempDir dir;
  const ProcessLock held(dir / "store.lock", "a gateway serves this store");
  try {
    const ProcessLock second(dir / "store.lock", "a gateway serves this store");
    ADD_FAILURE() << "locked twice";
  } catch (const core::DomainError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::unavailable);
    EXPECT_NE(std::string(e.what()).find("a gateway serves this store"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(testing::thrownKind([&] { ProcessLock(dir / "no" / "dir" / "x.lock", "busy"); }),
            ErrorKind::configuration);
}

}  // namespace
}  // namespace passerelle::app
