#include "passerelle/store/sqlite_store.hpp"

#include <Poco/Data/LOB.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <mutex>
#include <set>
#include <thread>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/core/utc_time.hpp"
#include "passerelle/crypto/aead.hpp"
#include "sqlite_connection_pool.hpp"
#include "temp_dir.hpp"

namespace passerelle::store {
namespace {

using core::DossierId;
using core::ErrorKind;
using core::Identifier;
using core::IdentifierKind;
using core::Section;

DossierId idOf(char c) {
  return *DossierId::parse("d" + std::string(26, c));
}

ErrorKind kindOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const core::DomainError& e) {
    return e.kind();
  }
  ADD_FAILURE() << "no DomainError";
  return ErrorKind::invalid_input;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  SqliteStoreTest() {
    crypto::MasterKeys::generate().saveNewFile(dir_ / "master.key");
    reopen();
  }

  void reopen() {
    store_.reset();
    keys_.reset();
    keys_ = openKeyStore({dir_ / "store.db"}, crypto::MasterKeys::loadFile(dir_ / "master.key"));
    store_ = openSqliteStores({dir_ / "store.db", 2}, keys_).dossiers;
  }

  std::string rawFileBytes() const {
    std::string all;
    for (const char* suffix : {"", "-wal", ".keys", ".keys-wal"}) {
      std::ifstream in((dir_ / "store.db").string() + suffix, std::ios::binary);
      all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return all;
  }

  testing::TempDir dir_;
  std::shared_ptr<KeyStore> keys_;
  std::unique_ptr<DossierStore> store_;
  const WriteContext ctx_{core::PartnerId("caf"), "test"};
};

TEST_F(SqliteStoreTest, NothingPersonalIsInTheFileInClear) {
  store_->createDossier(
      idOf('a'),
      {{Section::identite, R"({"nom_naissance":"Zyxwvutsrq","nir":"255081416802538"})"},
       {Section::contact, R"({"email":"zyx.wvu@exemple.invalid","telephone":"0698765432"})"}},
      {{IdentifierKind::nir, "2550814168025"}, {IdentifierKind::france_travail, "QWERTY9X"}}, ctx_);
  reopen();
  const auto raw = rawFileBytes();  // the database, its WAL, the key file and its WAL
  ASSERT_GT(raw.size(), 4096u);
  for (const char* secret : {"Zyxwvutsrq", "2550814168025", "QWERTY9X", "nom_naissance",
                             "zyx.wvu@exemple.invalid", "0698765432"})
    EXPECT_EQ(raw.find(secret), std::string::npos) << secret << " found in clear";
}

TEST_F(SqliteStoreTest, AnotherMasterKeyIsRefusedAtOpenWithAClearMessage) {
  store_->createDossier(idOf('a'), {{Section::contact, R"({"v":1})"}}, {}, ctx_);
  store_.reset();
  try {
    openKeyStore({dir_ / "store.db"}, crypto::MasterKeys::generate());
    ADD_FAILURE() << "a wrong master key opened the store";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("master key given is not the one"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("store.db.keys"), std::string::npos);
  }
  reopen();  // the right key still opens it
  EXPECT_EQ(store_->currentSection(idOf('a'), Section::contact)->content, R"({"v":1})");
}

TEST_F(SqliteStoreTest, AMissingKeysFileIsRefusedRatherThanEveryDossierLookingErased) {
  store_->createDossier(idOf('a'), {{Section::contact, R"({"v":1})"}}, {}, ctx_);
  store_.reset();
  keys_.reset();
  std::filesystem::rename(dir_ / "store.db.keys", dir_ / "elsewhere.keys");
  try {
    openKeyStore({dir_ / "store.db"}, crypto::MasterKeys::loadFile(dir_ / "master.key"));
    ADD_FAILURE() << "opened a store whose data keys are missing";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("store.db.keys is missing"), std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ / "store.db.keys")) << "an empty one was created";
  std::filesystem::rename(dir_ / "elsewhere.keys", dir_ / "store.db.keys");
  reopen();
  EXPECT_EQ(store_->currentSection(idOf('a'), Section::contact)->content, R"({"v":1})");
}

