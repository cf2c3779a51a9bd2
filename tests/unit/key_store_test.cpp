#include "passerelle/store/key_store.hpp"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <thread>

#include "passerelle/crypto/keyed_hash.hpp"
#include "temp_dir.hpp"

namespace passerelle::store {
namespace {

core::DossierId dossier(std::size_t i) {
  char hex[33];
  std::snprintf(hex, sizeof hex, "%032zx", i);
  return core::DossierId(std::string(hex));
}

std::string fingerprint(crypto::SecretKey key) {
  return crypto::KeyedHash(std::move(key)).hex("fingerprint");
}

std::string readText(const std::filesystem::path& file) {
  std::ifstream in(file);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class KeyStoreTest : public ::testing::Test {
 protected:
  KeyStoreTest() { crypto::MasterKeys::generate().saveNewFile(key_file_); }

  // A store as a process would open it: master keys read from the key file, reloaded from it.
  std::unique_ptr<KeyStore> open() const {
    return std::make_unique<KeyStore>(
        KeyStore::Options{dir_ / "store.keys", false,
                          [file = key_file_] { return crypto::MasterKeys::loadFile(file); }},
        crypto::MasterKeys::loadFile(key_file_));
  }

  std::map<std::string, std::string> createKeys(KeyStore& keys, std::size_t from, std::size_t n) {
    std::map<std::string, std::string> out;
    for (std::size_t i = from; i < from + n; ++i)
      out[dossier(i).str()] = fingerprint(keys.createDataKey(dossier(i)));
    return out;
  }

  // Every key opens to what it was when created.
  void expectAllOpen(const KeyStore& keys, const std::map<std::string, std::string>& expected) {
    for (const auto& [id, print] : expected) {
      auto key = keys.findDataKey(core::DossierId(id));
      ASSERT_TRUE(key) << id;
      EXPECT_EQ(fingerprint(std::move(*key)), print) << id;
    }
  }

  std::vector<crypto::MasterKeys::Version> fileVersions() const {
    return crypto::MasterKeys::loadFile(key_file_).versions();
  }

  testing::TempDir dir_;
  const std::filesystem::path key_file_ = dir_ / "master.key";
};

TEST_F(KeyStoreTest, RotationRewrapsEveryKeyUnchangedAndRetiresTheOldVersion) {
  auto keys = open();
  const auto created = createKeys(*keys, 0, 40);
  const auto root = fingerprint(crypto::SecretKey::fromBytes(keys->root().secret().data()));
  std::filesystem::copy_file(key_file_, dir_ / "old.key");

  const auto rotation = keys->rotate(key_file_);
  EXPECT_EQ(rotation.to, 2u);
  EXPECT_FALSE(rotation.resumed);
  EXPECT_EQ(rotation.rewrapped, 40u);
  EXPECT_EQ(rotation.remaining, 0u);
  EXPECT_EQ(rotation.retired, (std::vector<crypto::MasterKeys::Version>{1}));
  EXPECT_EQ(fileVersions(), (std::vector<crypto::MasterKeys::Version>{2}));
  const auto status = keys->status();
  EXPECT_EQ(status.active, 2u);
  EXPECT_EQ(status.root, 2u);
  EXPECT_EQ(status.data_keys, (std::map<crypto::MasterKeys::Version, std::size_t>{{2, 40}}));
  struct stat st {};
  ASSERT_EQ(::stat(key_file_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // A new process with the new key file reads the same keys, the same root key.
  keys.reset();
  keys = open();
  expectAllOpen(*keys, created);
  EXPECT_EQ(fingerprint(crypto::SecretKey::fromBytes(keys->root().secret().data())), root);

  // The key file from before the rotation no longer opens the store, and says why.
  try {
    KeyStore stale({dir_ / "store.keys"}, crypto::MasterKeys::loadFile(dir_ / "old.key"));
    ADD_FAILURE() << "the retired master key opened the store";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("lacks version 2, which still wraps 41 keys"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(keys->rotate(key_file_).to, 3u);  // and again
  expectAllOpen(*keys, created);
}

TEST_F(KeyStoreTest, AnInterruptedRotationResumesWhereItStopped) {
  auto keys = open();
  auto created = createKeys(*keys, 0, 30);
  auto first = keys->rotate(key_file_, 10);
  EXPECT_EQ(first.to, 2u);
  EXPECT_EQ(first.rewrapped, 10u);
  EXPECT_EQ(first.remaining, 20u);
  EXPECT_TRUE(first.retired.empty());
  EXPECT_EQ(fileVersions(), (std::vector<crypto::MasterKeys::Version>{1, 2}));

  // The process dies; another opens the store half-way: everything reads, new keys go under 2.
  keys.reset();
  keys = open();
  expectAllOpen(*keys, created);
  auto more = createKeys(*keys, 100, 5);
  created.insert(more.begin(), more.end());
  EXPECT_EQ(keys->status().data_keys,
            (std::map<crypto::MasterKeys::Version, std::size_t>{{1, 20}, {2, 15}}));

  const auto second = keys->rotate(key_file_);
  EXPECT_TRUE(second.resumed);
  EXPECT_EQ(second.to, 2u) << "resuming must not start yet another version";
  EXPECT_EQ(second.rewrapped, 20u);
  EXPECT_EQ(second.retired, (std::vector<crypto::MasterKeys::Version>{1}));
  EXPECT_EQ(fileVersions(), (std::vector<crypto::MasterKeys::Version>{2}));
  keys.reset();
  keys = open();
  expectAllOpen(*keys, created);
}

TEST_F(KeyStoreTest, ARotationKilledAtEitherEndResumes) {
  auto keys = open();
  const auto created = createKeys(*keys, 0, 12);
  const auto v1_text = readText(key_file_);
  // Killed just after writing the new version into the key file, before anything used it.
  crypto::MasterKeys::loadFile(key_file_).withNewVersion().replaceFile(key_file_);
  auto rotation = keys->rotate(key_file_);
  EXPECT_TRUE(rotation.resumed);
  EXPECT_EQ(rotation.to, 2u);
  EXPECT_EQ(rotation.rewrapped, 12u);
  EXPECT_EQ(fileVersions(), (std::vector<crypto::MasterKeys::Version>{2}));

  // Killed after the store retired version 1 but before the key file was rewritten: the file
  // still holds both.
  const auto v2_text = readText(key_file_);
  std::filesystem::remove(key_file_);
  {
    std::ofstream out(key_file_);
    out << v1_text << v2_text;
  }
  ::chmod(key_file_.c_str(), 0600);
  keys.reset();
  keys = open();
  rotation = keys->rotate(key_file_);
  EXPECT_TRUE(rotation.resumed);
  EXPECT_EQ(rotation.to, 2u);
  EXPECT_EQ(rotation.rewrapped, 0u);
  EXPECT_EQ(rotation.retired, (std::vector<crypto::MasterKeys::Version>{1}));
  EXPECT_EQ(fileVersions(), (std::vector<crypto::MasterKeys::Version>{2}));
  expectAllOpen(*keys, created);
}

TEST_F(KeyStoreTest, AServingStoreKeepsWorkingWhileAnotherProcessRotates) {
  auto serving = open();
  std::map<std::string, std::string> created = createKeys(*serving, 0, 300);
  std::mutex created_mutex;
  std::atomic<bool> stop{false};
  std::atomic<std::size_t> failures{0}, reads{0};
  std::string first_failure;
  std::thread traffic([&] {
    std::size_t next = 1000;
    while (!stop) {
      try {
        auto fresh = createKeys(*serving, next++, 1);
        std::lock_guard lock(created_mutex);
        created.insert(fresh.begin(), fresh.end());
        const auto id = dossier(next % 300);
        auto key = serving->findDataKey(id);
        if (!key || fingerprint(std::move(*key)) != created.at(id.str())) ++failures;
        ++reads;
      } catch (const std::exception& e) {
        if (failures++ == 0) first_failure = e.what();
      }
      // At a gateway's pace rather than a tight loop: SQLite's busy handler sleeps and retries
      // rather than queueing, so back-to-back creations could starve the rotation's writer.
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  });
  // The rotation, from its own connection, in slices, as repeated `keys rotate --max-keys 40`.
  auto rotating = open();
  std::size_t runs = 0;
  KeyStore::Rotation rotation;
  do {
    rotation = rotating->rotate(key_file_, 40);
    ++runs;
  } while (rotation.retired.empty() && runs < 100);
  stop = true;
  traffic.join();
  EXPECT_EQ(failures.load(), 0u) << first_failure;
  EXPECT_GT(reads.load(), 0u);
  EXPECT_GT(runs, 7u);
  EXPECT_EQ(rotation.retired, (std::vector<crypto::MasterKeys::Version>{1}));
  // Whatever the serving store created during the rotation is readable with the new file alone.
  serving.reset();
  rotating.reset();
  KeyStore fresh({dir_ / "store.keys"}, crypto::MasterKeys::loadFile(key_file_));
  EXPECT_EQ(fresh.status().data_keys.size(), 1u);
  expectAllOpen(fresh, created);
}

TEST_F(KeyStoreTest, ADestroyedKeyIsNeverFoundAgainThoughLookupsRaceTheErasure) {
  createKeys(*open(), 0, 20);
  for (std::size_t i = 0; i < 20; ++i) {
    // Half the time the key is cached before the race, half the time lookups miss and read the
    // file while it is being erased.
    auto keys = open();
    const auto id = dossier(i);
    if (i % 2 == 0) {
      ASSERT_TRUE(keys->findDataKey(id));
    }
    std::atomic<bool> destroyed{false};
    std::atomic<std::size_t> found_after{0}, lookups{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 3; ++t)
      readers.emplace_back([&] {
        for (int n = 0; n < 200; ++n) {
          const bool after = destroyed.load();
          const auto key = keys->findDataKey(id);
          ++lookups;
          if (after && key) ++found_after;
        }
      });
    EXPECT_EQ(keys->destroyDataKeys({id}), 1u);
    destroyed = true;
    for (auto& r : readers) r.join();
    EXPECT_EQ(found_after.load(), 0u) << id.str();
    EXPECT_EQ(lookups.load(), 600u);
    EXPECT_FALSE(keys->findDataKey(id));
  }
  // Nor by another store on the same file, which never cached it.
  EXPECT_FALSE(open()->findDataKey(dossier(3)));
}

TEST_F(KeyStoreTest, WithoutACacheKeysAreTheSame) {
  auto cached = open();
  const auto created = createKeys(*cached, 0, 30);
  KeyStore uncached({dir_ / "store.keys", false, {}, 0}, crypto::MasterKeys::loadFile(key_file_));
  expectAllOpen(*cached, created);
  expectAllOpen(*cached, created);  // from the cache this time
  expectAllOpen(uncached, created);
  EXPECT_EQ(uncached.destroyDataKeys({dossier(5)}), 1u);
  EXPECT_FALSE(uncached.findDataKey(dossier(5)));
}

TEST_F(KeyStoreTest, AKeyFileFromBeforeTheRootKeyHadItsIndexesUnderMasterVersionOne) {
  open()->createDataKey(dossier(1));
  {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session raw("SQLite", (dir_ / "store.keys").string());
    using namespace Poco::Data::Keywords;
    raw << "DELETE FROM root_key", now;  // as the file was before migration 003
  }
  auto keys = open();
  EXPECT_TRUE(keys->status().root_is_master_v1);
  const auto master = crypto::MasterKeys::loadFile(key_file_);
  EXPECT_EQ(fingerprint(crypto::SecretKey::fromBytes(keys->root().secret().data())),
            fingerprint(master.copyKey(1)));
  // A fresh file for a fresh database draws its own.
  KeyStore other({dir_ / "other.keys"}, crypto::MasterKeys::loadFile(key_file_));
  EXPECT_FALSE(other.status().root_is_master_v1);
  EXPECT_NE(fingerprint(crypto::SecretKey::fromBytes(other.root().secret().data())),
            fingerprint(master.copyKey(1)));
}

}  // namespace
}  // namespace passerelle::store
