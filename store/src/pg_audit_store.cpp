#include <algorithm>
#include <limits>
#include <mutex>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/core/utc_time.hpp"
#include "passerelle/store/audit_store.hpp"
#include "pg_connection.hpp"
#include "pg_migrations.hpp"
#include "tile_bytes.hpp"

namespace passerelle::store {

namespace {

constexpr const char* kRowColumns =
    "SELECT idx, entry, leaf_hash, at, partner, purpose, action, person, decision, sensitive "
    "FROM audit_entries ";
constexpr const char* kCheckpointColumns =
    "SELECT tree_size, log_id, root_hash, at, public_key, signature FROM audit_checkpoints ";

std::optional<std::string> optionalText(const PgResult& r, int row, int column) {
  if (r.isNull(row, column)) return std::nullopt;
  return r.text(row, column);
}

AuditRow rowOf(const PgResult& r, int i) {
  return {static_cast<std::uint64_t>(r.integer(i, 0)),
          optionalText(r, i, 1),
          r.text(i, 2),
          r.text(i, 3),
          r.text(i, 4),
          r.text(i, 5),
          r.text(i, 6),
          r.text(i, 7),
          r.text(i, 8),
          optionalText(r, i, 9)};
}

AuditCheckpointRow checkpointOf(const PgResult& r, int i) {
  return {static_cast<std::uint64_t>(r.integer(i, 0)),
          r.text(i, 1),
          r.text(i, 2),
          r.text(i, 3),
          r.text(i, 4),
          r.text(i, 5)};
}

// A connection used by one thread at a time, reconnected when it was lost.
class Guarded {
 public:
  explicit Guarded(const std::string& url) : connection_(url) {}
  template <typename Work>
  auto with(Work work) {
    std::lock_guard lock(mutex_);
    if (!connection_.ok()) connection_.reset();
    return work(connection_);
  }

 private:
  std::mutex mutex_;
  PgConnection connection_;
};

class PgAuditStore final : public AuditStore {
 public:
  explicit PgAuditStore(const PostgresAuditOptions& options)
      : writer_(options.url), reader_(options.url), appender_(options.url) {
    writer_.with([&](PgConnection& c) {
      if (options.migrate) migratePostgres(c, detail::postgresMigrations());
      if (c.exec("SELECT to_regclass('audit_head') IS NULL").text(0, 0) == "t")
        throw core::DomainError(core::ErrorKind::configuration,
                                "the PostgreSQL database has no audit log yet: run the "
                                "migrations as the schema's owner first");
      if (options.retention_months)
        c.exec("UPDATE audit_settings SET retention_months = $1 WHERE id = 1",
               {PgParam(std::int64_t{*options.retention_months})});
      return 0;
    });
  }

  std::uint64_t reserveAppend() override {
    std::lock_guard lock(appender_mutex_);
    reserved_.reset();
    if (!appender_.ok()) appender_.reset();
    reserved_ = std::make_unique<PgTransaction>(appender_);
    try {
      return static_cast<std::uint64_t>(
          appender_.exec("SELECT size FROM audit_head WHERE id = 1 FOR UPDATE").integer(0, 0));
    } catch (...) {
      reserved_.reset();
      throw;
    }
  }

  void abandonAppend() override {
    std::lock_guard lock(appender_mutex_);
    reserved_.reset();  // rolled back: the lock goes
  }

  void append(const std::vector<AuditRow>& rows, const std::vector<crypto::Tile>& tiles,
              const std::optional<AuditCheckpointRow>& checkpoint) override {
    {
      std::lock_guard lock(appender_mutex_);
      if (reserved_) {
        auto reserved = std::move(reserved_);
        write(appender_, rows, tiles, checkpoint);
        reserved->commit();
        return;
      }
    }
    writer_.with([&](PgConnection& c) {
      PgTransaction tx(c);
      write(c, rows, tiles, checkpoint);
      tx.commit();
      return 0;
    });
  }