TEST_F(SqliteStoreTest, ACiphertextMovedToAnotherDossierOrSectionFailsIntegrity) {
  store_->createDossier(
      idOf('a'), {{Section::contact, R"({"v":"a"})"}, {Section::foyer, R"({"v":"f"})"}}, {}, ctx_);
  store_->createDossier(idOf('b'), {{Section::contact, R"({"v":"b"})"}}, {}, ctx_);
  store_.reset();
  {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session raw("SQLite", (dir_ / "store.db").string());
    using namespace Poco::Data::Keywords;
    raw << "UPDATE section_versions SET content = (SELECT content FROM section_versions WHERE "
           "dossier_id = ? AND section = 'contact') WHERE dossier_id = ? AND section = 'contact'",
        bind(idOf('a').str()), bind(idOf('b').str()), now;
    raw << "UPDATE section_versions SET content = (SELECT content FROM section_versions WHERE "
           "dossier_id = ? AND section = 'contact') WHERE dossier_id = ? AND section = 'foyer'",
        bind(idOf('a').str()), bind(idOf('a').str()), now;
  }
  reopen();
  EXPECT_EQ(kindOf([&] { store_->currentSection(idOf('b'), Section::contact); }),
            ErrorKind::integrity);
  EXPECT_EQ(kindOf([&] { store_->currentSection(idOf('a'), Section::foyer); }),
            ErrorKind::integrity);
  EXPECT_EQ(store_->currentSection(idOf('a'), Section::contact)->content, R"({"v":"a"})");
}

TEST_F(SqliteStoreTest, ErasureShredsTheDossierInBackupsTooAndOnlyThatDossier) {
  const Identifier nir_a{IdentifierKind::nir, "2550814168025"};
  const Identifier nir_b{IdentifierKind::nir, "1840275123456"};
  store_->createDossier(idOf('a'), {{Section::contact, R"({"v":"a"})"}}, {nir_a}, ctx_);
  store_->putSection(idOf('a'), Section::contact, R"({"v":"a2"})", Precondition::any(),
                     std::nullopt, ctx_);
  store_->createDossier(idOf('b'), {{Section::contact, R"({"v":"b"})"}}, {nir_b}, ctx_);
  // A real, consistent copy of the database file, as a backup tool would take it.
  const auto backup = dir_ / "backup.db";
  {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session raw("SQLite", (dir_ / "store.db").string());
    using namespace Poco::Data::Keywords;
    raw << "VACUUM INTO ?", bind(backup.string()), now;
  }
  const auto count = store_->dossierCount();
  EXPECT_TRUE(store_->erase(idOf('a'), "à la demande de Mme Zyxwvutsrq", ctx_));
  EXPECT_EQ(rawFileBytes().find("Zyxwvutsrq"), std::string::npos) << "the reason is sealed";
  EXPECT_FALSE(store_->erase(idOf('a'), "again", ctx_));
  EXPECT_FALSE(store_->exists(idOf('a')));
  EXPECT_FALSE(store_->findByIdentifier(nir_a));
  EXPECT_TRUE(store_->currentSections(idOf('a')).empty());
  EXPECT_TRUE(store_->history(idOf('a')).empty());
  EXPECT_EQ(store_->dossierCount(), count - 1);
  EXPECT_EQ(kindOf([&] {
              store_->putSection(idOf('a'), Section::contact, "{}", Precondition::any(),
                                 std::nullopt, ctx_);
            }),
            ErrorKind::not_found);
  EXPECT_EQ(store_->currentSection(idOf('b'), Section::contact)->content, R"({"v":"b"})");

  // The backup restored after the erasure, with the gateway's keys: the erased person's rows
  // are there, and unreadable; everyone else reads as before.
  store_.reset();
  auto restored = openSqliteStores({backup, 1}, keys_).dossiers;
  EXPECT_EQ(restored->findByIdentifier(nir_a), idOf('a')) << "the backup still has the index";
  EXPECT_TRUE(restored->currentSections(idOf('a')).empty());
  EXPECT_FALSE(restored->currentSection(idOf('a'), Section::contact));
  EXPECT_EQ(restored->currentSection(idOf('b'), Section::contact)->content, R"({"v":"b"})");
  EXPECT_EQ(restored->findByIdentifier(nir_b), idOf('b'));
}

