#include "passerelle/app/export_jobs.hpp"

#include <Poco/Logger.h>

#include <fstream>
#include <iterator>
#include <typeinfo>

#include "passerelle/connectors/export_job.hpp"
#include "passerelle/core/domain_error.hpp"
#include "passerelle/core/utc_time.hpp"
#include "passerelle/crypto/bytes.hpp"

namespace passerelle::app {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A file is stored in pieces of this size, each its own transaction: other writes go on
// beside a large export's.
constexpr std::size_t kChunk = 1 << 20;

Poco::Logger& logger() {
  return Poco::Logger::get("passerelle.exports");  // ids only: no personal data in this log
}

std::string readAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool isJobId(const std::string& id) {
  return id.size() == 32 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
}

json requestOf(const ExportOrder& order) {
  const auto optional = [](const std::optional<std::string>& v) { return v ? json(*v) : json(); };
  return {{"partner", order.partner.str()},
          {"credential", order.credential},
          {"study", order.study},
          {"profile", order.profile},
          {"from", optional(order.period_from)},
          {"to", optional(order.period_to)},
          {"reference_date", optional(order.reference_date)},
          {"survey_contact", order.survey_contact}};
}

ExportOrder orderOf(const json& request) {
  const auto optional = [&](const char* key) -> std::optional<std::string> {
    const auto& v = request.at(key);
    if (v.is_null() || v == "") return std::nullopt;  // "" as versions before 23 wrote it
    return v.get<std::string>();
  };
  return {core::PartnerId(request.at("partner").get<std::string>()),
          request.value("credential", ""),
          request.at("study").get<std::string>(),
          request.at("profile").get<std::string>(),
          optional("from"),
          optional("to"),
          optional("reference_date"),
          request.at("survey_contact").get<bool>()};
}

void removeRun(const fs::path& dir) {
  std::error_code ignored;  // what cannot be removed now is removed before the next run
  fs::remove_all(dir, ignored);
  auto partial = dir;
  partial += ".partial";
  fs::remove_all(partial, ignored);
}

}  // namespace

ExportJobs::ExportJobs(store::ExportJobStore& store, store::Leases& leases, fs::path scratch,
                       Runner runner)
    : store_(store),
      leases_(leases),
      scratch_(std::move(scratch)),
      runner_(std::move(runner)),
      run_id_(crypto::toHex(crypto::randomBytes(8))) {
  fs::create_directories(scratch_);
  importLegacyJobs();
}

ExportJobs::~ExportJobs() {
  stop();
}

void ExportJobs::start() {
  worker_.start();
}

void ExportJobs::stop() {
  worker_.stop();
}

std::string ExportJobs::submit(const ExportOrder& order) {
  const auto id = crypto::toHex(crypto::randomBytes(16));
  store_.add(id, requestOf(order).dump(), core::nowUtc());
  worker_.wake();  // at once if this node holds the lease; another's finds it within kPoll
  return id;
}

std::optional<core::Worker::Clock::time_point> ExportJobs::runNext() {
  const auto next_poll = core::Worker::now() + kPoll;
  if (!leases_.hold("exports")) {
    swept_ = false;
    return next_poll;
  }
  std::optional<store::ExportJob> job;
  try {
    if (unsettled_) {  // a failure this node could not record last time
      store_.fail(unsettled_->first, run_id_, unsettled_->second);
      unsettled_.reset();
    }
    // While this node holds the lease no other runs jobs: what another left running is swept
    // once, when the lease is taken.
    if (!swept_) {
      if (const auto cut = store_.failInterrupted(run_id_, kInterrupted))
        logger().warning("%d export(s) cut by the end of the node running them marked failed",
                         static_cast<int>(cut));
      swept_ = true;
    }
    job = store_.claimNext(run_id_);
  } catch (const std::exception& e) {
    logger().error("export jobs: the store failed, will retry: %s", std::string(e.what()));
    return next_poll;
  }
  if (!job) return next_poll;
  const auto dir = scratch_ / job->id;
  removeRun(dir);
  std::optional<std::string> failure;
  try {
    const auto manifest = runner_(orderOf(json::parse(job->request)), dir);
    if (publish(job->id, dir, manifest))
      logger().information("export %s done", job->id);
    else
      logger().warning("export %s ran, but another node had marked it interrupted", job->id);
  } catch (const connectors::PopulationChanged& e) {  // before DomainError, which it is
    failure = e.what();
    logger().warning("export %s: population changed during the export", job->id);
  } catch (const core::DomainError& e) {  // messages made for the caller: no personal data
    failure = e.what();
    logger().warning("export %s refused or not stored", job->id);
  } catch (const std::exception& e) {
    // Anything else may quote what it was reading: neither the évaluateur nor the log gets it.
    failure = "the export failed; the gateway's log has its id";
    logger().error("export %s failed (%s)", job->id, std::string(typeid(e).name()));
  }
  removeRun(dir);
  if (failure) {
    try {
      store_.fail(job->id, run_id_, *failure);
    } catch (const std::exception& e) {
      logger().error("export %s: its failure could not be recorded, will retry: %s", job->id,
                     std::string(e.what()));
      unsettled_.emplace(job->id, *failure);
      return next_poll;
    }
  }
  return core::Worker::now();  // the next one at once
}

