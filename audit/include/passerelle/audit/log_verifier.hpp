#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "passerelle/audit/checkpoint.hpp"
#include "passerelle/store/audit_store.hpp"

namespace passerelle::audit {

// A log to verify: the SQLite store, or an exported file.
class LogSource {
 public:
  virtual ~LogSource() = default;
  // Called first, so that a live log read afterwards holds at least what they cover.
  virtual std::vector<Checkpoint> checkpoints() = 0;
  // Every stored row, in storage order.
  virtual void forEachRow(const std::function<void(const store::AuditRow&)>& visit) = 0;
  // Whether rows carry the DPO's search columns (the store does; an export does not).
  virtual bool hasSearchColumns() const = 0;
  // The tile stored for `id`, compared with the one the entries make: nothing when the source
  // holds none (an export; a log not opened since it was written before tiles), an empty vector
  // when it holds one that cannot be read whole.
  virtual std::optional<std::vector<crypto::Hash>> tile(crypto::TileId id) const = 0;
};

struct VerifyOptions {
  // The gateway's public key, known from elsewhere; without it, signatures are checked against
  // the key each checkpoint names, which proves nothing against whoever rewrote the file.
  std::optional<std::string> public_key;
  // Checkpoints kept outside the log (by a partner, a witness): they catch a log truncated
  // together with its own checkpoints.
  std::vector<Checkpoint> trusted;
  // The retention period: an entry emptied though younger is an error. Whatever it is, an entry
  // emptied after one that was not is an error (pruning empties the oldest entries only).
  std::optional<int> retention_months;
};

struct VerifyReport {
  std::uint64_t entries = 0;      // rows read
  std::uint64_t pruned = 0;       // rows whose content was erased by retention
  std::uint64_t checkpoints = 0;  // checkpoints checked (stored and trusted)
  std::optional<std::uint64_t> first_bad_entry;
  std::vector<std::string> problems;  // each names the entry or checkpoint at fault
  bool ok() const { return problems.empty(); }
};

// Recomputes every leaf hash and the tree, checks each entry's position and canonical form,
// each checkpoint's signature and root, each stored tile against the entries it covers, and that
// no checkpoint covers more than the log holds. Its memory does not grow with the log.
VerifyReport verifyLog(LogSource& source, const VerifyOptions& options);

std::unique_ptr<LogSource> storeSource(const store::AuditStore& store);
// Reads an export written by exportLog; AuditFormatError names the line of a malformed record.
std::unique_ptr<LogSource> exportFileSource(const std::filesystem::path& file);

// Writes the whole log (checkpoints, then every entry with its leaf hash) as NDJSON
// (docs/audit.md). Returns the number of entries written.
std::uint64_t exportLog(const store::AuditStore& store, std::ostream& out);

}  // namespace passerelle::audit
