// The stores' contract on each backend (issue 23: parameterised, not copied): SQLite's file and
// PostgreSQL on a real server the test starts, with its keys in a second database. Then what
// only several nodes on one PostgreSQL database can show: writes to one dossier from two nodes
// respecting If-Match, one identifier claimed by two nodes at once, and a change feed in commit
// order that a follower reading all the while never skips. The SQLite-only behaviours (the key
// file, the WAL, legacy sealing, bytes on disk) stay in sqlite_store_test.cpp.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/core/utc_time.hpp"
#include "passerelle/store/postgres_store.hpp"
#include "passerelle/store/sqlite_store.hpp"
#include "pg_connection.hpp"
#include "postgres_server.hpp"
#include "temp_dir.hpp"
#include "thrown_kind.hpp"

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

std::optional<ErrorKind> kindOf(const std::function<void()>& f) {
  return testing::thrownKind(f);
}

testing::PostgresServer& server() {
  return testing::PostgresServer::shared();
}

// One backend's database and keys, opened as often as a test asks (a node, a restart).
class Backend {
 public:
  explicit Backend(const std::string& name) : name_(name) {
    crypto::MasterKeys::generate().saveNewFile(dir_ / "master.key");
    if (name_ == "postgresql") {
      options_.url = server().url(server().createDatabase("stores"));
      options_.keys_url = server().url(server().createDatabase("keys"));
      options_.pool_size = 4;
    }
  }

  std::shared_ptr<KeyStore> openKeys() const {
    auto master = crypto::MasterKeys::loadFile(dir_ / "master.key");
    if (name_ == "postgresql") return openPostgresKeyStore(options_, std::move(master));
    return openKeyStore({dir_ / "store.db"}, std::move(master));
  }
  Stores openStores(std::shared_ptr<KeyStore> keys) const {
    if (name_ == "postgresql") return openPostgresStores(options_, std::move(keys));
    return openSqliteStores({dir_ / "store.db", 2}, std::move(keys));
  }
  const PostgresOptions& postgres() const { return options_; }

 private:
  std::string name_;
  testing::TempDir dir_;
  PostgresOptions options_;
};

class StoreBackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  StoreBackendTest() : backend_(GetParam()) { reopen(); }

  Stores openStores() { return backend_.openStores(keys_); }
  void reopen() {
    store_.reset();
    keys_.reset();
    keys_ = backend_.openKeys();
    store_ = openStores().dossiers;
  }

  Backend backend_;
  std::shared_ptr<KeyStore> keys_;
  std::unique_ptr<DossierStore> store_;
  const WriteContext ctx_{core::PartnerId("caf"), "test"};
};

TEST_P(StoreBackendTest, CreatedDossierReadsBackWithItsIdentifiers) {
  const auto written = store_->createDossier(idOf('a'), {{Section::identite, R"({"nom":"A"})"}},
                                             {{IdentifierKind::nir, "2550814168025"}}, ctx_);
  ASSERT_EQ(written.size(), 1u);
  EXPECT_EQ(written[0].version, 1);
  EXPECT_EQ(written[0].author, "caf");
  EXPECT_TRUE(store_->exists(idOf('a')));
  EXPECT_FALSE(store_->exists(idOf('b')));
  EXPECT_EQ(store_->findByIdentifier({IdentifierKind::nir, "2550814168025"}), idOf('a'));
  EXPECT_FALSE(store_->findByIdentifier({IdentifierKind::nir, "1850578006084"}));
  // Same value under another kind is another identifier.
  EXPECT_FALSE(store_->findByIdentifier({IdentifierKind::departement, "2550814168025"}));
  const auto current = store_->currentSections(idOf('a'));
  ASSERT_EQ(current.size(), 1u);
  EXPECT_EQ(current[0].content, R"({"nom":"A"})");
  EXPECT_EQ(store_->dossierCount(), 1);
}