TEST_F(SqliteStoreTest, SectionsSealedBeforePerDossierKeysAreResealedAtOpen) {
  store_->createDossier(idOf('a'), {}, {}, ctx_);
  store_.reset();
  // A row as the previous version wrote it: one subkey for every dossier, format v1, version 0.
  const crypto::Aead legacy(keys_->root().derive(crypto::KeyUse::section_data));
  const auto sealed =
      legacy.seal(R"({"v":"old"})", "passerelle/section/v1|" + idOf('a').str() + "|contact|1");
  {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session raw("SQLite", (dir_ / "store.db").string());
    using namespace Poco::Data::Keywords;
    raw << "INSERT INTO section_versions (dossier_id, section, version, author, source, "
           "written_at, content_hash, content, key_version) VALUES (?, 'contact', 1, 'caf', "
           "'test', '2026-01-01T00:00:00.000Z', 'h', ?, 0)",
        bind(idOf('a').str()), bind(Poco::Data::BLOB(sealed.data(), sealed.size())), now;
  }
  reopen();
  EXPECT_EQ(store_->currentSection(idOf('a'), Section::contact)->content, R"({"v":"old"})");
  Poco::Data::Session raw("SQLite", (dir_ / "store.db").string());
  using namespace Poco::Data::Keywords;
  int legacy_rows = -1;
  raw << "SELECT COUNT(*) FROM section_versions WHERE key_version = 0", into(legacy_rows), now;
  EXPECT_EQ(legacy_rows, 0);
}

}  // namespace
}  // namespace passerelle::store

namespace passerelle::store {
namespace {

std::uintmax_t walBytes(const std::filesystem::path& file) {
  const auto wal = std::filesystem::path(file.string() + "-wal");
  return std::filesystem::exists(wal) ? std::filesystem::file_size(wal) : 0;
}

// The WAL stays bounded (issue 21, §2). A reader that holds an old snapshot keeps every
// checkpoint from reaching the WAL's end, so a write burst grows it past the autocheckpoint;
// once the reader lets go, the next checkpoint resets it and the file is truncated back to the
// journal size limit instead of keeping its largest size for ever.
TEST(SqliteWalTest, AWalGrownPastItsBoundShrinksBackOnceTheReaderLetsGo) {
  using namespace Poco::Data::Keywords;
  testing::TempDir dir;
  const auto file = dir / "wal.db";
  auto writer = SqliteConnectionPool::open(file);
  writer << "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)", now;
  auto reader = SqliteConnectionPool::open(file);
  int rows = 0;
  reader << "BEGIN", now;
  reader << "SELECT COUNT(*) FROM t", into(rows), now;  // the snapshot is held from here

  const std::string blob(64 * 1024, 'x');
  const auto limit = static_cast<std::uintmax_t>(SqliteConnectionPool::kJournalSizeLimitBytes);
  const auto burst = static_cast<int>(limit / blob.size()) + 64;
  for (int i = 0; i < burst; ++i) writer << "INSERT INTO t (v) VALUES (?)", bind(blob), now;
  ASSERT_GT(walBytes(file), limit) << "the held snapshot must have kept the WAL from resetting";

  reader << "COMMIT", now;
  for (int i = 0; i < 8 && walBytes(file) > limit; ++i)
    writer << "INSERT INTO t (v) VALUES (?)", bind(std::string("y")), now;
  EXPECT_LE(walBytes(file), limit);
  // Nothing was lost on the way.
  writer << "SELECT COUNT(*) FROM t", into(rows), now;
  EXPECT_GE(rows, burst);
}

}  // namespace
}  // namespace passerelle::store
