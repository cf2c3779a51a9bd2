#include "passerelle/store/export_job_store.hpp"

#include "passerelle/core/domain_error.hpp"
#include "sql_stores.hpp"

namespace passerelle::store {

namespace {

// The columns of every query of jobs below, in order.
ExportJob jobOf(const SqlRows& r) {
  return {r.text(0), r.text(1), r.text(2), r.text(3), r.optionalText(4), r.optionalText(5)};
}

// Whether `runner` runs job `id` now, on a write's connection (the row stays locked on
// PostgreSQL until the write ends, so that no one marks it interrupted meanwhile).
bool runs(SqlConnection& c, const std::string& id, const std::string& runner) {
  c.serialise("export-job:" + id);
  auto rows = c.query(
      "SELECT 1 FROM export_jobs WHERE id = ? AND status = 'running' AND runner = ?", {id, runner});
  return rows->next();
}

class SqlExportJobStore final : public ExportJobStore {
 public:
  explicit SqlExportJobStore(std::shared_ptr<SqlDatabase> db) : db_(std::move(db)) {}

  void add(const std::string& id, const std::string& request,
           const std::string& requested_at) override {
    db_->write([&](SqlConnection& c) {
      c.execute(
          "INSERT INTO export_jobs (id, request, requested_at, status) VALUES (?, ?, ?, 'queued')",
          {id, request, requested_at});
    });
  }

  std::optional<ExportJob> claimNext(const std::string& runner) override {
    // A poll finds nothing most of the time: a read, not a write transaction, says so.
    bool queued = false;
    db_->read([&](SqlConnection& c) {
      queued = c.query("SELECT 1 FROM export_jobs WHERE status = 'queued' LIMIT 1")->next();
    });
    if (!queued) return std::nullopt;
    std::optional<ExportJob> job;
    db_->write([&](SqlConnection& c) {
      c.serialise("export-jobs");  // one claim at a time across nodes
      auto rows = c.query(
          "SELECT id, request, requested_at, status, error, manifest FROM export_jobs "
          "WHERE status = 'queued' ORDER BY requested_at, id LIMIT 1");
      if (!rows->next()) return;
      job = jobOf(*rows);
      rows.reset();
      c.execute("UPDATE export_jobs SET status = 'running', runner = ? WHERE id = ?",
                {runner, job->id});
      job->status = "running";
    });
    return job;
  }

  std::int64_t failInterrupted(const std::string& runner, const std::string& reason) override {
    std::int64_t failed = 0;
    db_->write([&](SqlConnection& c) {
      c.serialise("export-jobs");
      for (const auto& id : collect<std::string>(
               c, "SELECT id FROM export_jobs WHERE status = 'running' AND runner <> ?", {runner},
               [](const SqlRows& r) { return r.text(0); })) {
        c.serialise("export-job:" + id);
        c.execute("DELETE FROM export_files WHERE job = ?", {id});
        failed += c.execute(
            "UPDATE export_jobs SET status = 'failed', error = ? WHERE id = ? AND status = "
            "'running'",
            {reason, id});
      }
    });
    return failed;
  }

  void appendFile(const std::string& id, const std::string& runner, const std::string& name,
                  const std::vector<unsigned char>& bytes) override {
    db_->write([&](SqlConnection& c) {
      if (!runs(c, id, runner))
        throw core::DomainError(core::ErrorKind::conflict,
                                "the export was interrupted: another node marked it failed");
      c.execute(
          "INSERT INTO export_files (job, name, chunk, bytes) SELECT ?, ?, "
          "COALESCE(MAX(chunk), -1) + 1, ? FROM export_files WHERE job = ? AND name = ?",
          {id, name, bytes, id, name});
    });
  }

  bool finish(const std::string& id, const std::string& runner,
              const std::string& manifest) override {
    bool done = false;
    db_->write([&](SqlConnection& c) {
      if (!runs(c, id, runner)) return;
      done = c.execute("UPDATE export_jobs SET status = 'done', manifest = ? WHERE id = ?",
                       {manifest, id}) == 1;
    });
    return done;
  }

  bool fail(const std::string& id, const std::string& runner, const std::string& error) override {
    bool failed = false;
    db_->write([&](SqlConnection& c) {
      if (!runs(c, id, runner)) return;
      c.execute("DELETE FROM export_files WHERE job = ?", {id});
      failed = c.execute("UPDATE export_jobs SET status = 'failed', error = ? WHERE id = ?",
                         {error, id}) == 1;
    });
    return failed;
  }

  std::map<std::string, std::int64_t> countByStatus() const override {
    std::map<std::string, std::int64_t> out;
    db_->read([&](SqlConnection& c) {
      auto rows = c.query("SELECT status, COUNT(*) FROM export_jobs GROUP BY status");
      while (rows->next()) out[rows->text(0)] = rows->integer(1);
    });
    return out;
  }

  std::optional<ExportJob> find(const std::string& id) const override {
    std::optional<ExportJob> job;
    db_->read([&](SqlConnection& c) {
      auto rows = c.query(
          "SELECT id, request, requested_at, status, error, manifest FROM export_jobs "
          "WHERE id = ?",
          {id});
      if (rows->next()) job = jobOf(*rows);
    });
    return job;
  }

  std::vector<ExportJob> recent(std::size_t count) const override {
    std::vector<ExportJob> out;
    db_->read([&](SqlConnection& c) {
      auto rows = c.query(
          "SELECT id, request, requested_at, status, error, manifest FROM export_jobs "
          "ORDER BY requested_at DESC, id LIMIT ?",
          {static_cast<std::int64_t>(count)});
      while (rows->next()) out.push_back(jobOf(*rows));
    });
    return out;
  }

  std::optional<std::string> file(const std::string& id, const std::string& name) const override {
    std::optional<std::string> out;
    db_->read([&](SqlConnection& c) {
      auto status = c.query("SELECT status FROM export_jobs WHERE id = ?", {id});
      if (!status->next() || status->text(0) != "done") return;
      status.reset();
      auto rows = c.query(
          "SELECT bytes FROM export_files WHERE job = ? AND name = ? ORDER BY chunk", {id, name});
      while (rows->next()) {
        const auto chunk = rows->blob(0);
        if (!out) out.emplace();
        out->insert(out->end(), chunk.begin(), chunk.end());
      }
    });
    return out;
  }

  bool addRunning(const ExportJob& job, const std::string& runner) override {
    bool added = false;
    db_->write([&](SqlConnection& c) {
      c.serialise("export-job:" + job.id);
      if (c.query("SELECT 1 FROM export_jobs WHERE id = ?", {job.id})->next()) return;
      c.execute(
          "INSERT INTO export_jobs (id, request, requested_at, status, runner) "
          "VALUES (?, ?, ?, 'running', ?)",
          {job.id, job.request, job.requested_at, runner});
      added = true;
    });
    return added;
  }

 private:
  std::shared_ptr<SqlDatabase> db_;
};

}  // namespace

std::unique_ptr<ExportJobStore> makeExportJobStore(std::shared_ptr<SqlDatabase> db) {
  return std::make_unique<SqlExportJobStore>(std::move(db));
}

}  // namespace passerelle::store