TEST_P(StoreBackendTest, ConcurrentWritersGetConsecutiveVersionsAndStaleOnesAreRefused) {
  // Writes from many threads are committed in groups: each still sees the ones before it.
  store_->createDossier(idOf('a'), {{Section::contact, R"({"v":0})"}}, {}, ctx_);
  constexpr int kThreads = 8, kEach = 25;
  std::vector<std::thread> threads;
  std::mutex mutex;
  std::set<std::int64_t> versions;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const auto r = store_->putSection(idOf('a'), Section::contact,
                                          "{\"v\":" + std::to_string(1 + t * kEach + i) + "}",
                                          Precondition::any(), std::nullopt, ctx_);
        std::lock_guard lock(mutex);
        versions.insert(r.info.version);
      }
    });
  for (auto& t : threads) t.join();
  ASSERT_EQ(versions.size(), static_cast<std::size_t>(kThreads * kEach));
  EXPECT_EQ(*versions.begin(), 2);
  EXPECT_EQ(*versions.rbegin(), 1 + kThreads * kEach);
  EXPECT_EQ(store_->history(idOf('a')).size(), static_cast<std::size_t>(1 + kThreads * kEach));
  EXPECT_EQ(kindOf([&] {
              store_->putSection(idOf('a'), Section::contact, R"({"v":-1})",
                                 Precondition::mustBeVersion(1), std::nullopt, ctx_);
            }),
            ErrorKind::precondition_failed);
  EXPECT_EQ(store_->currentSection(idOf('a'), Section::contact)->info.version,
            1 + kThreads * kEach);
}

TEST_P(StoreBackendTest, EveryWriteKeepsThePreviousVersion) {
  store_->createDossier(idOf('a'), {}, {}, ctx_);
  for (int i = 1; i <= 3; ++i) {
    const auto r =
        store_->putSection(idOf('a'), Section::contact, "{\"v\":" + std::to_string(i) + "}",
                           Precondition::any(), std::nullopt, ctx_);
    EXPECT_TRUE(r.changed);
    EXPECT_EQ(r.info.version, i);
  }
  EXPECT_EQ(store_->currentSection(idOf('a'), Section::contact)->content, R"({"v":3})");
  const auto history = store_->history(idOf('a'));
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].version, 1);
  EXPECT_EQ(history[2].version, 3);
  EXPECT_NE(history[0].content_hash, history[1].content_hash);
}

TEST_P(StoreBackendTest, WritingTheSameContentAgainWritesNothing) {
  store_->createDossier(idOf('a'), {{Section::contact, R"({"v":1})"}}, {}, ctx_);
  const auto r = store_->putSection(idOf('a'), Section::contact, R"({"v":1})", Precondition::any(),
                                    std::nullopt, ctx_);
  EXPECT_FALSE(r.changed);
  EXPECT_EQ(r.info.version, 1);
  EXPECT_EQ(store_->history(idOf('a')).size(), 1u);
}

TEST_P(StoreBackendTest, PreconditionsAreCheckedBeforeWriting) {
  store_->createDossier(idOf('a'), {{Section::contact, R"({"v":1})"}}, {}, ctx_);
  auto put = [&](Section s, const Precondition& p) {
    return store_->putSection(idOf('a'), s, R"({"v":2})", p, std::nullopt, ctx_);
  };
  EXPECT_EQ(kindOf([&] { put(Section::contact, Precondition::mustBeVersion(2)); }),
            ErrorKind::precondition_failed);
  EXPECT_EQ(kindOf([&] { put(Section::contact, Precondition::mustBeAbsent()); }),
            ErrorKind::precondition_failed);
  EXPECT_EQ(kindOf([&] { put(Section::foyer, Precondition::mustBePresent()); }),
            ErrorKind::precondition_failed);
  EXPECT_EQ(kindOf([&] { put(Section::foyer, Precondition::mustBeVersion(1)); }),
            ErrorKind::precondition_failed);
  EXPECT_EQ(store_->history(idOf('a')).size(), 1u) << "a refused write left a version";
  EXPECT_EQ(put(Section::contact, Precondition::mustBeVersion(1)).info.version, 2);
  EXPECT_EQ(put(Section::foyer, Precondition::mustBeAbsent()).info.version, 1);
  EXPECT_EQ(put(Section::contact, Precondition::mustBePresent()).changed, false);
}

