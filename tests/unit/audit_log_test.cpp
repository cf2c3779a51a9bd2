// The audit log on a real SQLite file: group commit, checkpoints, proofs, reopening, a store
// that cannot write, tampering caught by verify (store and export), retention.
#include "passerelle/audit/audit_log.hpp"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "audit_events.hpp"
#include "passerelle/audit/log_verifier.hpp"
#include "passerelle/crypto/root_key.hpp"
#include "temp_dir.hpp"

namespace passerelle::audit {
namespace {

using namespace Poco::Data::Keywords;
using testing::TempDir;

using testing::eventNumber;

class AuditLogTest : public ::testing::Test {
 protected:
  AuditLogTest() : signer_(master_.derive(crypto::KeyUse::signing)) { open(); }

  void open(std::chrono::milliseconds interval = std::chrono::milliseconds(1000),
            int busy_timeout_ms = 10000) {
    log_.reset();
    store_.reset();
    store_ = store::openSqliteAuditStore({file(), 2, busy_timeout_ms, std::nullopt});
    log_ =
        std::make_unique<AuditLog>(*store_, signer_, AuditLogOptions{"test-log", interval, 4096});
  }
  void close() {
    log_.reset();
    store_.reset();
  }
  std::filesystem::path file() const { return dir_ / "audit.sqlite"; }

  // Appends n entries from one thread.
  void appendEntries(int n, int first = 0) {
    for (int i = first; i < first + n; ++i) log_->append(eventNumber(i));
  }

  VerifyReport verifyStore(VerifyOptions options = {}) {
    auto store = store::openSqliteAuditStore({file(), 1, 10000, std::nullopt});
    auto source = storeSource(*store);
    options.public_key = options.public_key.value_or(signer_.publicKeyHex());
    return verifyLog(*source, options);
  }

  // Raw SQL on the file, as someone with access to the disk would do, triggers dropped first.
  void tamper(const std::string& sql) {
    close();
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session raw("SQLite", file().string());
    for (const char* t :
         {"audit_entries_no_delete", "audit_entries_only_prune", "audit_checkpoints_no_update",
          "audit_checkpoints_no_delete", "audit_settings_horizon", "audit_tiles_no_update",
          "audit_tiles_no_delete"})
      raw << "DROP TRIGGER IF EXISTS " + std::string(t), now;
    raw << sql, now;
  }

