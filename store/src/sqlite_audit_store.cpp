#include <Poco/Data/Transaction.h>
#include <Poco/Exception.h>
#include <Poco/Nullable.h>
#include <Poco/Tuple.h>

#include <algorithm>
#include <limits>
#include <mutex>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/core/utc_time.hpp"
#include "passerelle/store/audit_store.hpp"
#include "sqlite_connection_pool.hpp"
#include "sqlite_migrations.hpp"
#include "sqlite_statement_cache.hpp"
#include "tile_bytes.hpp"

namespace passerelle::store {

using namespace Poco::Data::Keywords;

namespace {

std::optional<std::string> fromNullable(const Poco::Nullable<std::string>& n) {
  return n.isNull() ? std::nullopt : std::optional<std::string>(n.value());
}

using RowTuple =
    Poco::Tuple<Poco::Int64, Poco::Nullable<std::string>, std::string, std::string, std::string,
                std::string, std::string, std::string, std::string, Poco::Nullable<std::string>>;
constexpr const char* kRowColumns =
    "SELECT idx, entry, leaf_hash, at, partner, purpose, action, person, decision, sensitive "
    "FROM audit_entries ";

AuditRow rowOf(const RowTuple& t) {
  return {static_cast<std::uint64_t>(t.get<0>()),
          fromNullable(t.get<1>()),
          t.get<2>(),
          t.get<3>(),
          t.get<4>(),
          t.get<5>(),
          t.get<6>(),
          t.get<7>(),
          t.get<8>(),
          fromNullable(t.get<9>())};
}

using CheckpointTuple =
    Poco::Tuple<Poco::Int64, std::string, std::string, std::string, std::string, std::string>;
constexpr const char* kCheckpointColumns =
    "SELECT tree_size, log_id, root_hash, at, public_key, signature FROM audit_checkpoints ";

AuditCheckpointRow checkpointOf(const CheckpointTuple& t) {
  return {static_cast<std::uint64_t>(t.get<0>()),
          t.get<1>(),
          t.get<2>(),
          t.get<3>(),
          t.get<4>(),
          t.get<5>()};
}

class SqliteAuditStore final : public AuditStore {
 public:
  explicit SqliteAuditStore(const SqliteAuditOptions& options)
      : file_(options.file),
        busy_timeout_ms_(options.busy_timeout_ms),
        writer_(SqliteConnectionPool::open(options.file, options.busy_timeout_ms)),
        readers_((migrateSqlite(writer_, detail::sqliteAuditMigrations()), options.file),
                 std::max<std::size_t>(1, options.read_connections), options.busy_timeout_ms) {
    if (options.retention_months) {
      if (*options.retention_months < 1)
        throw core::DomainError(core::ErrorKind::configuration,
                                "the audit retention period is at least one month");
      writer_ << "UPDATE audit_settings SET value = ? WHERE name = 'retention_months'",
          bind(Poco::Int64(*options.retention_months)), now;
    }
  }

  void append(const std::vector<AuditRow>& rows, const std::vector<crypto::Tile>& tiles,
              const std::optional<AuditCheckpointRow>& checkpoint) override {
    std::lock_guard lock(write_mutex_);
    if (!statements_) reopenWriter();
    try {
      appendLocked(rows, tiles, checkpoint);
    } catch (...) {
      // After a failed commit (a full disk, an I/O error) the connection can be left in a
      // transaction that SQLite already rolled back; every later write would then fail until a
      // restart. A fresh connection takes the next append once the cause is gone.
      try {
        reopenWriter();
      } catch (const std::exception&) {
        // Tried again at the next append.
      }
      throw;
    }
  }

  std::uint64_t size() const override {
    auto session = readers_.acquire();
    auto max = session.statements().prepare("SELECT MAX(idx) FROM audit_entries");
    if (!max.step() || max.isNull(0)) return 0;
    return static_cast<std::uint64_t>(max.integer(0)) + 1;
  }

  std::vector<crypto::Hash> tile(crypto::TileId id) const override {
    auto session = readers_.acquire();
    auto select =
        session.statements().prepare("SELECT hashes FROM audit_tiles WHERE level = ? AND idx = ?");
    select.bind(std::int64_t{id.level}).bind(static_cast<std::int64_t>(id.index));
    const auto bytes = select.step() ? select.blob(0) : std::vector<unsigned char>();
    return hashesOfTile(id, bytes);
  }

  std::uint64_t tileCount(std::uint8_t level) const override {
    auto session = readers_.acquire();
    auto count = session.statements().prepare(
        "SELECT COALESCE(MAX(idx) + 1, 0) FROM audit_tiles WHERE level = ?");
    count.bind(std::int64_t{level}).step();
    return static_cast<std::uint64_t>(count.integer(0));
  }