TEST_P(StoreBackendTest, AnIdentifierBelongsToOneDossierOnly) {
  const Identifier nir{IdentifierKind::nir, "2550814168025"};
  store_->createDossier(idOf('a'), {}, {nir}, ctx_);
  EXPECT_EQ(kindOf([&] { store_->createDossier(idOf('b'), {}, {nir}, ctx_); }),
            ErrorKind::conflict);
  EXPECT_FALSE(store_->exists(idOf('b'))) << "a refused creation left a dossier";
  store_->createDossier(idOf('b'), {}, {}, ctx_);
  EXPECT_EQ(kindOf([&] {
              store_->putSection(idOf('b'), Section::identite, "{}", Precondition::any(),
                                 IdentifierUpdate{{IdentifierKind::nir}, {nir}}, ctx_);
            }),
            ErrorKind::conflict);
  EXPECT_FALSE(store_->currentSection(idOf('b'), Section::identite));
}

TEST_P(StoreBackendTest, RewritingASectionReplacesTheIdentifiersItCarries) {
  const Identifier old_ft{IdentifierKind::france_travail, "111X"},
      new_ft{IdentifierKind::france_travail, "222X"};
  const Identifier dept{IdentifierKind::departement, "D-1"};
  store_->createDossier(idOf('a'), {}, {old_ft, dept}, ctx_);
  store_->putSection(
      idOf('a'), Section::identifiants, R"({"x":1})", Precondition::any(),
      IdentifierUpdate{{IdentifierKind::france_travail, IdentifierKind::departement}, {new_ft}},
      ctx_);
  EXPECT_FALSE(store_->findByIdentifier(old_ft));
  EXPECT_FALSE(store_->findByIdentifier(dept));
  EXPECT_EQ(store_->findByIdentifier(new_ft), idOf('a'));
}

TEST_P(StoreBackendTest, UnknownDossierIsNotFound) {
  EXPECT_EQ(kindOf([&] {
              store_->putSection(idOf('z'), Section::contact, "{}", Precondition::any(),
                                 std::nullopt, ctx_);
            }),
            ErrorKind::not_found);
  EXPECT_TRUE(store_->currentSections(idOf('z')).empty());
}

TEST_P(StoreBackendTest, ReopeningKeepsEverythingAndMigrationsRunOnce) {
  store_->createDossier(idOf('a'), {{Section::contact, R"({"v":1})"}},
                        {{IdentifierKind::nir, "2550814168025"}}, ctx_);
  store_->putSection(idOf('a'), Section::contact, R"({"v":2})", Precondition::any(), std::nullopt,
                     ctx_);
  reopen();
  reopen();
  EXPECT_EQ(store_->currentSection(idOf('a'), Section::contact)->content, R"({"v":2})");
  EXPECT_EQ(store_->findByIdentifier({IdentifierKind::nir, "2550814168025"}), idOf('a'));
  EXPECT_EQ(store_->history(idOf('a')).size(), 2u);
}

TEST_P(StoreBackendTest, TheChangeFeedFollowsCommitOrderAndLeavesErasedDossiersOut) {
  store_->createDossier(idOf('a'), {{Section::identite, R"({"v":1})"}, {Section::contact, "{}"}},
                        {}, ctx_);
  store_->createDossier(idOf('b'), {{Section::identite, R"({"v":2})"}}, {}, ctx_);
  store_->putSections(idOf('a'),
                      {{Section::contact, R"({"v":3})", std::nullopt},
                       {Section::foyer, R"({"v":4})", std::nullopt},
                       {Section::identite, R"({"v":1})", std::nullopt}},  // unchanged: no change
                      ctx_);
  const auto all = store_->changesAfter(0, 100);
  ASSERT_EQ(all.size(), 5u);
  const std::vector<std::pair<char, Section>> expected = {{'a', Section::identite},
                                                          {'a', Section::contact},
                                                          {'b', Section::identite},
                                                          {'a', Section::contact},
                                                          {'a', Section::foyer}};
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].dossier, idOf(expected[i].first)) << i;
    EXPECT_EQ(all[i].section, expected[i].second) << i;
    if (i > 0) {
      EXPECT_GT(all[i].sequence, all[i - 1].sequence);
    }
  }
  EXPECT_EQ(all[3].version, 2);
  const auto page = store_->changesAfter(all[1].sequence, 2);
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].sequence, all[2].sequence);
  EXPECT_EQ(page[1].sequence, all[3].sequence);

  EXPECT_TRUE(store_->erase(idOf('b'), "fin de conservation", ctx_));
  reopen();
  const auto after = store_->changesAfter(0, 100);
  ASSERT_EQ(after.size(), 4u) << "an erased dossier leaves the feed";
  EXPECT_EQ(after[2].sequence, all[3].sequence) << "numbers survive a reopen";
}