bool ExportJobs::publish(const std::string& id, const fs::path& dir, const json& manifest) {
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::vector<unsigned char> chunk(kChunk);
    std::size_t got = 0;
    do {  // at least one chunk, so that an empty file is stored too
      chunk.resize(kChunk);
      in.read(reinterpret_cast<char*>(chunk.data()), static_cast<std::streamsize>(kChunk));
      got = static_cast<std::size_t>(in.gcount());
      chunk.resize(got);
      store_.appendFile(id, run_id_, entry.path().filename().string(), chunk);
    } while (got == kChunk);
    if (in.bad()) throw std::runtime_error("reading an export file failed");
  }
  return store_.finish(id, run_id_, manifest.dump());
}

void ExportJobs::importLegacyJobs() {
  const std::string suffix = ".request.json";
  std::vector<std::string> ids;
  for (const auto& entry : fs::directory_iterator(scratch_)) {
    const auto name = entry.path().filename().string();
    if (name.size() > suffix.size() && name.ends_with(suffix) &&
        isJobId(name.substr(0, name.size() - suffix.size())))
      ids.push_back(name.substr(0, name.size() - suffix.size()));
  }
  for (const auto& id : ids) {
    const auto request_file = scratch_ / (id + suffix);
    const auto failed_file = scratch_ / (id + ".failed");
    try {
      const auto request = json::parse(readAll(request_file));
      store::ExportJob job{id,        request.dump(), request.value("requested_at", ""),
                           "running", std::nullopt,   std::nullopt};
      if (store_.addRunning(job, run_id_)) {
        if (fs::exists(scratch_ / id / "manifest.json")) {
          publish(id, scratch_ / id,
                  json::parse(readAll(scratch_ / id / "manifest.json")).at("manifest"));
        } else if (fs::exists(failed_file)) {
          auto error = readAll(failed_file);
          while (!error.empty() && error.back() == '\n') error.pop_back();
          store_.fail(id, run_id_, error);
        } else {
          store_.fail(id, run_id_, kInterrupted);
        }
      }
      fs::remove(request_file);
      fs::remove(failed_file);
      removeRun(scratch_ / id);
      logger().information("export %s moved into the store", id);
    } catch (const std::exception& e) {
      // Left where it is for the next start; the other jobs are not held up by it.
      logger().error("export %s: could not move it into the store: %s", id, std::string(e.what()));
    }
  }
}

namespace {

// What was asked, when, and where it is.
json summaryOf(const store::ExportJob& job) {
  const auto request = json::parse(job.request);
  json out = {{"id", job.id},
              {"partner", request.at("partner")},
              {"study", request.at("study")},
              {"profile", request.at("profile")},
              {"requested_at", job.requested_at},
              {"status", job.status}};
  if (job.error) out["error"] = *job.error;
  return out;
}

}  // namespace

std::optional<json> ExportJobs::status(const std::string& id) const {
  if (!isJobId(id)) return std::nullopt;
  const auto job = store_.find(id);
  if (!job) return std::nullopt;
  json out = summaryOf(*job);
  if (job->manifest) {
    out["manifest"] = json::parse(*job->manifest);
    // The signature as the runner wrote it; a manifest without one (a runner other than the
    // export's, in tests) is shown without it rather than failing the status.
    const auto signed_file = store_.file(id, "manifest.json");
    const auto document =
        signed_file ? json::parse(*signed_file, nullptr, false) : json(json::value_t::discarded);
    const auto text = [&](const char* key) {
      return document.is_object() && document.contains(key) && document[key].is_string();
    };
    if (text("signature") && text("public_key"))
      out["signed_manifest"] = {{"text", *job->manifest},
                                {"signature", document["signature"]},
                                {"public_key", document["public_key"]}};
  }
  return out;
}

json ExportJobs::recent(const std::optional<core::PartnerId>& partner, std::size_t count) const {
  json out = json::array();
  // Exports are few (a study asks for a handful a year): the partner's are picked from the
  // latest of everyone's rather than through an index.
  for (const auto& job : store_.recent(partner ? count * 20 : count)) {
    auto status = summaryOf(job);
    if (partner && status["partner"] != partner->str()) continue;
    out.push_back(std::move(status));
    if (out.size() == count) break;
  }
  return out;
}

std::optional<std::string> ExportJobs::file(const std::string& id, const std::string& name) const {
  const auto st = status(id);
  if (!st || (*st)["status"] != "done") return std::nullopt;
  bool listed = name == "manifest.json";
  for (const auto& f : (*st)["manifest"]["files"]) listed = listed || f["name"] == name;
  if (!listed) return std::nullopt;
  return store_.file(id, name);
}

}  // namespace passerelle::app
