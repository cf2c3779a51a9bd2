#pragma once

#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "passerelle/core/ids.hpp"
#include "passerelle/core/worker.hpp"

namespace passerelle::app {

// What an évaluateur asks for: a profile, for one of its studies, over a period, and perhaps the
// survey-contact file of the persons who consented to it.
struct ExportOrder {
  core::PartnerId partner;
  std::string credential;  // as the audit log names it
  std::string study;
  std::string profile;
  std::optional<std::string> period_from, period_to, reference_date;
  bool survey_contact = false;
};

// Exports run in the background, one at a time, each into `<dir>/<id>/` (see
// connectors::runExport); what was asked is kept beside it (`<id>.request.json`), a failure too
// (`<id>.failed`), so that a status survives a restart. Thread-safe.
class ExportJobs {
 public:
  // Runs one export into a directory and returns its manifest; throws on failure. The directory
  // must appear complete (written aside, then renamed), since its manifest means "done".
  using Runner = std::function<nlohmann::json(const ExportOrder&, const std::filesystem::path&)>;

  ExportJobs(std::filesystem::path dir, Runner runner);
  ~ExportJobs();
  ExportJobs(const ExportJobs&) = delete;
  ExportJobs& operator=(const ExportJobs&) = delete;

  // Queues the export and returns its id (32 hex digits).
  std::string submit(const ExportOrder& order);

  // {"id", "partner", "study", "profile", "status": queued|running|done|failed, "error"?,
  // "manifest"?}; nothing if there is no such export.
  std::optional<nlohmann::json> status(const std::string& id) const;
  // The path of one of a finished export's files (a name its manifest lists, or the manifest).
  std::optional<std::filesystem::path> file(const std::string& id, const std::string& name) const;

  // Finishes the export under way and stops; queued ones are left as interrupted.
  void stop();

 private:
  // The worker's round: runs the next queued export, if any.
  std::optional<core::Worker::Clock::time_point> runNext();
  bool validId(const std::string& id) const;
  void recordFailure(const std::string& id, const std::string& reason) const;

  std::filesystem::path dir_;
  Runner runner_;
  mutable std::mutex mutex_;
  std::deque<std::pair<std::string, ExportOrder>> queue_;
  std::set<std::string> queued_;
  std::string running_;
  core::Worker worker_{[this] { return runNext(); }, core::Worker::OnStop::abandon};
};

}  // namespace passerelle::app