TEST_P(StoreBackendTest, PutSectionsWritesAllOrNothing) {
  store_->createDossier(idOf('a'), {}, {{core::IdentifierKind::nir, "2550814168025"}}, ctx_);
  store_->createDossier(idOf('b'), {}, {}, ctx_);
  const store::IdentifierUpdate taken{{core::IdentifierKind::nir},
                                      {{core::IdentifierKind::nir, "2550814168025"}}};
  EXPECT_EQ(kindOf([&] {
              store_->putSections(idOf('b'),
                                  {{Section::contact, R"({"v":1})", std::nullopt},
                                   {Section::identite, R"({"v":2})", taken}},
                                  ctx_);
            }),
            ErrorKind::conflict);
  EXPECT_TRUE(store_->history(idOf('b')).empty()) << "the first section is not kept either";
}

TEST_P(StoreBackendTest, TheWebhookOutboxSurvivesAReopen) {
  store_.reset();
  auto stores = openStores();
  stores.dossiers->createDossier(idOf('a'), {}, {}, ctx_);
  stores.dossiers->createDossier(idOf('b'), {}, {}, ctx_);
  const core::PartnerId dep("departement");
  EXPECT_EQ(stores.webhooks->cursor(dep), 0);
  stores.webhooks->enqueue(
      dep,
      {{idOf('a'), {Section::identite, Section::contact}, 5}, {idOf('b'), {Section::foyer}, 7}}, 7,
      core::nowUtc());
  EXPECT_EQ(stores.webhooks->cursor(dep), 7);
  auto due = stores.webhooks->due(core::nowUtc(), 10);
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].sections, (std::vector<Section>{Section::identite, Section::contact}));
  stores.webhooks->recordAttempt(due[0].id, false, 503, "HTTP 503", core::nowUtc(),
                                 core::utcIn(60'000));
  stores.webhooks->recordAttempt(due[1].id, true, 204, "", core::nowUtc(), core::nowUtc());
  EXPECT_TRUE(stores.webhooks->due(core::nowUtc(), 10).empty()) << "retry not due yet";

  stores = {};
  stores = openStores();
  EXPECT_EQ(stores.webhooks->cursor(dep), 7);
  const auto pending = stores.webhooks->deliveries(dep, true, 10);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].dossier, idOf('a'));
  EXPECT_EQ(pending[0].attempts, 1);
  EXPECT_EQ(pending[0].last_status, 503);
  EXPECT_FALSE(pending[0].delivered_at);
  ASSERT_EQ(stores.webhooks->due(core::utcIn(120'000), 10).size(), 1u) << "due once its time comes";
  EXPECT_EQ(stores.webhooks->deliveries(std::nullopt, false, 10).size(), 2u);
}

TEST_P(StoreBackendTest, ConsentsAndRelationshipsReadBackInTheOrderRecorded) {
  auto stores = openStores();
  stores.dossiers->createDossier(idOf('a'), {}, {}, ctx_);
  for (int i = 0; i < 3; ++i)
    stores.relationships->addRelationship(
        {"r" + std::to_string(9 - i), idOf('a'), core::PartnerId("p" + std::to_string(i)),
         core::RelationshipOrigin::departement, core::nowUtc(), std::nullopt, std::nullopt,
         core::PartnerId("caf"), "suivi"});
  const auto relationships = stores.relationships->relationships(idOf('a'));
  ASSERT_EQ(relationships.size(), 3u);
  EXPECT_EQ(relationships[0].id, "r9") << "the order recorded, not the ids' order";
  EXPECT_EQ(relationships[2].id, "r7");
  EXPECT_TRUE(stores.relationships->endRelationship(idOf('a'), "r8", core::nowUtc()));
  EXPECT_FALSE(stores.relationships->endRelationship(idOf('a'), "r8", core::nowUtc()));
  EXPECT_EQ(kindOf([&] {
              stores.relationships->addRelationship(
                  {"r0", idOf('z'), core::PartnerId("p"), core::RelationshipOrigin::departement,
                   core::nowUtc(), std::nullopt, std::nullopt, core::PartnerId("caf"), "x"});
            }),
            ErrorKind::not_found);
}

TEST_P(StoreBackendTest, ErasureMakesTheDossierUnreadableAndReleasesItsIdentifiers) {
  const Identifier nir{IdentifierKind::nir, "2550814168025"};
  store_->createDossier(idOf('a'), {{Section::contact, R"({"v":1})"}}, {nir}, ctx_);
  EXPECT_TRUE(store_->erase(idOf('a'), "à la demande de la personne", ctx_));
  EXPECT_FALSE(store_->erase(idOf('a'), "encore", ctx_));
  EXPECT_FALSE(store_->exists(idOf('a')));
  EXPECT_TRUE(store_->currentSections(idOf('a')).empty());
  EXPECT_FALSE(keys_->findDataKey(idOf('a'))) << "the data key is destroyed";
  EXPECT_FALSE(store_->findByIdentifier(nir));
  store_->createDossier(idOf('b'), {}, {nir}, ctx_);
  EXPECT_EQ(store_->findByIdentifier(nir), idOf('b'));
}

TEST_P(StoreBackendTest, AnExportJobIsRunByOneRunnerAndItsFilesShowOnlyOnceDone) {
  auto stores = openStores();
  auto& jobs = *stores.export_jobs;
  const std::string a(32, 'a'), b(32, 'b'), c(32, 'c');
  jobs.add(a, R"({"study":"s1"})", "2026-12-07T10:00:00Z");
  jobs.add(b, R"({"study":"s2"})", "2026-12-07T10:00:01Z");
  jobs.add(c, R"({"study":"s3"})", "2026-12-07T10:00:02Z");
  EXPECT_EQ(kindOf([&] { jobs.add(a, "{}", "2026-12-07T10:00:03Z"); }), ErrorKind::conflict);
  const auto recent = jobs.recent(2);
  ASSERT_EQ(recent.size(), 2u);
  EXPECT_EQ(recent[0].id, c) << "the latest asked first";
  EXPECT_EQ(recent[1].id, b);
  EXPECT_EQ(recent[1].status, "queued");
  EXPECT_EQ(jobs.recent(10).size(), 3u);

  const auto first = jobs.claimNext("node-1");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->id, a) << "the oldest first";
  EXPECT_EQ(first->request, R"({"study":"s1"})");
  const std::vector<unsigned char> part1(1000, 'x'), part2{'y', 'z'};
  jobs.appendFile(a, "node-1", "data.csv.sealed", part1);
  jobs.appendFile(a, "node-1", "data.csv.sealed", part2);
  jobs.appendFile(a, "node-1", "manifest.json", {});
  EXPECT_FALSE(jobs.file(a, "data.csv.sealed")) << "not before the job is done";
  EXPECT_EQ(jobs.find(a)->status, "running");
  EXPECT_EQ(kindOf([&] { jobs.appendFile(a, "node-2", "other", part2); }), ErrorKind::conflict)
      << "only its runner adds to a job";
  EXPECT_FALSE(jobs.finish(a, "node-2", "{}"));
  EXPECT_TRUE(jobs.finish(a, "node-1", R"({"rows":3})"));
  EXPECT_EQ(jobs.find(a)->status, "done");
  EXPECT_EQ(jobs.find(a)->manifest, R"({"rows":3})");
  EXPECT_EQ(jobs.file(a, "data.csv.sealed"), std::string(1000, 'x') + "yz") << "chunks in order";
  EXPECT_EQ(jobs.file(a, "manifest.json"), "") << "an empty file is a file";
  EXPECT_FALSE(jobs.file(a, "other"));

  // node-1's next job is cut by its end: the next runner marks it failed and its chunks go; the
  // runner that comes back adds nothing to it.
  ASSERT_EQ(jobs.claimNext("node-1")->id, b);
  jobs.appendFile(b, "node-1", "data.csv.sealed", part1);
  EXPECT_EQ(jobs.failInterrupted("node-2", "interrupted"), 1);
  EXPECT_EQ(jobs.find(b)->status, "failed");
  EXPECT_EQ(jobs.find(b)->error, "interrupted");
  EXPECT_EQ(kindOf([&] { jobs.appendFile(b, "node-1", "data.csv.sealed", part2); }),
            ErrorKind::conflict);
  EXPECT_FALSE(jobs.finish(b, "node-1", "{}"));
  EXPECT_FALSE(jobs.file(b, "data.csv.sealed"));
  EXPECT_EQ(jobs.failInterrupted("node-2", "interrupted"), 0);

  // A failure says why and keeps nothing; a job's id is taken once.
  ASSERT_EQ(jobs.claimNext("node-2")->id, c);
  jobs.appendFile(c, "node-2", "data.csv.sealed", part1);
  EXPECT_TRUE(jobs.fail(c, "node-2", "study s3 is not valid today"));
  EXPECT_EQ(jobs.find(c)->error, "study s3 is not valid today");
  EXPECT_FALSE(jobs.claimNext("node-2")) << "nothing left queued";
  EXPECT_FALSE(jobs.addRunning({a, "{}", "t", "running", {}, {}}, "node-2"));
  EXPECT_FALSE(jobs.find(std::string(32, 'd')));

  stores = {};
  stores = openStores();
  EXPECT_EQ(stores.export_jobs->file(a, "data.csv.sealed")->size(), 1002u) << "after a reopen";
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreBackendTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

// Several gateway nodes on one PostgreSQL database: each node opens its own stores (its own
// connections), as separate processes would.
TEST_P(StoreBackendTest, AConsoleSessionIsFoundUntilItExpiresOrIsClosed) {
  auto stores = openStores();
  auto& sessions = *stores.console_sessions;
  const std::string live(64, 'a'), old(64, 'b');
  sessions.open({old, core::PartnerId("dpo"), std::string(64, 'c'), "2026-12-07T09:00:00.000Z",
                 "2026-12-07T09:15:00.000Z"});
  sessions.open({live, core::PartnerId("dpo"), std::string(64, 'd'), "2026-12-07T10:00:00.000Z",
                 "2026-12-07T10:15:00.000Z"});
  const auto found = sessions.find(live, "2026-12-07T10:05:00.000Z");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->partner, core::PartnerId("dpo"));
  EXPECT_EQ(found->csrf_hash, std::string(64, 'd'));
  EXPECT_EQ(found->expires_at, "2026-12-07T10:15:00.000Z");
  EXPECT_FALSE(sessions.find(live, "2026-12-07T10:15:00.000Z")) << "expired at its end";
  EXPECT_FALSE(sessions.find(old, "2026-12-07T09:05:00.000Z"))
      << "removed when a later session opened after its end";
  EXPECT_FALSE(sessions.close(old));
  EXPECT_EQ(kindOf([&] {
              sessions.open({live, core::PartnerId("departement"), std::string(64, 'e'),
                             "2026-12-07T10:01:00.000Z", "2026-12-07T10:16:00.000Z"});
            }),
            ErrorKind::conflict)
      << "an id is never taken over";
  EXPECT_TRUE(sessions.close(live));
  EXPECT_FALSE(sessions.find(live, "2026-12-07T10:05:00.000Z"));
  reopen();
  EXPECT_FALSE(openStores().console_sessions->find(live, "2026-12-07T10:05:00.000Z"));
}

class PostgresNodesTest : public ::testing::Test {
 protected:
  PostgresNodesTest() : backend_("postgresql") {
    for (int i = 0; i < 2; ++i) {
      keys_.push_back(backend_.openKeys());
      nodes_.push_back(backend_.openStores(keys_.back()));
    }
  }

  Backend backend_;
  std::vector<std::shared_ptr<KeyStore>> keys_;
  std::vector<Stores> nodes_;
  const WriteContext ctx_{core::PartnerId("caf"), "test"};
};

TEST_F(PostgresNodesTest, AWriteOnOneNodeIsReadOnTheOther) {
  nodes_[0].dossiers->createDossier(idOf('a'), {{Section::contact, R"({"v":1})"}},
                                    {{IdentifierKind::nir, "2550814168025"}}, ctx_);
  const auto read = nodes_[1].dossiers->currentSection(idOf('a'), Section::contact);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->content, R"({"v":1})");
  EXPECT_EQ(nodes_[1].dossiers->findByIdentifier({IdentifierKind::nir, "2550814168025"}),
            idOf('a'));
}

