// `passerelle backup` and `passerelle restore` (issue 24): a backup taken while partners write,
// restored once the gateway is stopped, holds every write acknowledged before it began, each
// readable, and a log that verifies; a damaged backup or a serving gateway is refused and
// changes nothing. SQLite only (a PostgreSQL store is backed up with pg_dump).
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "command.hpp"
#include "passerelle/crypto/digest.hpp"
#include "passerelle/testdata/synthetic_dossiers.hpp"
#include "test_gateway.hpp"

namespace passerelle::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

TEST(BackupTest, ABackupTakenUnderWriteLoadRestoresEveryWriteAcknowledgedBeforeIt) {
  TestGateway gw;
  const auto config = (gw.dir() / "passerelle.json").string();
  const auto people = testdata::syntheticDossiers(400);
  std::mutex mutex;
  std::set<std::string> acknowledged;
  std::atomic<bool> stop{false};
  std::atomic<int> next{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 3; ++w)
    writers.emplace_back([&] {
      const auto caf = gw.asPartner("caf");
      while (!stop) {
        const int n = next++;
        if (n >= static_cast<int>(people.size())) return;
        const auto r = caf.request("POST", "/v1/dossiers", withPurpose("instruction_rsa"),
                                   testdata::cafPushOf(people[n]).dump());
        if (r.status != 201) continue;
        std::lock_guard lock(mutex);
        acknowledged.insert(r.json()["id"].get<std::string>());
      }
    });
  while (next < 40) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::set<std::string> before;
  {
    std::lock_guard lock(mutex);
    before = acknowledged;
  }
  const auto backup = runCommand(
      PASSERELLE_BINARY, {"backup", "--config", config, "--out", (gw.dir() / "backup").string()});
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // writes go on after it
  stop = true;
  for (auto& w : writers) w.join();
  ASSERT_EQ(backup.status, 0) << backup.output;
  // Written once the backup was over: not in it.
  std::vector<std::string> later;
  for (int n = 0; n < 3; ++n)
    later.push_back(
        gw.asPartner("caf")
            .request("POST", "/v1/dossiers", withPurpose("instruction_rsa"),
                     testdata::cafPushOf(testdata::syntheticDossiers(403)[400 + n]).dump())
            .json()["id"]
            .get<std::string>());
  EXPECT_TRUE(contains(backup.output, "keys/store.keys")) << backup.output;
  EXPECT_GE(before.size(), 30u);
  EXPECT_GT(acknowledged.size(), before.size()) << "the writers wrote beside the backup";
  EXPECT_EQ(fs::status(gw.dir() / "backup").permissions() & fs::perms::all, fs::perms::owner_all);

  // Refusals, nothing changed: into a directory that holds files; beside the serving gateway.
  const auto again = runCommand(
      PASSERELLE_BINARY, {"backup", "--config", config, "--out", (gw.dir() / "backup").string()});
  EXPECT_EQ(again.status, 1);
  EXPECT_TRUE(contains(again.output, "already holds files")) << again.output;
  const auto beside = runCommand(
      PASSERELLE_BINARY, {"restore", "--config", config, "--from", (gw.dir() / "backup").string()});
  EXPECT_EQ(beside.status, 1);
  EXPECT_TRUE(contains(beside.output, "stop the gateway before restoring")) << beside.output;

  // A damaged copy is refused before anything is replaced.
  gw.close();
  fs::copy(gw.dir() / "backup", gw.dir() / "damaged", fs::copy_options::recursive);
  {
    std::fstream f(gw.dir() / "damaged" / "store.db",
                   std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(5000);
    f.put('\x5a');
  }
  const auto store_before = crypto::sha256HexOfFile((gw.dir() / "passerelle.db").string());
  const auto damaged = runCommand(PASSERELLE_BINARY, {"restore", "--config", config, "--from",
                                                      (gw.dir() / "damaged").string()});
  EXPECT_EQ(damaged.status, 1);
  EXPECT_TRUE(contains(damaged.output, "SHA-256 differs")) << damaged.output;
  EXPECT_EQ(crypto::sha256HexOfFile((gw.dir() / "passerelle.db").string()), store_before)
      << "nothing replaced";

  // Restored: every write acknowledged before the backup began reads back, and the log
  // verifies against the gateway's key.
  const auto restored = runCommand(
      PASSERELLE_BINARY, {"restore", "--config", config, "--from", (gw.dir() / "backup").string()});
  ASSERT_EQ(restored.status, 0) << restored.output;
  EXPECT_TRUE(contains(restored.output, "OK: the audit log verifies")) << restored.output;
  const auto verify = runCommand(PASSERELLE_BINARY, {"audit", "verify", "--config", config});
  EXPECT_EQ(verify.status, 0) << verify.output;
  gw.restart();
  const auto caf = gw.asPartner("caf");
  for (const auto& id : before)
    EXPECT_EQ(caf.request("GET", "/v1/dossiers/" + id, withPurpose("instruction_rsa")).status, 200)
        << id;
  for (const auto& id : later)
    EXPECT_EQ(caf.request("GET", "/v1/dossiers/" + id, withPurpose("instruction_rsa")).status, 404)
        << "written after the backup: the store is the backup's now";
  // Each with its entry: the person's creation is in the restored log.
  const auto entries = gw.asPartner("dpo")
                           .request("GET", "/v1/audit/entries?action=dossier_create&limit=1000")
                           .json()["entries"];
  EXPECT_GE(entries.size(), before.size());
}

}  // namespace
}  // namespace passerelle::testing
