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

std::string readAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

ExportJobs::ExportJobs(fs::path dir, Runner runner)
    : dir_(std::move(dir)), runner_(std::move(runner)) {
  fs::create_directories(dir_);
  worker_.start();
}

ExportJobs::~ExportJobs() {
  stop();
}

void ExportJobs::stop() {
  worker_.stop();
}

std::string ExportJobs::submit(const ExportOrder& order) {
  const auto id = crypto::toHex(crypto::randomBytes(16));
  const json request = {{"partner", order.partner.str()},
                        {"study", order.study},
                        {"profile", order.profile},
                        {"from", order.period_from.value_or("")},
                        {"to", order.period_to.value_or("")},
                        {"reference_date", order.reference_date.value_or("")},
                        {"survey_contact", order.survey_contact},
                        {"requested_at", core::nowUtc()}};
  std::ofstream(dir_ / (id + ".request.json")) << request.dump() << "\n";
  {
    std::lock_guard lock(mutex_);
    queue_.emplace_back(id, order);
    queued_.insert(id);
  }
  worker_.wake();
  return id;
}

std::optional<core::Worker::Clock::time_point> ExportJobs::runNext() {
  std::unique_lock lock(mutex_);
  if (queue_.empty()) return std::nullopt;  // until one is submitted
  auto [id, order] = std::move(queue_.front());
  queue_.pop_front();
  queued_.erase(id);
  running_ = id;
  lock.unlock();
  auto& log = Poco::Logger::get("passerelle.exports");
  try {
    runner_(order, dir_ / id);
    log.information("export %s done", id);            // ids only: no personal data in this log
  } catch (const connectors::PopulationChanged& e) {  // before DomainError, which it is
    recordFailure(id, e.what());
    log.warning("export %s: population changed during the export", id);
  } catch (const core::DomainError& e) {  // messages made for the caller: no personal data
    recordFailure(id, e.what());
    log.warning("export %s refused", id);
  } catch (const std::exception& e) {
    // Anything else may quote what it was reading: neither the évaluateur nor the log gets it.
    recordFailure(id, "the export failed; the gateway's log has its id");
    log.error("export %s failed (%s)", id, std::string(typeid(e).name()));
  }
  lock.lock();
  running_.clear();
  return core::Worker::now();  // the next one at once
}

void ExportJobs::recordFailure(const std::string& id, const std::string& reason) const {
  // Written aside, then renamed: a status read meanwhile never sees half a reason.
  const auto file = dir_ / (id + ".failed");
  auto partial = file;
  partial += ".partial";
  std::ofstream(partial) << reason << "\n";
  fs::rename(partial, file);
}

bool ExportJobs::validId(const std::string& id) const {
  return id.size() == 32 && id.find_first_not_of("0123456789abcdef") == std::string::npos &&
         fs::exists(dir_ / (id + ".request.json"));
}

std::optional<json> ExportJobs::status(const std::string& id) const {
  if (!validId(id)) return std::nullopt;
  const auto request = json::parse(readAll(dir_ / (id + ".request.json")));
  json out = {{"id", id},
              {"partner", request["partner"]},
              {"study", request["study"]},
              {"profile", request["profile"]},
              {"requested_at", request["requested_at"]}};
  std::lock_guard lock(mutex_);
  if (fs::exists(dir_ / id / "manifest.json")) {
    out["status"] = "done";
    out["manifest"] = json::parse(readAll(dir_ / id / "manifest.json"))["manifest"];
  } else if (fs::exists(dir_ / (id + ".failed"))) {
    out["status"] = "failed";
    auto error = readAll(dir_ / (id + ".failed"));
    while (!error.empty() && error.back() == '\n') error.pop_back();
    out["error"] = error;
  } else if (running_ == id) {
    out["status"] = "running";
  } else if (queued_.count(id)) {
    out["status"] = "queued";
  } else {
    out["status"] = "failed";
    out["error"] = "interrupted by a restart of the gateway; ask for it again";
  }
  return out;
}

std::optional<fs::path> ExportJobs::file(const std::string& id, const std::string& name) const {
  const auto st = status(id);
  if (!st || (*st)["status"] != "done") return std::nullopt;
  if (name == "manifest.json") return dir_ / id / name;
  for (const auto& f : (*st)["manifest"]["files"])
    if (f["name"] == name) return dir_ / id / name;
  return std::nullopt;
}

}  // namespace passerelle::app
