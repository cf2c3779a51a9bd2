#include "passerelle/app/export_jobs.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "passerelle/core/domain_error.hpp"
#include "temp_dir.hpp"

namespace passerelle::app {
namespace {

using nlohmann::json;

// Waits until the export is no longer queued or running.
json settled(const ExportJobs& jobs, const std::string& id) {
  for (int i = 0; i < 500; ++i) {
    const auto status = jobs.status(id);
    if (status && (*status)["status"] != "queued" && (*status)["status"] != "running")
      return *status;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return nullptr;
}

ExportOrder order(const std::string& study) {
  return {core::PartnerId("evaluateur"), "test", study, "annexe-e", {}, {}, {}, false};
}

TEST(ExportJobsTest, StatusesSurviveARestartAndFailuresSayOnlyWhatIsSafe) {
  testing::TempDir dir;
  std::string done, refused, crashed;
  {
    ExportJobs jobs(dir / "exports", [](const ExportOrder& o, const std::filesystem::path& out) {
      if (o.study == "refused")
        throw core::DomainError(core::ErrorKind::forbidden, "study refused is not valid today");
      if (o.study == "crashed") throw std::runtime_error("parse error near 'Zyxwvu Dupont'");
      // As runExport does: written aside, then renamed, so that it appears complete.
      auto partial = out;
      partial += ".partial";
      std::filesystem::create_directories(partial);
      const json manifest = {{"manifest", {{"files", {{{"name", "data.csv.sealed"}}}}}}};
      std::ofstream(partial / "manifest.json") << manifest.dump();
      std::ofstream(partial / "data.csv.sealed") << "sealed";
      std::filesystem::rename(partial, out);
      return manifest["manifest"];
    });
    done = jobs.submit(order("ok"));
    refused = jobs.submit(order("refused"));
    crashed = jobs.submit(order("crashed"));
    EXPECT_EQ(settled(jobs, done)["status"], "done");
    EXPECT_EQ(settled(jobs, refused)["error"], "study refused is not valid today");
    const auto crash = settled(jobs, crashed);
    EXPECT_EQ(crash["status"], "failed");
    EXPECT_EQ(crash["error"].get<std::string>().find("Zyxwvu"), std::string::npos)
        << "an unexpected error's text may quote data: it is not passed on";
    EXPECT_TRUE(jobs.file(done, "data.csv.sealed"));
    EXPECT_FALSE(jobs.file(done, "../master.key"));
    EXPECT_FALSE(jobs.file(refused, "manifest.json"));
    EXPECT_FALSE(jobs.status("0123456789abcdef0123456789abcdef"));
    EXPECT_FALSE(jobs.status("../../etc"));
  }
  // After a restart: what was done or failed still says so; an export that never ran says it was
  // cut by the restart.
  std::string cut;
  {
    ExportJobs stopped(dir / "exports", [](const ExportOrder&, const std::filesystem::path&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      return json();
    });
    stopped.submit(order("slow"));  // keeps the worker busy while the next one waits
    cut = stopped.submit(order("never"));
  }
  ExportJobs again(dir / "exports",
                   [](const ExportOrder&, const std::filesystem::path&) { return json(); });
  EXPECT_EQ(again.status(done)->at("status"), "done");
  EXPECT_EQ(again.status(refused)->at("status"), "failed");
  EXPECT_NE(again.status(cut)->at("error").get<std::string>().find("restart"), std::string::npos);
}

}  // namespace
}  // namespace passerelle::app