TEST_F(PostgresNodesTest, WritersOnTwoNodesToOneDossierRespectIfMatch) {
  // Each writer reads the current version and writes on it with If-Match: exactly one writer
  // wins each version, the others are told it changed (never a duplicate, never a lost write).
  nodes_[0].dossiers->createDossier(idOf('a'), {{Section::contact, R"({"v":0})"}}, {}, ctx_);
  constexpr int kThreadsPerNode = 3, kEach = 20;
  std::atomic<int> won{0}, refused{0}, other{0};
  std::vector<std::thread> threads;
  for (int node = 0; node < 2; ++node)
    for (int t = 0; t < kThreadsPerNode; ++t)
      threads.emplace_back([&, node, t] {
        auto& dossiers = *nodes_[static_cast<std::size_t>(node)].dossiers;
        for (int i = 0; i < kEach; ++i) {
          const auto seen = dossiers.currentSection(idOf('a'), Section::contact)->info.version;
          try {
            dossiers.putSection(idOf('a'), Section::contact,
                                "{\"by\":\"" + std::to_string(node) + "-" + std::to_string(t) +
                                    "-" + std::to_string(i) + "\"}",
                                Precondition::mustBeVersion(seen), std::nullopt, ctx_);
            ++won;
          } catch (const core::DomainError& e) {
            (e.kind() == ErrorKind::precondition_failed ? refused : other)++;
          }
        }
      });
  for (auto& t : threads) t.join();
  EXPECT_EQ(other.load(), 0) << "only If-Match refusals";
  EXPECT_EQ(won + refused, 2 * kThreadsPerNode * kEach);
  EXPECT_GT(refused.load(), 0) << "the writers did meet";
  const auto history = nodes_[1].dossiers->history(idOf('a'));
  ASSERT_EQ(history.size(), static_cast<std::size_t>(1 + won.load()));
  for (std::size_t i = 0; i < history.size(); ++i)
    EXPECT_EQ(history[i].version, static_cast<std::int64_t>(i + 1));
}

