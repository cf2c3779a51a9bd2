#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

#include "passerelle/core/ids.hpp"
#include "passerelle/core/worker.hpp"
#include "passerelle/store/export_job_store.hpp"
#include "passerelle/store/leases.hpp"

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

// Exports run in the background, one at a time, on the node holding the "exports" lease
// (store/leases.hpp): it claims the oldest queued job, runs it into `<scratch>/<id>/` (see
// connectors::runExport), stores the files in the store (1 MiB chunks), then marks it done.
// Jobs and files live in the store, so that any node answers for any job and a queued job
// survives a restart; a job cut by its node's death or restart is marked failed by the next
// lease holder. Thread-safe.
class ExportJobs {
 public:
  // Runs one export into a directory and returns its manifest; throws on failure. The directory
  // must appear complete (written aside, then renamed), since its manifest means "done".
  using Runner = std::function<nlohmann::json(const ExportOrder&, const std::filesystem::path&)>;

  // `scratch` is this node's own directory for runs under way. Jobs kept there as files by an
  // earlier version (`<id>.request.json` and the rest) are moved into the store at once.
  ExportJobs(store::ExportJobStore& store, store::Leases& leases, std::filesystem::path scratch,
             Runner runner);
  ~ExportJobs();
  ExportJobs(const ExportJobs&) = delete;
  ExportJobs& operator=(const ExportJobs&) = delete;

  // Starts running jobs (queued ones included); a no-op if started.
  void start();
  // Finishes the export under way and stops; queued ones wait in the store.
  void stop();

  // Queues the export and returns its id (32 hex digits); with the caller's audit outbox row
  // when there is one (store/pending_audit.hpp). Throws the store's core::DomainError.
  std::string submit(const ExportOrder& order);

  // {"id", "partner", "study", "profile", "requested_at", "status": queued|running|done|failed,
  // "error"?, "manifest"?, "signed_manifest"?}; nothing if there is no such export.
  // `signed_manifest` ({"text", "signature", "public_key"}): the manifest's exact bytes that the
  // gateway's key signed, so that a reader checks the signature without re-serialising JSON.
  std::optional<nlohmann::json> status(const std::string& id) const;
  // The statuses (without manifests) of the latest `count` exports of `partner`, or of anyone's.
  nlohmann::json recent(const std::optional<core::PartnerId>& partner, std::size_t count) const;
  // One of a finished export's files (a name its manifest lists, or the manifest), whole.
  std::optional<std::string> file(const std::string& id, const std::string& name) const;

  // How often a node looks for jobs queued on another node, and for the lease.
  static constexpr std::chrono::seconds kPoll{2};
  // What a job cut by its runner's end says.
  static constexpr const char* kInterrupted =
      "interrupted by a restart or the loss of the gateway node that ran it; ask for it again";

 private:
  // The worker's round: runs the next queued export, if any.
  std::optional<core::Worker::Clock::time_point> runNext();
  // Stores the files of a finished run and marks the job done; false if it was lost meanwhile.
  bool publish(const std::string& id, const std::filesystem::path& dir,
               const nlohmann::json& manifest);
  void importLegacyJobs();

  store::ExportJobStore& store_;
  store::Leases& leases_;
  std::filesystem::path scratch_;
  Runner runner_;
  const std::string run_id_;  // this process's, as the store names the runner of a job
  // A job whose failure the store refused to record: retried first at the next round (the
  // worker's thread only).
  std::optional<std::pair<std::string, std::string>> unsettled_;
  bool swept_ = false;  // jobs cut by another runner failed since this node took the lease
  core::Worker worker_{[this] { return runNext(); }, core::Worker::OnStop::abandon};
};

}  // namespace passerelle::app