  // The statements of an append, in the caller's transaction.
  static void write(PgConnection& c, const std::vector<AuditRow>& rows,
                    const std::vector<crypto::Tile>& tiles,
                    const std::optional<AuditCheckpointRow>& checkpoint) {
    if (!rows.empty()) {
      // The head row orders appends; the indices given must be the database's next ones.
      const auto n = static_cast<std::int64_t>(rows.size());
      const auto taken =
          c.exec("UPDATE audit_head SET size = size + $1 WHERE id = 1 AND size = $2 RETURNING size",
                 {PgParam(n), PgParam(static_cast<std::int64_t>(rows.front().index))});
      if (taken.rows() != 1)
        throw AuditHeadMoved("the audit log grew meanwhile (another node appended)");
    }
    for (const auto& r : rows) {
      c.exec(
          "INSERT INTO audit_entries (idx, entry, leaf_hash, at, partner, purpose, action, "
          "person, decision, sensitive) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
          {PgParam(static_cast<std::int64_t>(r.index)), PgParam::optional(r.entry),
           PgParam(r.leaf_hash), PgParam(r.time), PgParam(r.partner), PgParam(r.purpose),
           PgParam(r.action), PgParam(r.person), PgParam(r.decision),
           PgParam::optional(r.sensitive)});
      for (const auto& claim : r.claims)
        c.exec("INSERT INTO audit_claims (outbox_id, idx) VALUES ($1, $2)",
               {PgParam(claim), PgParam(static_cast<std::int64_t>(r.index))});
    }
    for (const auto& t : tiles) {
      c.exec("INSERT INTO audit_tiles (level, idx, hashes) VALUES ($1, $2, $3)",
             {PgParam(std::int64_t{t.id.level}), PgParam(static_cast<std::int64_t>(t.id.index)),
              PgParam::bytes(bytesOfTile(t))});
    }
    // Two nodes may sign the same size: the tree is the same, so is the root; one is kept.
    if (checkpoint)
      c.exec(
          "INSERT INTO audit_checkpoints (tree_size, log_id, root_hash, at, public_key, "
          "signature) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tree_size) DO NOTHING",
          {PgParam(static_cast<std::int64_t>(checkpoint->tree_size)), PgParam(checkpoint->log_id),
           PgParam(checkpoint->root_hash), PgParam(checkpoint->time),
           PgParam(checkpoint->public_key), PgParam(checkpoint->signature)});
  }

  std::uint64_t size() const override {
    return static_cast<std::uint64_t>(reader_.with([](PgConnection& c) {
      return c.exec("SELECT size FROM audit_head WHERE id = 1").integer(0, 0);
    }));
  }

  std::vector<crypto::Hash> tile(crypto::TileId id) const override {
    const auto bytes = reader_.with([&](PgConnection& c) {
      const auto r =
          c.exec("SELECT hashes FROM audit_tiles WHERE level = $1 AND idx = $2",
                 {PgParam(std::int64_t{id.level}), PgParam(static_cast<std::int64_t>(id.index))});
      return r.rows() == 1 ? r.bytes(0, 0) : std::vector<unsigned char>();
    });
    return hashesOfTile(id, bytes);
  }

  std::uint64_t tileCount(std::uint8_t level) const override {
    return static_cast<std::uint64_t>(reader_.with([&](PgConnection& c) {
      return c
          .exec("SELECT COALESCE(MAX(idx) + 1, 0) FROM audit_tiles WHERE level = $1",
                {PgParam(std::int64_t{level})})
          .integer(0, 0);
    }));
  }

  bool probeWritable() override {
    try {
      writer_.with([](PgConnection& c) {
        c.exec(
            "INSERT INTO audit_liveness (id, probed_at) VALUES (1, $1) ON CONFLICT (id) DO "
            "UPDATE SET probed_at = EXCLUDED.probed_at",
            {PgParam(core::nowUtc())});
        return 0;
      });
      return true;
    } catch (const std::exception&) {
      return false;
    }
  }

  void forEachRow(std::uint64_t from,
                  const std::function<void(const AuditRow&)>& visit) const override {
    constexpr std::int64_t kPage = 10000;
    auto next = static_cast<std::int64_t>(from);
    while (true) {
      std::vector<AuditRow> page = reader_.with([&](PgConnection& c) {
        const auto r = c.exec(std::string(kRowColumns) + "WHERE idx >= $1 ORDER BY idx LIMIT $2",
                              {PgParam(next), PgParam(kPage)});
        std::vector<AuditRow> out;
        for (int i = 0; i < r.rows(); ++i) out.push_back(rowOf(r, i));
        return out;
      });
      for (const auto& row : page) visit(row);
      if (static_cast<std::int64_t>(page.size()) < kPage) return;
      next = static_cast<std::int64_t>(page.back().index) + 1;
    }
  }

