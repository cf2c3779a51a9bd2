#include "passerelle/app/export_jobs.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/store/sqlite_store.hpp"
#include "temp_dir.hpp"

namespace passerelle::app {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// Waits until the export is no longer queued or running.
json settled(const ExportJobs& jobs, const std::string& id) {
  for (int i = 0; i < 1000; ++i) {
    const auto status = jobs.status(id);
    if (status && (*status)["status"] != "queued" && (*status)["status"] != "running")
      return *status;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return nullptr;
}

ExportOrder order(const std::string& study) {
  return {core::PartnerId("evaluateur"), "test", study, "annexe-e", "2026-01-01", {}, {}, false};
}

// As runExport does: written aside, then renamed, so that it appears complete.
json writeExport(const fs::path& out, const std::string& data) {
  auto partial = out;
  partial += ".partial";
  fs::create_directories(partial);
  const json manifest = {{"files", {{{"name", "data.csv.sealed"}}}}};
  std::ofstream(partial / "manifest.json") << json{{"manifest", manifest}}.dump();
  std::ofstream(partial / "data.csv.sealed") << data;
  fs::rename(partial, out);
  return manifest;
}

// A node's leases, as a test decides them.
class SwitchedLeases final : public store::Leases {
 public:
  explicit SwitchedLeases(bool held) : held_(held) {}
  bool hold(std::string_view) override { return held_; }
  std::atomic<bool> held_;
};

class ExportJobsTest : public ::testing::Test {
 protected:
  ExportJobsTest() { crypto::MasterKeys::generate().saveNewFile(dir_ / "master.key"); }

  store::Stores open() {
    auto keys =
        store::openKeyStore({dir_ / "store.db"}, crypto::MasterKeys::loadFile(dir_ / "master.key"));
    return store::openSqliteStores({dir_ / "store.db", 2}, std::move(keys));
  }

  testing::TempDir dir_;
  SwitchedLeases leases_{true};
};

TEST_F(ExportJobsTest, StatusesSurviveARestartAndFailuresSayOnlyWhatIsSafe) {
  std::string done, refused, crashed, waiting;
  {
    auto stores = open();
    ExportJobs jobs(*stores.export_jobs, leases_, dir_ / "exports",
                    [](const ExportOrder& o, const fs::path& out) {
                      EXPECT_EQ(o.period_from, "2026-01-01") << "the order as it was given";
                      EXPECT_EQ(o.credential, "test");
                      if (o.study == "refused")
                        throw core::DomainError(core::ErrorKind::forbidden,
                                                "study refused is not valid today");
                      if (o.study == "crashed")
                        throw std::runtime_error("parse error near 'Zyxwvu Dupont'");
                      return writeExport(out, "sealed " + o.study);
                    });
    jobs.start();
    done = jobs.submit(order("ok"));
    refused = jobs.submit(order("refused"));
    crashed = jobs.submit(order("crashed"));
    EXPECT_EQ(settled(jobs, done)["status"], "done");
    EXPECT_EQ(settled(jobs, refused)["error"], "study refused is not valid today");
    const auto crash = settled(jobs, crashed);
    EXPECT_EQ(crash["status"], "failed");
    EXPECT_EQ(crash["error"].get<std::string>().find("Zyxwvu"), std::string::npos)
        << "an unexpected error's text may quote data: it is not passed on";
    EXPECT_EQ(jobs.file(done, "data.csv.sealed"), "sealed ok");
    EXPECT_TRUE(jobs.file(done, "manifest.json"));
    EXPECT_FALSE(jobs.file(done, "../master.key"));
    EXPECT_FALSE(jobs.file(refused, "manifest.json"));
    EXPECT_FALSE(jobs.status("0123456789abcdef0123456789abcdef"));
    EXPECT_FALSE(jobs.status("../../etc"));
    EXPECT_TRUE(fs::is_empty(dir_ / "exports")) << "a run's files leave the node once stored";
    jobs.stop();
    waiting = jobs.submit(order("later"));  // queued while no worker runs
    EXPECT_EQ(jobs.status(waiting)->at("status"), "queued");
  }
  // After a restart: what was done or failed still says so, and what was queued runs.
  auto stores = open();
  ExportJobs again(*stores.export_jobs, leases_, dir_ / "exports",
                   [](const ExportOrder& o, const fs::path& out) {
                     return writeExport(out, "sealed " + o.study);
                   });
  EXPECT_EQ(again.status(done)->at("status"), "done");
  EXPECT_EQ(again.file(done, "data.csv.sealed"), "sealed ok");
  EXPECT_EQ(again.status(refused)->at("status"), "failed");
  again.start();
  EXPECT_EQ(settled(again, waiting)["status"], "done");
  EXPECT_EQ(again.file(waiting, "data.csv.sealed"), "sealed later");
}

TEST_F(ExportJobsTest, OnlyTheLeaseHolderRunsAndAJobCutByItsNodeIsFailed) {
  auto stores = open();
  std::atomic<int> runs{0};
  const auto runner = [&](const ExportOrder& o, const fs::path& out) {
    ++runs;
    return writeExport(out, o.study);
  };
  // Another node took a job and died with it.
  stores.export_jobs->add(std::string(32, 'e'),
                          R"({"partner":"evaluateur","study":"cut","profile":"annexe-e"})",
                          "2026-12-07T10:00:00Z");
  ASSERT_TRUE(stores.export_jobs->claimNext("dead-node"));

  SwitchedLeases other(false);
  ExportJobs holder(*stores.export_jobs, leases_, dir_ / "holder", runner);
  ExportJobs standby(*stores.export_jobs, other, dir_ / "standby", runner);
  leases_.held_ = false;
  holder.start();
  standby.start();
  const auto id = standby.submit(order("s"));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(holder.status(id)->at("status"), "queued") << "no node holds the lease";
  EXPECT_EQ(runs, 0);

  leases_.held_ = true;  // the holder finds the job within a poll
  EXPECT_EQ(settled(standby, id)["status"], "done") << "any node answers for it";
  EXPECT_EQ(standby.file(id, "data.csv.sealed"), "s");
  EXPECT_EQ(runs, 1);
  const auto cut = holder.status(std::string(32, 'e'));
  EXPECT_EQ(cut->at("status"), "failed");
  EXPECT_EQ(cut->at("error"), ExportJobs::kInterrupted);
}

TEST_F(ExportJobsTest, JobsKeptAsFilesByAnEarlierVersionMoveIntoTheStore) {
  const auto legacy = dir_ / "exports";
  fs::create_directories(legacy);
  const std::string done(32, '1'), failed(32, '2'), cut(32, '3');
  for (const auto& id : {done, failed, cut})
    std::ofstream(legacy / (id + ".request.json")) << json{
        {"partner", "evaluateur"},
        {"study", "s"},
        {"profile", "annexe-e"},
        {"from", ""},
        {"to", ""},
        {"reference_date", ""},
        {"survey_contact", false},
        {"requested_at", "2026-11-30T08:00:00Z"}}.dump();
  writeExport(legacy / done, "sealed before");
  std::ofstream(legacy / (failed + ".failed")) << "study s is not valid today\n";

  auto stores = open();
  ExportJobs jobs(
      *stores.export_jobs, leases_, legacy,
      [](const ExportOrder&, const fs::path&) -> json { throw std::logic_error("no"); });
  EXPECT_EQ(jobs.status(done)->at("status"), "done");
  EXPECT_EQ(jobs.status(done)->at("requested_at"), "2026-11-30T08:00:00Z");
  EXPECT_EQ(jobs.file(done, "data.csv.sealed"), "sealed before");
  EXPECT_EQ(jobs.status(failed)->at("error"), "study s is not valid today");
  EXPECT_EQ(jobs.status(cut)->at("error"), ExportJobs::kInterrupted);
  EXPECT_TRUE(fs::is_empty(legacy)) << "the files moved, not copied";
}

}  // namespace
}  // namespace passerelle::app