  TempDir dir_;
  crypto::RootKey master_ = crypto::RootKey::generate();
  crypto::Signer signer_;
  std::unique_ptr<store::AuditStore> store_;
  std::unique_ptr<AuditLog> log_;
};

TEST_F(AuditLogTest, CheckpointsFollowUnderLoadAndProveTheLogOnlyGrew) {
  open(std::chrono::milliseconds(40));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(400);
  int i = 0;
  while (std::chrono::steady_clock::now() < deadline) log_->append(eventNumber(i++));
  log_->checkpointNow();
  const auto heads = store_->checkpoints();
  ASSERT_GE(heads.size(), 3u) << "a checkpoint every 40 ms over 400 ms of appends";
  for (std::size_t k = 1; k < heads.size(); ++k) {
    const auto older = Checkpoint::fromRow(heads[k - 1]);
    const auto newer = Checkpoint::fromRow(heads[k]);
    EXPECT_TRUE(newer.signatureValid());
    EXPECT_GT(newer.tree_size, older.tree_size);
    EXPECT_TRUE(crypto::verifyConsistency(
        older.tree_size, newer.tree_size, older.root_hash, newer.root_hash,
        log_->consistencyProof(older.tree_size, newer.tree_size)));
  }
}

TEST_F(AuditLogTest, AReopenedLogContinuesWhereItStopped) {
  appendEntries(10);
  const auto before = log_->checkpointNow();
  appendEntries(5, 10);  // not yet in a checkpoint when closed
  open();
  EXPECT_EQ(log_->size(), 15u);
  EXPECT_EQ(log_->rootAt(10), before.root_hash);
  EXPECT_EQ(log_->append(eventNumber(15)).index, 15u);
  const auto after = log_->checkpointNow();
  EXPECT_EQ(after.tree_size, 16u);
  EXPECT_TRUE(crypto::verifyConsistency(10, 16, before.root_hash, after.root_hash,
                                        log_->consistencyProof(10, 16)));
}

TEST_F(AuditLogTest, AnEntryThatCannotBeWrittenIsRefusedAndNothingIsLost) {
  open(std::chrono::milliseconds(1000), 200);
  appendEntries(3);
  {
    // Another process holds the write lock: the append waits its busy timeout, then fails.
    Poco::Data::Session other("SQLite", file().string());
    other << "BEGIN EXCLUSIVE", now;
    EXPECT_THROW(log_->append(eventNumber(3)), AuditUnavailable);
    other << "ROLLBACK", now;
  }
  // The failed entry took no position: the next one is #3 and the log verifies.
  EXPECT_EQ(log_->append(eventNumber(4)).index, 3u);
  EXPECT_EQ(log_->size(), 4u);
  log_->checkpointNow();
  const auto report = verifyStore();
  EXPECT_TRUE(report.ok()) << report.problems.front();
  EXPECT_EQ(report.entries, 4u);
}

// Past 256 entries the tree's older hashes live in the store's tiles, not in memory: a reopened
// log proves entries from them, and a log written before tiles gets them at its next start.
TEST_F(AuditLogTest, AReopenedLogProvesOldEntriesFromItsStoredTiles) {
  open(std::chrono::hours(1));
  appendEntries(1000);
  const auto head = log_->checkpointNow();
  EXPECT_EQ(store_->tileCount(0), 3u);  // leaves 0 to 767
  for (const bool before_tiles : {false, true}) {
    if (before_tiles) {
      // As a log written by an earlier version: no tile at all.
      tamper("DELETE FROM audit_tiles");
      Poco::Data::Session raw("SQLite", file().string());
      int tiles = -1;
      raw << "SELECT COUNT(*) FROM audit_tiles", into(tiles), now;
      ASSERT_EQ(tiles, 0);
    }
    open(std::chrono::hours(1));
    EXPECT_EQ(store_->tileCount(0), 3u) << before_tiles;
    EXPECT_EQ(log_->rootAt(1000), head.root_hash);
    for (const std::uint64_t index : {0u, 255u, 256u, 700u, 999u}) {
      const auto proof = log_->inclusionProof(index, 1000);
      EXPECT_TRUE(crypto::verifyInclusion(proof.leaf_hash, index, 1000, proof.path, head.root_hash))
          << index;
    }
    EXPECT_EQ(log_->append(eventNumber(1000 + before_tiles)).index, 1000u + before_tiles);
  }
  const auto report = verifyStore();
  EXPECT_TRUE(report.ok()) << report.problems.front();
}

// A stored tile rewritten (its hashes no longer those of its entries) would make the proofs
// served from it fail: the next start refuses the log, and `audit verify` names the tile.
TEST_F(AuditLogTest, AnAlteredTileIsCaughtAtStartAndNamedByVerify) {
  open(std::chrono::hours(1));
  appendEntries(600);
  log_->checkpointNow();
  tamper("UPDATE audit_tiles SET hashes = zeroblob(8192) WHERE level = 0 AND idx = 1");
  EXPECT_THROW(open(), AuditFormatError);
  const auto report = verifyStore();
  EXPECT_FALSE(report.ok());
  bool named = false;
  for (const auto& p : report.problems)
    named = named || p.find("tile 0/1 does not match entries #256 to #511") != std::string::npos;
  EXPECT_TRUE(named) << report.problems.front();
  EXPECT_EQ(report.first_bad_entry, 256u);
}

TEST_F(AuditLogTest, TheStoreRefusesToRewriteHistory) {
  appendEntries(3);
  log_->checkpointNow();
  close();
  Poco::Data::Session raw("SQLite", file().string());
  EXPECT_ANY_THROW((raw << "UPDATE audit_entries SET entry = 'x' WHERE idx = 1", now));
  EXPECT_ANY_THROW((raw << "DELETE FROM audit_entries WHERE idx = 2", now));
  EXPECT_ANY_THROW((raw << "DELETE FROM audit_checkpoints", now));
  EXPECT_ANY_THROW((raw << "INSERT INTO audit_tiles VALUES (0, 0, zeroblob(100))", now));
}

// ---- tampering with the store ----

class AuditTamperTest : public AuditLogTest {
 protected:
  AuditTamperTest() {
    open(std::chrono::hours(1));  // only the checkpoints asked for
    appendEntries(10);
    log_->checkpointNow();
    appendEntries(20, 10);
    log_->checkpointNow();  // checkpoints at 10 and 30
  }
  static std::string has(const VerifyReport& r, const std::string& text) {
    for (const auto& p : r.problems)
      if (p.find(text) != std::string::npos) return p;
    return "";
  }
};

TEST_F(AuditTamperTest, AnUntouchedLogVerifies) {
  close();
  const auto report = verifyStore();
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.entries, 30u);
  EXPECT_EQ(report.checkpoints, 2u);
}

TEST_F(AuditTamperTest, OneChangedByteIsNamed) {
  tamper(
      "UPDATE audit_entries SET entry = replace(entry, '\"status\":200', '\"status\":201') "
      "WHERE idx = 17");
  const auto report = verifyStore();
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(report.first_bad_entry, 17u);
  EXPECT_NE(has(report, "entry #17: its content does not match its leaf hash"), "");
}

TEST_F(AuditTamperTest, AChangeWithARecomputedLeafHashBreaksTheCheckpoint) {
  // The attacker rewrites entry 17 and its leaf hash consistently: only the signed checkpoint
  // can tell, and it narrows the change to the entries it newly covered.
  close();
  std::string edited, leaf;
  {
    Poco::Data::Session raw("SQLite", file().string());
    raw << "SELECT entry FROM audit_entries WHERE idx = 17", into(edited), now;
  }
  edited.replace(edited.find("\"status\":200"), 12, "\"status\":404");
  leaf = hashHex(crypto::leafHash(edited));
  tamper("UPDATE audit_entries SET entry = '" + edited + "', leaf_hash = '" + leaf +
         "' WHERE idx = 17");
  const auto report = verifyStore();
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(report.first_bad_entry, 10u);
  EXPECT_NE(has(report, "checkpoint of size 30"), "");
  EXPECT_NE(has(report, "entries #10 to #29"), "");
}

TEST_F(AuditTamperTest, ADeletedEntryIsNamed) {
  tamper("DELETE FROM audit_entries WHERE idx = 12");
  const auto report = verifyStore();
  EXPECT_EQ(report.first_bad_entry, 12u);
  EXPECT_NE(has(report, "entry #12 is missing"), "");
}

TEST_F(AuditTamperTest, TwoSwappedEntriesAreNamed) {
  // Rows 4 and 5 exchange everything but their position.
  tamper(
      "UPDATE audit_entries SET (entry, leaf_hash, at, partner, purpose, action, person, "
      "decision) = (SELECT entry, leaf_hash, at, partner, purpose, action, person, decision FROM "
      "audit_entries AS o WHERE o.idx = 9 - audit_entries.idx) WHERE idx IN (4, 5)");
  const auto report = verifyStore();
  EXPECT_EQ(report.first_bad_entry, 4u);
  EXPECT_NE(has(report, "entry #4 holds the content of entry #5"), "");
}

TEST_F(AuditTamperTest, ATruncatedLogIsNamed) {
  tamper("DELETE FROM audit_entries WHERE idx >= 25");
  const auto report = verifyStore();
  EXPECT_EQ(report.first_bad_entry, 25u);
  EXPECT_NE(has(report, "entries #25 to #29 are missing (truncated)"), "");
}

TEST_F(AuditTamperTest, ALogTruncatedWithItsCheckpointsIsCaughtByAKeptCheckpoint) {
  const auto kept = *log_->latestCheckpoint();  // a partner kept this one
  tamper("DELETE FROM audit_entries WHERE idx >= 20");
  tamper("DELETE FROM audit_checkpoints WHERE tree_size > 20");
  EXPECT_TRUE(verifyStore().ok()) << "the store alone cannot know";
  const auto report = verifyStore({std::nullopt, {kept}, std::nullopt});
  EXPECT_EQ(report.first_bad_entry, 20u);
  EXPECT_NE(has(report, "trusted checkpoint of size 30"), "");
}

TEST_F(AuditTamperTest, ASearchColumnThatLiesIsNamed) {
  tamper("UPDATE audit_entries SET person = 'p-someone-else' WHERE idx = 3");
  const auto report = verifyStore();
  EXPECT_EQ(report.first_bad_entry, 3u);
  EXPECT_NE(has(report, "entry #3: its search columns differ"), "");
}

TEST_F(AuditTamperTest, ACheckpointFromAnotherKeyIsRefused) {
  close();
  const auto report =
      verifyStore({crypto::Signer(master_.derive(crypto::KeyUse::blind_index)).publicKeyHex(),
                   {},
                   std::nullopt});
  EXPECT_FALSE(report.ok());
  EXPECT_NE(has(report, "signed by another key"), "");
}

// ---- the export file ----

class AuditExportTest : public AuditTamperTest {
 protected:
  std::vector<std::string> exportedLines() {
    close();
    auto store = store::openSqliteAuditStore({file(), 1, 10000, std::nullopt});
    std::stringstream out;
    EXPECT_EQ(exportLog(*store, out), 30u);
    std::vector<std::string> lines;
    for (std::string line; std::getline(out, line);) lines.push_back(line);
    return lines;
  }
  VerifyReport verifyFile(const std::vector<std::string>& lines) {
    const auto path = dir_ / ("export-" + std::to_string(++exports_) + ".ndjson");
    std::ofstream out(path);
    for (const auto& l : lines) out << l << '\n';
    out.close();
    auto source = exportFileSource(path);
    return verifyLog(*source, {signer_.publicKeyHex(), {}, std::nullopt});
  }
  int exports_ = 0;
  static constexpr std::size_t kFirstEntryLine = 3;  // header, then two checkpoints
};

TEST_F(AuditExportTest, AnExportVerifiesAndEachKindOfTamperingIsNamed) {
  const auto lines = exportedLines();
  ASSERT_EQ(lines.size(), 33u);
  const auto clean = verifyFile(lines);
  EXPECT_TRUE(clean.ok());
  EXPECT_EQ(clean.entries, 30u);

  auto changed = lines;  // one byte of entry 6
  auto& line = changed[kFirstEntryLine + 6];
  line.replace(line.find("req-6"), 5, "req-9");
  EXPECT_EQ(verifyFile(changed).first_bad_entry, 6u);

  auto deleted = lines;
  deleted.erase(deleted.begin() + kFirstEntryLine + 8);
  EXPECT_EQ(verifyFile(deleted).first_bad_entry, 8u);

  auto swapped = lines;
  std::swap(swapped[kFirstEntryLine + 2], swapped[kFirstEntryLine + 3]);
  EXPECT_EQ(verifyFile(swapped).first_bad_entry, 2u);

  auto truncated = lines;
  truncated.resize(kFirstEntryLine + 21);
  EXPECT_EQ(verifyFile(truncated).first_bad_entry, 21u);

  auto garbled = lines;
  garbled[kFirstEntryLine + 1] = "{\"index\":1,";
  EXPECT_THROW(verifyFile(garbled), AuditFormatError);
}

// ---- the sensitive part ----

TEST_F(AuditLogTest, TheSensitivePartIsKeptBesideTheEntryWhichCommitsToIt) {
  auto e = eventNumber(0);
  e.withheld_sensitive = {{"/sante/suivi_medical", "consent_required"}};
  log_->append(e);
  appendEntries(2, 1);
  const auto row = store_->row(0);
  ASSERT_TRUE(row && row->entry && row->sensitive);
  EXPECT_EQ(row->entry->find("/sante/"), std::string::npos) << *row->entry;
  auto entry = parseAuditEntry(*row->entry);
  openSensitivePart(entry, row->sensitive);
  EXPECT_EQ(entry.event.withheld_sensitive, e.withheld_sensitive);
  EXPECT_FALSE(store_->row(1)->sensitive) << "nothing sensitive, no part";
  EXPECT_EQ(store_->row(1)->entry->find("withheld_sensitive"), std::string::npos);
  close();
  EXPECT_TRUE(verifyStore().ok());
  tamper(
      "UPDATE audit_entries SET sensitive = replace(sensitive, 'suivi_medical', "
      "'suivi_social_') WHERE idx = 0");
  auto report = verifyStore();
  EXPECT_EQ(report.first_bad_entry, 0u);
  ASSERT_FALSE(report.problems.empty());
  EXPECT_NE(report.problems.front().find("sensitive part"), std::string::npos)
      << report.problems.front();
  tamper("UPDATE audit_entries SET sensitive = NULL WHERE idx = 0");
  EXPECT_EQ(verifyStore().first_bad_entry, 0u) << "a part removed is missing";
}

// ---- retention ----

TEST_F(AuditLogTest, PrunedEntriesLoseTheirContentButTheirProofsStillVerify) {
  // Six entries from two years ago, four from now (retention: 12 months, the default).
  const auto old = core::monthsBefore(core::nowUtc(), 24);
  for (int i = 0; i < 6; ++i) {
    auto e = eventNumber(i);
    e.time = old;
    log_->append(e);
  }
  appendEntries(4, 6);
  const auto head = log_->checkpointNow();
  const auto proof_of_2 = log_->inclusionProof(2, head.tree_size);
  EXPECT_EQ(store_->pruneBefore(core::monthsBefore(core::nowUtc(), 12)), 6u);
  EXPECT_EQ(store_->prunedCount(), 6u);
  const auto row = store_->row(2);
  ASSERT_TRUE(row);
  EXPECT_FALSE(row->entry);
  EXPECT_EQ(row->person, "");
  EXPECT_TRUE(crypto::verifyInclusion(hashFromHex(row->leaf_hash), 2, head.tree_size,
                                      proof_of_2.path, head.root_hash));
  EXPECT_TRUE(store_->row(7)->entry);
  close();
  VerifyOptions options;
  options.retention_months = 12;
  const auto report = verifyStore(options);
  EXPECT_TRUE(report.ok()) << report.problems.front();
  EXPECT_EQ(report.pruned, 6u);
}

// A recent entry cannot be emptied: not through the store, not by the SQL pruning runs; and
// one emptied behind the store's back (its triggers dropped) is an error, not "pruned".
TEST_F(AuditLogTest, ARecentEntryIsNeverPrunedAndOneHiddenSoFailsVerification) {
  appendEntries(5);
  EXPECT_THROW(store_->pruneBefore(core::monthsBefore(core::nowUtc(), -1)), std::runtime_error);
  EXPECT_EQ(store_->prunedCount(), 0u);
  close();
  {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session raw("SQLite", file().string());
    const auto refused = [&](const std::string& sql) {
      try {
        raw << sql, now;
      } catch (const Poco::Exception&) {
        return true;
      }
      return false;
    };
    EXPECT_TRUE(refused("UPDATE audit_settings SET value = 100 WHERE name = 'prune_horizon'"));
    EXPECT_TRUE(refused("UPDATE audit_entries SET entry = NULL, person = '' WHERE idx = 3"));
    EXPECT_TRUE(refused("UPDATE audit_settings SET value = 0 WHERE name = 'retention_months'"));
  }
  tamper(
      "UPDATE audit_entries SET entry = NULL, partner = '', purpose = '', action = '', "
      "person = '', decision = '' WHERE idx = 3");
  VerifyOptions options;
  options.retention_months = 12;
  auto report = verifyStore(options);
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(report.first_bad_entry, 3u);
  ASSERT_FALSE(report.problems.empty());
  EXPECT_NE(report.problems.front().find("hidden, not pruned"), std::string::npos)
      << report.problems.front();
  // Without the retention period, the order gives it away: entries 0 to 2 kept their content.
  report = verifyStore();
  EXPECT_EQ(report.first_bad_entry, 3u);
}

}  // namespace
}  // namespace passerelle::audit
