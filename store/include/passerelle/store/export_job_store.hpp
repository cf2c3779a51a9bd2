#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace passerelle::store {

// One export job as stored: what was asked (JSON text, made by the app layer), and where it is.
struct ExportJob {
  std::string id;  // 32 hex digits
  std::string request;
  std::string requested_at;
  std::string status;  // queued, running, done, failed
  std::optional<std::string> error;
  std::optional<std::string> manifest;  // JSON text, once done
};

// The évaluateurs' export jobs and their files, in the store's database, so that any node
// answers for a job that one node ran (docs/exports.md). A job is queued, claimed by one runner
// (the node holding the "exports" lease, store/leases.hpp), its files stored in chunks while it
// is running, then done or failed; a job's files are visible only once it is done. A runner that
// lost its job (another marked it interrupted) gets DomainError(conflict) from appendFile and
// false from finish or fail, and its chunks are gone. Thread-safe; errors are
// core::DomainError of the store's kinds.
class ExportJobStore {
 public:
  virtual ~ExportJobStore() = default;

  // Queues a job (in the caller's write transaction when there is one: with its audit row).
  virtual void add(const std::string& id, const std::string& request,
                   const std::string& requested_at) = 0;
  // Claims the oldest queued job for `runner` (a process's run id): it is now running.
  virtual std::optional<ExportJob> claimNext(const std::string& runner) = 0;
  // Fails, with `reason`, every running job of a runner other than `runner` (their runner
  // died or lost the lease), deleting their chunks; how many.
  virtual std::int64_t failInterrupted(const std::string& runner, const std::string& reason) = 0;
  // Appends a chunk to a file of a job that `runner` is running.
  virtual void appendFile(const std::string& id, const std::string& runner, const std::string& name,
                          const std::vector<unsigned char>& bytes) = 0;
  // The job `runner` is running is done (with its manifest) or failed (its chunks deleted);
  // false if it was not running for `runner` any more.
  virtual bool finish(const std::string& id, const std::string& runner,
                      const std::string& manifest) = 0;
  virtual bool fail(const std::string& id, const std::string& runner, const std::string& error) = 0;

  virtual std::optional<ExportJob> find(const std::string& id) const = 0;
  // The latest `count` jobs, the latest asked first.
  virtual std::vector<ExportJob> recent(std::size_t count) const = 0;
  // How many jobs are in each status (queued, running, done, failed) that has any.
  virtual std::map<std::string, std::int64_t> countByStatus() const = 0;
  // A done job's file, whole; nothing if there is no such job, it is not done, or it has no
  // file of that name.
  virtual std::optional<std::string> file(const std::string& id, const std::string& name) const = 0;
  // Stores a job that `runner` runs already (one that ran before jobs were stored, whose files
  // it then appends); false if a job of that id exists.
  virtual bool addRunning(const ExportJob& job, const std::string& runner) = 0;
};

}  // namespace passerelle::store