TEST_F(PostgresNodesTest, AnIdentifierClaimedByTwoNodesAtOnceGoesToOneDossier) {
  for (int round = 0; round < 10; ++round) {
    const Identifier nir{IdentifierKind::france_travail, "FT" + std::to_string(round)};
    std::atomic<int> created{0}, conflicts{0};
    std::thread a([&] {
      try {
        nodes_[0].dossiers->createDossier(
            *DossierId::parse("d" + std::string(25, 'a') + static_cast<char>('a' + round)), {},
            {nir}, ctx_);
        ++created;
      } catch (const core::DomainError& e) {
        if (e.kind() == ErrorKind::conflict) ++conflicts;
      }
    });
    std::thread b([&] {
      try {
        nodes_[1].dossiers->createDossier(
            *DossierId::parse("d" + std::string(25, 'b') + static_cast<char>('a' + round)), {},
            {nir}, ctx_);
        ++created;
      } catch (const core::DomainError& e) {
        if (e.kind() == ErrorKind::conflict) ++conflicts;
      }
    });
    a.join();
    b.join();
    EXPECT_EQ(created.load(), 1) << round;
    EXPECT_EQ(conflicts.load(), 1) << round;
    EXPECT_EQ(nodes_[0].dossiers->dossiersWithIdentifier(nir).size(), 1u) << round;
  }
}