  std::vector<AuditRow> search(const AuditQuery& q) const override {
    std::string sql =
        std::string(kRowColumns) + (q.newest_first ? "WHERE idx < $1" : "WHERE idx > $1");
    std::vector<PgParam> params = {PgParam(q.after ? static_cast<std::int64_t>(*q.after)
                                           : q.newest_first
                                               ? std::numeric_limits<std::int64_t>::max()
                                               : std::int64_t{-1})};
    const auto criterion = [&](const char* column, const char* op,
                               const std::optional<std::string>& value) {
      if (!value) return;
      params.emplace_back(*value);
      sql += std::string(" AND ") + column + " " + op + " $" + std::to_string(params.size());
    };
    criterion("person", "=", q.person);
    criterion("partner", "=", q.partner);
    criterion("purpose", "=", q.purpose);
    criterion("action", "=", q.action);
    criterion("decision", "=", q.decision);
    criterion("at", ">=", q.from);
    criterion("at", "<", q.to);
    params.emplace_back(static_cast<std::int64_t>(q.limit));
    sql += q.newest_first ? " ORDER BY idx DESC LIMIT $" : " ORDER BY idx LIMIT $";
    sql += std::to_string(params.size());
    return reader_.with([&](PgConnection& c) {
      const auto r = c.exec(sql, params);
      std::vector<AuditRow> out;
      for (int i = 0; i < r.rows(); ++i) out.push_back(rowOf(r, i));
      return out;
    });
  }

  std::optional<AuditRow> row(std::uint64_t index) const override {
    return reader_.with([&](PgConnection& c) -> std::optional<AuditRow> {
      const auto r = c.exec(std::string(kRowColumns) + "WHERE idx = $1",
                            {PgParam(static_cast<std::int64_t>(index))});
      if (r.rows() == 0) return std::nullopt;
      return rowOf(r, 0);
    });
  }

  std::vector<std::string> claimed(const std::vector<std::string>& outbox_ids) const override {
    return reader_.with([&](PgConnection& c) {
      std::vector<std::string> out;
      for (const auto& id : outbox_ids)
        if (c.exec("SELECT 1 FROM audit_claims WHERE outbox_id = $1", {PgParam(id)}).rows() > 0)
          out.push_back(id);
      return out;
    });
  }

  std::vector<AuditCheckpointRow> checkpoints() const override {
    return reader_.with([](PgConnection& c) {
      const auto r = c.exec(std::string(kCheckpointColumns) + "ORDER BY tree_size");
      std::vector<AuditCheckpointRow> out;
      for (int i = 0; i < r.rows(); ++i) out.push_back(checkpointOf(r, i));
      return out;
    });
  }

  std::optional<AuditCheckpointRow> latestCheckpoint() const override {
    auto latest = recentCheckpoints(1);
    if (latest.empty()) return std::nullopt;
    return latest.front();
  }

  std::vector<AuditCheckpointRow> recentCheckpoints(std::size_t count) const override {
    return reader_.with([&](PgConnection& c) {
      const auto r = c.exec(std::string(kCheckpointColumns) + "ORDER BY tree_size DESC LIMIT $1",
                            {PgParam(static_cast<std::int64_t>(count))});
      std::vector<AuditCheckpointRow> out;
      for (int i = 0; i < r.rows(); ++i) out.push_back(checkpointOf(r, i));
      return out;
    });
  }

  std::uint64_t pruneBefore(const std::string& time) override {
    return writer_.with([&](PgConnection& c) {
      try {
        return static_cast<std::uint64_t>(
            c.exec("SELECT audit_prune($1)", {PgParam(time)}).integer(0, 0));
      } catch (const core::DomainError& e) {
        if (e.kind() != core::ErrorKind::forbidden) throw;
        throw core::DomainError(core::ErrorKind::forbidden,
                                "cannot prune the audit log before " + time +
                                    ": that would empty entries younger than the retention "
                                    "period");
      }
    });
  }

  std::uint64_t prunedCount() const override {
    return static_cast<std::uint64_t>(reader_.with([](PgConnection& c) {
      return c.exec("SELECT COUNT(*) FROM audit_entries WHERE entry IS NULL").integer(0, 0);
    }));
  }

 private:
  mutable Guarded writer_;
  mutable Guarded reader_;
  // The audit log writer's batches: reserveAppend() opens a transaction here that holds the
  // head's lock until the batch's append() commits it (or abandonAppend() rolls it back).
  std::mutex appender_mutex_;
  PgConnection appender_;
  std::unique_ptr<PgTransaction> reserved_;
};

}  // namespace

std::unique_ptr<AuditStore> openPostgresAuditStore(const PostgresAuditOptions& options) {
  return std::make_unique<PgAuditStore>(options);
}

}  // namespace passerelle::store
