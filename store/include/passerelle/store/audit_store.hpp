#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/crypto/tiled_merkle_tree.hpp"

namespace passerelle::store {

// One audit log entry as stored: its position, its canonical bytes (none once pruned), its
// RFC 9162 leaf hash, and copies of the fields the DPO searches by. The store does not read the
// entry; the audit module writes the copies from it.
struct AuditRow {
  std::uint64_t index = 0;
  std::optional<std::string> entry;
  std::string leaf_hash;  // lowercase hex
  std::string time;       // core::UtcTime
  std::string partner;    // "" when the caller was not authenticated
  std::string purpose;    // "" when none was declared
  std::string action;
  std::string person;  // audit pseudonym, "" when the request concerned no one
  std::string decision;
  // The entry's sensitive part (audit/audit_entry.hpp), which the entry commits to by a hash;
  // none when it has none, and once pruned.
  std::optional<std::string> sensitive;
  // The audit outbox rows (store/pending_audit.hpp) this entry records; written with it, not
  // read back with it.
  std::vector<std::string> claims = {};
};

// What append() throws, storing nothing, when another node appended since the audit log read
// the tree (PostgreSQL): the log reads the tree again and numbers its batch anew. A conflict of
// its own kind, so that no other conflict (a broken constraint) is taken for it.
class AuditHeadMoved : public core::DomainError {
 public:
  explicit AuditHeadMoved(const std::string& message)
      : core::DomainError(core::ErrorKind::conflict, message) {}
};

// A signed tree head, as stored.
struct AuditCheckpointRow {
  std::uint64_t tree_size = 0;
  std::string log_id;
  std::string root_hash;  // lowercase hex
  std::string time;
  std::string public_key;  // lowercase hex of the Ed25519 key that signed
  std::string signature;   // lowercase hex
};

// A DPO search: every criterion given must match; results in index order after `after`, or,
// newest first, in reverse index order before `after`.
struct AuditQuery {
  std::optional<std::string> person, partner, purpose, action, decision;
  std::optional<std::string> from, to;  // time range, `from` included, `to` excluded
  std::optional<std::uint64_t> after;   // paging cursor: the last index already seen
  std::size_t limit = 100;
  bool newest_first = false;
};

// Persistence of the audit log. Appends are the only writes besides pruning. Thread-safe.
class AuditStore {
 public:
  virtual ~AuditStore() = default;

  // Stores `rows` (consecutive indexes following the last stored one), the Merkle tree's tiles
  // they filled (crypto::TiledMerkleTree; each written once: a tile already stored is a
  // conflict) and, if given, a checkpoint, in one durable transaction: all or nothing. Throws on
  // failure, after which the store is as before the call and takes the next append afresh (an
  // I/O error or a full disk does not outlive its cause).
  virtual void append(const std::vector<AuditRow>& rows, const std::vector<crypto::Tile>& tiles,
                      const std::optional<AuditCheckpointRow>& checkpoint) = 0;

  // Before a batch is numbered: until the next append() or abandonAppend() of this writer, no
  // other writer appends, and the log's size is returned, which the batch must follow. On
  // PostgreSQL a transaction that holds audit_head's row lock, so that the database orders the
  // nodes' batches (one waits for the other's commit, then numbers after it) rather than one
  // numbering twice and losing the race; on SQLite the size, as one process writes the file.
  // For the audit log's one writer thread. Throws as size() does.
  virtual std::uint64_t reserveAppend() { return size(); }
  virtual void abandonAppend() {}

  // How many entries the log holds: one past the highest index stored (0 when empty).
  virtual std::uint64_t size() const = 0;
  // The 256 hashes of a full tile. Throws core::DomainError(integrity) if it is not stored or
  // not whole.
  virtual std::vector<crypto::Hash> tile(crypto::TileId id) const = 0;
  // How many full tiles of `level` are stored (fewer than the size implies in a log written
  // before tiles, until the audit log builds them). Tiles are stored from index 0 without a gap
  // (each append stores those it fills, in order), so this is the highest index + 1, read at
  // the end of the primary key: constant time, whatever the log's size.
  virtual std::uint64_t tileCount(std::uint8_t level) const = 0;

  // Commits a one-row write to the store's file (a liveness row, not an entry) and says whether
  // it became durable: the readiness probe (audit::AuditLog calls it only after a failed
  // write). A failure leaves the store as append() does. Never throws.
  virtual bool probeWritable() = 0;

  // Every row from index `from` on, in index order, as stored (gaps and all: the verifier must
  // see what is there). Reads in pages; rows appended meanwhile may or may not be seen.
  virtual void forEachRow(std::uint64_t from,
                          const std::function<void(const AuditRow&)>& visit) const = 0;

  virtual std::vector<AuditRow> search(const AuditQuery& query) const = 0;
  virtual std::optional<AuditRow> row(std::uint64_t index) const = 0;

  // Which of these audit outbox row ids an entry already claims.
  virtual std::vector<std::string> claimed(const std::vector<std::string>& outbox_ids) const = 0;

  // Every checkpoint, by tree size; the latest one; the latest `count`, the latest first.
  virtual std::vector<AuditCheckpointRow> checkpoints() const = 0;
  virtual std::optional<AuditCheckpointRow> latestCheckpoint() const = 0;
  virtual std::vector<AuditCheckpointRow> recentCheckpoints(std::size_t count) const = 0;

  // Empties the content of the oldest entries, up to the first one dated at or after `time`
  // (their index, time and leaf hash stay). Throws DomainError(forbidden), pruning nothing, if that
  // would empty an entry younger than the retention period the store was opened with: the
  // store's own triggers refuse it too. Returns how many entries were pruned by this call.
  virtual std::uint64_t pruneBefore(const std::string& time) = 0;
  // How many entries have been pruned so far.
  virtual std::uint64_t prunedCount() const = 0;
};

struct SqliteAuditOptions {
  std::filesystem::path file;
  std::size_t read_connections = 2;
  int busy_timeout_ms = 10000;  // how long an append waits for a lock held by another process
  // The retention period pruning must respect, recorded in the file (at least 1); unset: the
  // one recorded stays (12 months in a new file).
  std::optional<int> retention_months;
};

// Opens (creating and migrating if needed) the audit log's own SQLite file: WAL,
// synchronous=FULL. Throws DomainError(configuration) naming the file.
std::unique_ptr<AuditStore> openSqliteAuditStore(const SqliteAuditOptions& options);

struct PostgresAuditOptions {
  std::string url;  // libpq URI or key=value string; the password may be in it or in ~/.pgpass
  // The retention period to record (only the schema's owner may change it); unset: as stored.
  std::optional<int> retention_months;
  // Apply the pending migrations first (the schema's owner only; a node's role cannot).
  bool migrate = true;
};

// Opens the audit log in a PostgreSQL database (issue 23, docs/ARCHITECTURE.md "PostgreSQL"):
// the same contract as the SQLite store, the database enforcing append-only. Several nodes may
// append: an append whose first index is not the database's next one (another node appended
// since) is refused (AuditHeadMoved), and the audit log numbers its batch again. A checkpoint of a
// size already signed is not stored twice.
// Throws DomainError(configuration) if the server cannot be reached or the schema is missing.
std::unique_ptr<AuditStore> openPostgresAuditStore(const PostgresAuditOptions& options);

}  // namespace passerelle::store