TEST_F(PostgresNodesTest, AFollowerReadingAllTheWhileNeverSkipsAChange) {
  // Writers on both nodes (several threads each, so that transactions overlap and commit out of
  // the order they started in); a follower reads the feed from its cursor all the while, as a
  // partner does, and must end having seen every change exactly once.
  constexpr int kThreadsPerNode = 3, kEach = 40;
  for (int node = 0; node < 2; ++node)
    for (int t = 0; t < kThreadsPerNode; ++t)
      nodes_[0].dossiers->createDossier(
          *DossierId::parse("d" + std::string(25, static_cast<char>('a' + node)) +
                            static_cast<char>('a' + t)),
          {}, {}, ctx_);
  std::atomic<bool> writing{true};
  std::vector<DossierStore::Change> followed;
  std::thread follower([&] {
    std::int64_t cursor = 0;
    for (;;) {
      const bool last_pass = !writing.load();
      for (auto page = nodes_[1].dossiers->changesAfter(cursor, 7); !page.empty();
           page = nodes_[1].dossiers->changesAfter(cursor, 7)) {
        for (auto& change : page) followed.push_back(change);
        cursor = page.back().sequence;
      }
      if (last_pass) break;
    }
  });
  std::vector<std::thread> writers;
  for (int node = 0; node < 2; ++node)
    for (int t = 0; t < kThreadsPerNode; ++t)
      writers.emplace_back([&, node, t] {
        const auto id = *DossierId::parse("d" + std::string(25, static_cast<char>('a' + node)) +
                                          static_cast<char>('a' + t));
        for (int i = 0; i < kEach; ++i)
          nodes_[static_cast<std::size_t>(node)].dossiers->putSection(
              id, i % 2 ? Section::contact : Section::foyer, "{\"i\":" + std::to_string(i) + "}",
              Precondition::any(), std::nullopt, ctx_);
      });
  for (auto& w : writers) w.join();
  writing = false;
  follower.join();
  const auto all = nodes_[0].dossiers->changesAfter(0, 100000);
  ASSERT_EQ(all.size(), static_cast<std::size_t>(2 * kThreadsPerNode * kEach));
  ASSERT_EQ(followed.size(), all.size()) << "the follower skipped or repeated changes";
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(followed[i].sequence, all[i].sequence) << i;
    EXPECT_EQ(all[i].sequence, static_cast<std::int64_t>(i + 1)) << "no gap in the numbers";
  }
}

TEST_F(PostgresNodesTest, TheKeysAreInTheirOwnDatabaseNotInTheDossiers) {
  nodes_[0].dossiers->createDossier(idOf('a'), {{Section::contact, R"({"v":1})"}}, {}, ctx_);
  PgConnection dossiers(backend_.postgres().url), keys(backend_.postgres().keys_url);
  EXPECT_EQ(dossiers.exec("SELECT to_regclass('data_keys') IS NULL").text(0, 0), "t");
  EXPECT_EQ(keys.exec("SELECT COUNT(*) FROM data_keys").integer(0, 0), 1);
  EXPECT_EQ(keys.exec("SELECT to_regclass('section_versions') IS NULL").text(0, 0), "t");
  auto same = backend_.postgres();
  same.keys_url = same.url;
  EXPECT_EQ(kindOf([&] { openPostgresKeyStore(same, crypto::MasterKeys::generate()); }),
            ErrorKind::configuration);
}

}  // namespace
}  // namespace passerelle::store
