#include "passerelle/store/store_migration.hpp"

#include <algorithm>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/core/utc_time.hpp"
#include "passerelle/store/audit_store.hpp"
#include "passerelle/store/policy_agreement.hpp"
#include "pg_database.hpp"
#include "pg_migrations.hpp"
#include "sqlite_database.hpp"

namespace passerelle::store {

namespace {

using core::DomainError;
using core::ErrorKind;

constexpr std::int64_t kPage = 1000;

// One table's copy: the page of source rows after a rowid (the rowid first, then `columns`
// values) and the statement that stores one row in the target. A page commits with its
// progress mark; the statement leaves a row already there as it is, so that copying it again
// changes nothing.
struct TableCopy {
  const char* name;
  const char* select;
  const char* insert;
  int columns;
  std::int64_t page = kPage;  // rows a transaction (fewer for big rows)
};

// The dossiers' database, in an order that satisfies its foreign keys (a merge names a dossier
// that may come later in id order: merges are set in a last pass).
const TableCopy kDossierTables[] = {
    {"dossiers",
     "SELECT rowid, id, created_at, created_by, erased_at, erased_by, erasure_reason FROM "
     "dossiers WHERE rowid > ? ORDER BY rowid LIMIT ?",
     "INSERT INTO dossiers (id, created_at, created_by, erased_at, erased_by, erasure_reason) "
     "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
     6},
    {"section_versions",
     "SELECT rowid, dossier_id, section, version, author, source, written_at, content_hash, "
     "content, key_version FROM section_versions WHERE rowid > ? ORDER BY rowid LIMIT ?",
     "INSERT INTO section_versions (dossier_id, section, version, author, source, written_at, "
     "content_hash, content, key_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
     "ON CONFLICT (dossier_id, section, version) DO NOTHING",
     9},
    {"identifier_index",
     "SELECT rowid, kind, blind, dossier_id FROM identifier_index WHERE rowid > ? "
     "ORDER BY rowid LIMIT ?",
     "INSERT INTO identifier_index (kind, blind, dossier_id) VALUES (?, ?, ?) "
     "ON CONFLICT (kind, blind, dossier_id) DO NOTHING",
     3},
    // In the order recorded, which the target's own `rowid` then keeps.
    {"relationships",
     "SELECT rowid, id, dossier_id, partner_id, origin, starts_at, ends_at, ended_at, "
     "created_by, reason FROM relationships WHERE rowid > ? ORDER BY rowid LIMIT ?",
     "INSERT INTO relationships (id, dossier_id, partner_id, origin, starts_at, ends_at, "
     "ended_at, created_by, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
     "ON CONFLICT (id) DO NOTHING",
     9},
    {"consents",
     "SELECT rowid, id, dossier_id, kind, withdraws, grantee_partner, grantee_kind, purpose, "
     "sections, categories, given_at, method, collected_by, notice_version, expires_at, "
     "recorded_at, recorded_by, notice_language, controller_name, controller_contact "
     "FROM consents WHERE rowid > ? ORDER BY rowid LIMIT ?",
     "INSERT INTO consents (id, dossier_id, kind, withdraws, grantee_partner, grantee_kind, "
     "purpose, sections, categories, given_at, method, collected_by, notice_version, "
     "expires_at, recorded_at, recorded_by, notice_language, controller_name, "
     "controller_contact) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
     "ON CONFLICT (id) DO NOTHING",
     19},
    // The feed's numbers are the partners' cursors: kept as they are.
    {"change_log",
     "SELECT rowid, sequence, dossier_id, section, version, written_at, merged_into, "
     "addressed_to, notice FROM change_log WHERE rowid > ? ORDER BY rowid LIMIT ?",
     "INSERT INTO change_log (sequence, dossier_id, section, version, written_at, merged_into, "
     "addressed_to, notice) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sequence) DO NOTHING",
     8},
    {"webhook_cursors",
     "SELECT rowid, partner_id, sequence FROM webhook_cursors WHERE rowid > ? ORDER BY rowid "
     "LIMIT ?",
     "INSERT INTO webhook_cursors (partner_id, sequence) VALUES (?, ?) "
     "ON CONFLICT (partner_id) DO UPDATE SET sequence = excluded.sequence",
     2},
    {"webhook_outbox",
     "SELECT rowid, id, partner_id, dossier_id, sections, sequence, created_at, attempts, "
     "next_attempt_at, delivered_at, last_status, last_error, notice FROM webhook_outbox "
     "WHERE rowid > ? ORDER BY rowid LIMIT ?",
     "INSERT INTO webhook_outbox (id, partner_id, dossier_id, sections, sequence, created_at, "
     "attempts, next_attempt_at, delivered_at, last_status, last_error, notice) "
     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
     12},
    {"reconciliation_cases",
     "SELECT rowid, id, fingerprint, opened_at, opened_by, source, position, dossiers, places, "
     "contested, status, resolved_at, resolved_by, resolution FROM reconciliation_cases "
     "WHERE rowid > ? ORDER BY rowid LIMIT ?",
     "INSERT INTO reconciliation_cases (id, fingerprint, opened_at, opened_by, source, "
     "position, dossiers, places, contested, status, resolved_at, resolved_by, resolution) "
     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
     13},
    {"export_jobs",
     "SELECT rowid, id, request, requested_at, status, runner, error, manifest FROM export_jobs "
     "WHERE rowid > ? ORDER BY rowid LIMIT ?",
     "INSERT INTO export_jobs (id, request, requested_at, status, runner, error, manifest) "
     "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
     7},
    {"export_files",
     "SELECT rowid, job, name, chunk, bytes FROM export_files WHERE rowid > ? ORDER BY rowid "
     "LIMIT ?",
     "INSERT INTO export_files (job, name, chunk, bytes) VALUES (?, ?, ?, ?) "
     "ON CONFLICT (job, name, chunk) DO NOTHING",
     4, 16},  // chunks of up to 1 MiB
    {"dossier_merges",
     "SELECT rowid, merged_into, merged_at, id FROM dossiers WHERE merged_into IS NOT NULL "
     "AND rowid > ? ORDER BY rowid LIMIT ?",
     "UPDATE dossiers SET merged_into = ?, merged_at = ? WHERE id = ?", 3},
};

const TableCopy kKeyTables[] = {
    {"key_checks",
     "SELECT rowid, wrap_version, sealed FROM key_checks WHERE rowid > ? ORDER BY rowid LIMIT ?",
     "INSERT INTO key_checks (wrap_version, sealed) VALUES (?, ?) "
     "ON CONFLICT (wrap_version) DO NOTHING",
     2},
    {"root_key",
     "SELECT rowid, id, wrap_version, wrapped, origin FROM root_key WHERE rowid > ? "
     "ORDER BY rowid LIMIT ?",
     "INSERT INTO root_key (id, wrap_version, wrapped, origin) VALUES (?, ?, ?, ?) "
     "ON CONFLICT (id) DO NOTHING",
     4},
    {"data_keys",
     "SELECT rowid, dossier_id, wrap_version, wrapped, created_at FROM data_keys "
     "WHERE rowid > ? ORDER BY rowid LIMIT ?",
     "INSERT INTO data_keys (dossier_id, wrap_version, wrapped, created_at) VALUES (?, ?, ?, ?) "
     "ON CONFLICT (dossier_id) DO NOTHING",
     4},
};

void createProgressTable(SqlDatabase& target) {
  target.write([](SqlConnection& c) {
    c.execute(
        "CREATE TABLE IF NOT EXISTS store_migration_progress (name text PRIMARY KEY, "
        "last_rowid bigint NOT NULL)");
  });
}

std::int64_t progressOf(SqlDatabase& target, const char* name) {
  std::int64_t last = 0;
  target.read([&](SqlConnection& c) {
    auto rows = c.query("SELECT last_rowid FROM store_migration_progress WHERE name = ?",
                        {std::string(name)});
    if (rows->next()) last = rows->integer(0);
  });
  return last;
}

// Copies what the source holds past the table's progress mark, a page a transaction.
std::int64_t copyTable(SqlDatabase& source, SqlDatabase& target, const TableCopy& table,
                       bool& resumed) {
  auto last = progressOf(target, table.name);
  resumed = resumed || last > 0;
  std::int64_t copied = 0;
  for (;;) {
    std::vector<std::vector<SqlValue>> page;
    std::int64_t page_last = last;
    source.read([&](SqlConnection& c) {
      auto rows = c.query(table.select, {last, table.page});
      while (rows->next()) {
        page_last = rows->integer(0);
        std::vector<SqlValue> values;
        for (int i = 1; i <= table.columns; ++i) values.push_back(rows->value(i));
        page.push_back(std::move(values));
      }
    });
    if (page.empty()) return copied;
    target.write([&](SqlConnection& c) {
      for (const auto& values : page) c.execute(table.insert, values);
      c.execute(
          "INSERT INTO store_migration_progress (name, last_rowid) VALUES (?, ?) "
          "ON CONFLICT (name) DO UPDATE SET last_rowid = excluded.last_rowid",
          {std::string(table.name), page_last});
    });
    copied += static_cast<std::int64_t>(page.size());
    last = page_last;
  }
}

// A gateway node serving the target would see its store change under it.
void refuseServedTarget(SqlDatabase& target) {
  bool served = false;
  target.read([&](SqlConnection& c) {
    auto rows = c.query("SELECT COUNT(*) FROM node_heartbeats WHERE seen_at > ?",
                        {core::utcIn(-1000LL * PolicyAgreement::kLiveSeconds)});
    served = rows->next() && rows->integer(0) > 0;
  });
  if (served)
    throw DomainError(ErrorKind::configuration,
                      "a gateway node serves the target database (heard from in the last 30 s): "
                      "stop every node before migrating into it");
}

// The key database must be empty or this store's (an earlier run of this migration).
void refuseForeignKeys(SqlDatabase& source, SqlDatabase& target) {
  std::optional<std::vector<unsigned char>> ours, theirs;
  source.read([&](SqlConnection& c) {
    auto rows = c.query("SELECT wrapped FROM root_key WHERE id = 1");
    if (rows->next()) ours = rows->blob(0);
  });
  target.read([&](SqlConnection& c) {
    auto rows = c.query("SELECT wrapped FROM root_key WHERE id = 1");
    if (rows->next()) theirs = rows->blob(0);
  });
  if (theirs && theirs != ours)
    throw DomainError(ErrorKind::configuration,
                      "the key database holds another store's root key: migrate into empty "
                      "databases");
}

// The audit log, entry by entry, each append carrying the tiles it completes and the
// checkpoint that ends exactly there, as the gateway wrote them.
std::uint64_t copyAuditLog(const AuditStore& source, AuditStore& target) {
  const auto start = target.size();
  auto checkpoints = source.checkpoints();
  std::sort(checkpoints.begin(), checkpoints.end(),
            [](const auto& a, const auto& b) { return a.tree_size < b.tree_size; });
  auto next_checkpoint = std::find_if(checkpoints.begin(), checkpoints.end(),
                                      [&](const auto& c) { return c.tree_size > start; });
  std::vector<std::uint64_t> tiles_stored;
  for (std::uint8_t level = 0; level < 8; ++level) tiles_stored.push_back(target.tileCount(level));
  std::vector<AuditRow> batch;
  std::uint64_t copied = 0;
  const auto flush = [&](std::optional<AuditCheckpointRow> checkpoint) {
    const auto size = batch.empty() ? target.size() : batch.back().index + 1;
    std::vector<crypto::Tile> tiles;
    std::uint64_t width = crypto::TiledMerkleTree::kTileWidth;
    for (std::uint8_t level = 0; level < tiles_stored.size() && width <= size; ++level) {
      for (auto i = tiles_stored[level]; i < size / width; ++i)
        tiles.push_back({{level, i}, source.tile({level, i})});
      tiles_stored[level] = std::max(tiles_stored[level], size / width);
      width *= crypto::TiledMerkleTree::kTileWidth;
    }
    target.append(batch, tiles, checkpoint);
    copied += batch.size();
    batch.clear();
  };
  source.forEachRow(start, [&](const AuditRow& row) {
    batch.push_back(row);
    const auto size = row.index + 1;
    if (next_checkpoint != checkpoints.end() && next_checkpoint->tree_size == size) {
      flush(*next_checkpoint++);
    } else if (batch.size() >= static_cast<std::size_t>(kPage)) {
      flush(std::nullopt);
    }
  });
  if (!batch.empty()) flush(std::nullopt);
  return copied;
}

}  // namespace

StoreMigrationReport migrateSqliteToPostgres(
    const SqliteOptions& from, const std::filesystem::path& audit_file, const PostgresOptions& to,
    const std::function<void(const std::string&)>& progress) {
  const auto say = [&](const std::string& what) {
    if (progress) progress(what);
  };
  StoreMigrationReport report;
  SqliteDatabase dossiers_from(from.file, 1);
  SqliteSerialDatabase keys_from(keysFileOf(from), detail::sqliteKeyMigrations(), 1);
  PgDatabase dossiers_to(
      {to.url, 2, &detail::postgresMigrations(), "change_head", /*outbox=*/false});
  PgDatabase keys_to({to.keys_url, 2, &detail::postgresKeyMigrations(), "data_keys", false});
  std::int64_t unrecorded = 0;
  dossiers_from.read([&](SqlConnection& c) {
    auto rows = c.query("SELECT COUNT(*) FROM audit_outbox");
    if (rows->next()) unrecorded = rows->integer(0);
  });
  if (unrecorded > 0)
    throw DomainError(ErrorKind::configuration,
                      std::to_string(unrecorded) +
                          " changes wait in the audit outbox for their entries (the audit log "
                          "could not be written): make it writable, start and stop the gateway, "
                          "then migrate");
  refuseServedTarget(dossiers_to);
  refuseForeignKeys(keys_from, keys_to);
  createProgressTable(dossiers_to);
  createProgressTable(keys_to);

  for (const auto& table : kKeyTables) {
    report.rows[table.name] = copyTable(keys_from, keys_to, table, report.resumed);
    say(std::string("keys: ") + table.name + ", " + std::to_string(report.rows[table.name]) +
        " rows");
  }
  for (const auto& table : kDossierTables) {
    report.rows[table.name] = copyTable(dossiers_from, dossiers_to, table, report.resumed);
    say(std::string(table.name) + ", " + std::to_string(report.rows[table.name]) + " rows");
  }
  // What the target numbers next follows what was copied.
  dossiers_to.write([](SqlConnection& c) {
    c.execute(
        "UPDATE change_head SET last = GREATEST(last, (SELECT COALESCE(MAX(sequence), 0) FROM "
        "change_log))");
    c.query(
        "SELECT setval('webhook_outbox_id_seq', GREATEST(1, (SELECT COALESCE(MAX(id), 0) FROM "
        "webhook_outbox)))");
  });

  const auto audit_from = openSqliteAuditStore({audit_file, 1, 10000, std::nullopt});
  auto audit_to = openPostgresAuditStore({to.url, std::nullopt, true});
  report.resumed = report.resumed || audit_to->size() > 0;
  report.audit_copied = copyAuditLog(*audit_from, *audit_to);
  // The retention period and what was pruned, as the source recorded them.
  {
    auto session = SqliteConnectionPool::open(audit_file);
    StatementCache statements(session);
    auto source = sqliteConnection(statements);
    std::map<std::string, std::int64_t> settings;
    auto rows = source->query("SELECT name, value FROM audit_settings");
    while (rows->next()) settings[rows->text(0)] = rows->integer(1);
    rows.reset();
    PgConnection owner(to.url);
    owner.exec(
        "UPDATE audit_settings SET retention_months = $1, prune_horizon = GREATEST(prune_horizon, "
        "$2) WHERE id = 1",
        {PgParam(settings["retention_months"]), PgParam(settings["prune_horizon"])});
  }
  say("audit log, " + std::to_string(report.audit_copied) + " entries");

  report.audit_entries = audit_to->size();
  const auto source_head = audit_from->latestCheckpoint();
  const auto target_head = audit_to->latestCheckpoint();
  if (report.audit_entries != audit_from->size() ||
      source_head.has_value() != target_head.has_value() ||
      (source_head && (source_head->tree_size != target_head->tree_size ||
                       source_head->root_hash != target_head->root_hash)))
    throw DomainError(ErrorKind::integrity,
                      "the audit log copied does not end as the source does (sizes or latest "
                      "checkpoints differ)");
  if (source_head) report.root_hash = source_head->root_hash;
  return report;
}

}  // namespace passerelle::store