  bool probeWritable() override {
    std::lock_guard lock(write_mutex_);
    try {
      if (!statements_) reopenWriter();
      statements_->prepare("INSERT OR REPLACE INTO liveness (id, probed_at) VALUES (1, ?)")
          .bind(core::nowUtc())
          .step();
      return true;
    } catch (const std::exception&) {
      try {
        reopenWriter();
      } catch (const std::exception&) {
        // Tried again at the next write.
      }
      return false;
    }
  }

  std::vector<std::string> claimed(const std::vector<std::string>& outbox_ids) const override {
    std::vector<std::string> out;
    auto session = readers_.acquire();
    for (const auto& id : outbox_ids) {
      int found = 0;
      *session << "SELECT COUNT(*) FROM audit_claims WHERE outbox_id = ?", bind(id), into(found),
          now;
      if (found > 0) out.push_back(id);
    }
    return out;
  }

  void forEachRow(std::uint64_t from,
                  const std::function<void(const AuditRow&)>& visit) const override {
    constexpr Poco::Int64 kPage = 10000;
    auto next = static_cast<Poco::Int64>(from);
    while (true) {
      std::vector<RowTuple> page;
      {
        auto session = readers_.acquire();
        *session << std::string(kRowColumns) + "WHERE idx >= ? ORDER BY idx LIMIT ?", bind(next),
            bind(kPage), into(page), now;
      }
      for (const auto& t : page) visit(rowOf(t));
      if (static_cast<Poco::Int64>(page.size()) < kPage) return;
      next = page.back().get<0>() + 1;
    }
  }

  std::vector<AuditRow> search(const AuditQuery& q) const override {
    std::string sql =
        std::string(kRowColumns) + (q.newest_first ? "WHERE idx < ?" : "WHERE idx > ?");
    std::vector<std::string> values;
    auto criterion = [&](const char* clause, const std::optional<std::string>& value) {
      if (!value) return;
      sql += clause;
      values.push_back(*value);
    };
    criterion(" AND person = ?", q.person);
    criterion(" AND partner = ?", q.partner);
    criterion(" AND purpose = ?", q.purpose);
    criterion(" AND action = ?", q.action);
    criterion(" AND decision = ?", q.decision);
    criterion(" AND at >= ?", q.from);
    criterion(" AND at < ?", q.to);
    sql += q.newest_first ? " ORDER BY idx DESC LIMIT ?" : " ORDER BY idx LIMIT ?";
    const Poco::Int64 after = q.after          ? static_cast<Poco::Int64>(*q.after)
                              : q.newest_first ? std::numeric_limits<Poco::Int64>::max()
                                               : -1;
    std::vector<RowTuple> rows;
    {
      auto session = readers_.acquire();
      Poco::Data::Statement statement(*session);
      statement << sql, bind(after);
      for (const auto& v : values) statement, bind(v);
      statement, bind(static_cast<Poco::Int64>(q.limit)), into(rows);
      statement.execute();
    }
    std::vector<AuditRow> out;
    for (const auto& t : rows) out.push_back(rowOf(t));
    return out;
  }

  std::optional<AuditRow> row(std::uint64_t index) const override {
    std::vector<RowTuple> rows;
    auto session = readers_.acquire();
    *session << std::string(kRowColumns) + "WHERE idx = ?", bind(static_cast<Poco::Int64>(index)),
        into(rows), now;
    if (rows.empty()) return std::nullopt;
    return rowOf(rows.front());
  }

  std::vector<AuditCheckpointRow> checkpoints() const override {
    std::vector<CheckpointTuple> rows;
    {
      auto session = readers_.acquire();
      *session << std::string(kCheckpointColumns) + "ORDER BY tree_size", into(rows), now;
    }
    std::vector<AuditCheckpointRow> out;
    for (const auto& t : rows) out.push_back(checkpointOf(t));
    return out;
  }

  std::optional<AuditCheckpointRow> latestCheckpoint() const override {
    auto latest = recentCheckpoints(1);
    if (latest.empty()) return std::nullopt;
    return latest.front();
  }

  std::vector<AuditCheckpointRow> recentCheckpoints(std::size_t count) const override {
    std::vector<CheckpointTuple> rows;
    {
      auto session = readers_.acquire();
      *session << std::string(kCheckpointColumns) + "ORDER BY tree_size DESC LIMIT ?",
          bind(static_cast<Poco::Int64>(count)), into(rows), now;
    }
    std::vector<AuditCheckpointRow> out;
    for (const auto& t : rows) out.push_back(checkpointOf(t));
    return out;
  }

  std::uint64_t pruneBefore(const std::string& time) override {
    std::lock_guard lock(write_mutex_);
    // A prefix of the log: up to the first entry dated at or after `time`.
    Poco::Nullable<Poco::Int64> first_kept;
    writer_ << "SELECT MIN(idx) FROM audit_entries WHERE at >= ?", bind(time), into(first_kept),
        now;
    Poco::Int64 horizon = 0;
    if (first_kept.isNull())
      writer_ << "SELECT COALESCE(MAX(idx) + 1, 0) FROM audit_entries", into(horizon), now;
    else
      horizon = first_kept.value();
    Poco::Data::Transaction tx(writer_);
    try {
      writer_ << "UPDATE audit_settings SET value = MAX(value, ?) WHERE name = 'prune_horizon'",
          bind(horizon), now;
    } catch (const Poco::Exception& e) {
      tx.rollback();
      throw core::DomainError(core::ErrorKind::forbidden,
                              "cannot prune the audit log before " + time +
                                  ": that would empty entries younger than the retention period (" +
                                  e.displayText() + ")");
    }
    Poco::Data::Statement update(writer_);
    update << "UPDATE audit_entries SET entry = NULL, sensitive = NULL, partner = '', "
              "purpose = '', action = '', person = '', decision = '' "
              "WHERE idx < ? AND entry IS NOT NULL",
        bind(horizon);
    const auto pruned = update.execute();
    tx.commit();
    return pruned;
  }

  std::uint64_t prunedCount() const override {
    Poco::Int64 count = 0;
    auto session = readers_.acquire();
    *session << "SELECT COUNT(*) FROM audit_entries WHERE entry IS NULL", into(count), now;
    return static_cast<std::uint64_t>(count);
  }

 private:
  void reopenWriter() {
    statements_.reset();
    writer_ = SqliteConnectionPool::open(file_, busy_timeout_ms_);
    statements_ = std::make_unique<StatementCache>(writer_);
  }

  void appendLocked(const std::vector<AuditRow>& rows, const std::vector<crypto::Tile>& tiles,
                    const std::optional<AuditCheckpointRow>& checkpoint) {
    // One statement, compiled once, run for each row inside one transaction: the commit is the
    // one durable write of the whole group.
    Poco::Data::Transaction tx(writer_);
    for (const auto& r : rows) {
      auto insert = statements_->prepare(
          "INSERT INTO audit_entries (idx, entry, leaf_hash, at, partner, purpose, action, "
          "person, decision, sensitive) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      insert.bind(static_cast<std::int64_t>(r.index))
          .bind(r.entry ? std::string_view(*r.entry) : std::string_view(""))
          .bind(r.leaf_hash)
          .bind(r.time)
          .bind(r.partner)
          .bind(r.purpose)
          .bind(r.action)
          .bind(r.person)
          .bind(r.decision);
      if (r.sensitive)
        insert.bind(std::string_view(*r.sensitive));
      else
        insert.bindNull();
      insert.step();
      for (const auto& claim : r.claims)
        statements_->prepare("INSERT INTO audit_claims (outbox_id, idx) VALUES (?, ?)")
            .bind(claim)
            .bind(static_cast<std::int64_t>(r.index))
            .step();
    }
    for (const auto& t : tiles) {
      statements_->prepare("INSERT INTO audit_tiles (level, idx, hashes) VALUES (?, ?, ?)")
          .bind(std::int64_t{t.id.level})
          .bind(static_cast<std::int64_t>(t.id.index))
          .bind(bytesOfTile(t))
          .step();
    }
    if (checkpoint) {
      auto size = static_cast<Poco::Int64>(checkpoint->tree_size);
      writer_ << "INSERT INTO audit_checkpoints (tree_size, log_id, root_hash, at, public_key, "
                 "signature) VALUES (?, ?, ?, ?, ?, ?)",
          bind(size), bind(checkpoint->log_id), bind(checkpoint->root_hash), bind(checkpoint->time),
          bind(checkpoint->public_key), bind(checkpoint->signature), now;
    }
    tx.commit();
  }

  const std::filesystem::path file_;
  const int busy_timeout_ms_;
  std::mutex write_mutex_;
  Poco::Data::Session writer_;
  // After the session: finalized before it closes. None while the writer must be reopened.
  std::unique_ptr<StatementCache> statements_ = std::make_unique<StatementCache>(writer_);
  mutable SqliteConnectionPool readers_;
};

}  // namespace

std::unique_ptr<AuditStore> openSqliteAuditStore(const SqliteAuditOptions& options) {
  try {
    return std::make_unique<SqliteAuditStore>(options);
  } catch (const Poco::Exception& e) {
    throw core::DomainError(
        core::ErrorKind::configuration,
        "cannot open the audit log " + options.file.string() + ": " + e.displayText());
  }
}

}  // namespace passerelle::store
