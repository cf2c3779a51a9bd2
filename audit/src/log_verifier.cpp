#include "passerelle/audit/log_verifier.hpp"

#include <algorithm>
#include <map>

#include "passerelle/audit/audit_entry.hpp"
#include "passerelle/core/utc_time.hpp"
#include "passerelle/crypto/tiled_merkle_tree.hpp"

namespace passerelle::audit {

namespace {

constexpr std::size_t kMaxProblems = 50;

class StoreSource final : public LogSource {
 public:
  explicit StoreSource(const store::AuditStore& store) : store_(store) {}
  std::vector<Checkpoint> checkpoints() override {
    std::vector<Checkpoint> out;
    for (const auto& row : store_.checkpoints()) out.push_back(Checkpoint::fromRow(row));
    return out;
  }
  void forEachRow(const std::function<void(const store::AuditRow&)>& visit) override {
    store_.forEachRow(0, visit);
  }
  bool hasSearchColumns() const override { return true; }
  std::optional<std::vector<crypto::Hash>> tile(crypto::TileId id) const override {
    while (stored_.size() <= id.level)
      stored_.push_back(store_.tileCount(static_cast<std::uint8_t>(stored_.size())));
    if (id.index >= stored_[id.level]) return std::nullopt;
    try {
      return store_.tile(id);
    } catch (const core::DomainError&) {
      return std::vector<crypto::Hash>();  // stored, but not whole
    }
  }

 private:
  const store::AuditStore& store_;
  mutable std::vector<std::uint64_t> stored_;  // full tiles stored, by level
};

class Verifier {
 public:
  Verifier(const VerifyOptions& options, const LogSource& source)
      : options_(options), source_(source), search_columns_(source.hasSearchColumns()) {
    if (options.retention_months)
      cutoff_ = core::monthsBefore(core::nowUtc(), *options.retention_months);
  }

  void checkSignatures(const std::vector<Checkpoint>& checkpoints, const char* origin) {
    for (const auto& c : checkpoints) {
      ++report_.checkpoints;
      const auto name = std::string(origin) + " checkpoint of size " + std::to_string(c.tree_size) +
                        " (" + c.time + ")";
      if (options_.public_key && c.public_key != *options_.public_key)
        problem(std::nullopt, name + " is signed by another key than the gateway's");
      else if (!c.signatureValid())
        problem(std::nullopt, name + " has an invalid signature");
      else
        by_size_.emplace(c.tree_size, std::make_pair(name, c.root_hash));
    }
  }

  void visit(const store::AuditRow& row) {
    if (broken_) return;
    ++report_.entries;
    const auto i = tree_.size();
    if (row.index != i) {
      problem(i, row.index > i
                     ? "entry #" + std::to_string(i) + " is missing (the next stored entry is #" +
                           std::to_string(row.index) + ")"
                     : "entry #" + std::to_string(row.index) +
                           " appears again, or out of order, after entry #" +
                           std::to_string(i - 1));
      broken_ = true;  // positions no longer mean anything: stop here
      return;
    }
    crypto::Hash leaf{};
    try {
      leaf = hashFromHex(row.leaf_hash);
    } catch (const AuditFormatError&) {
      problem(i, "entry #" + std::to_string(i) + " has a malformed leaf hash");
      broken_ = true;
      return;
    }
    if (!row.entry) {
      ++report_.pruned;
      checkPruned(i, row);
    } else {
      kept_one_ = true;
      checkEntry(i, row, leaf);
    }
    tree_.append(leaf);
    checkTiles();
    checkCheckpointsAt(tree_.size());
  }

  VerifyReport finish() {
    if (!broken_) checkCheckpointsAt(0);  // the empty tree's checkpoint, if any
    for (auto it = by_size_.upper_bound(tree_.size()); it != by_size_.end(); ++it) {
      problem(tree_.size(), "the log holds " + std::to_string(tree_.size()) + " entries but the " +
                                it->second.first + " covers " + std::to_string(it->first) +
                                ": entries #" + std::to_string(tree_.size()) + " to #" +
                                std::to_string(it->first - 1) + " are missing (truncated)");
      break;  // the smallest is enough
    }
    return std::move(report_);
  }

 private:
  // Pruning empties a prefix of the log, of entries older than the retention period: an entry
  // emptied otherwise was hidden from the person's report.
  void checkPruned(std::uint64_t i, const store::AuditRow& row) {
    const auto name = "entry #" + std::to_string(i);
    if (kept_one_)
      problem(i, name +
                     " was emptied after entries that were not: pruning empties only the "
                     "oldest entries (hidden, not pruned)");
    else if (cutoff_ && row.time > *cutoff_)
      problem(i, name + " (" + row.time +
                     ") was emptied though younger than the retention "
                     "period (" +
                     std::to_string(*options_.retention_months) + " months): hidden, not pruned");
  }

  void checkEntry(std::uint64_t i, const store::AuditRow& row, const crypto::Hash& leaf) {
    const auto name = "entry #" + std::to_string(i);
    AuditEntry entry;
    try {
      entry = parseAuditEntry(*row.entry);
    } catch (const AuditFormatError& e) {
      problem(i, name + ": " + e.what() + " (altered)");
      return;
    }
    if (entry.index != i) {
      problem(i, name + " holds the content of entry #" + std::to_string(entry.index) +
                     " (entries moved or reordered)");
      return;
    }
    if (crypto::leafHash(*row.entry) != leaf) {
      problem(i, name + ": its content does not match its leaf hash (altered)");
      return;
    }
    try {
      openSensitivePart(entry, row.sensitive);
    } catch (const AuditFormatError& e) {
      problem(i, name + ": " + e.what() + " (altered)");
      return;
    }
    if (search_columns_) {
      const auto& e = entry.event;
      const bool same =
          row.time == e.time && row.partner == (e.partner ? e.partner->str() : std::string()) &&
          row.purpose == (e.purpose ? std::string(core::toString(*e.purpose)) : std::string()) &&
          row.action == toString(e.action) && row.person == e.person &&
          row.decision == toString(e.decision);
      if (!same)
        problem(i, name +
                       ": its search columns differ from its content (a search would "
                       "mislead the DPO)");
    }
  }

  // Compares the tiles the last entry filled with the ones stored, then forgets them: only the
  // current size's root is asked for, which the tree's right edge answers.
  void checkTiles() {
    for (const auto& t : tree_.tilesSince(crypto::TiledMerkleTree::Mark{})) {
      const auto stored = source_.tile(t.id);
      if (!stored || *stored == t.hashes) continue;
      const auto span = std::uint64_t{1} << (8 * (t.id.level + 1));
      problem(t.id.index * span,
              "the stored tile " + std::to_string(t.id.level) + "/" + std::to_string(t.id.index) +
                  " does not match entries #" + std::to_string(t.id.index * span) + " to #" +
                  std::to_string((t.id.index + 1) * span - 1) +
                  ": it was altered (the proofs served from it would not verify)");
    }
    tree_.settle();
  }

  // Compares every checkpoint of exactly `size` with the tree's root.
  void checkCheckpointsAt(std::uint64_t size) {
    const auto [from, to] = by_size_.equal_range(size);
    if (from == to) return;
    const auto root = tree_.root(size);
    // An entry already found bad in the range explains the mismatch; otherwise the checkpoint
    // is the only witness, and the whole range it newly covered is suspect.
    const bool explained = report_.first_bad_entry && *report_.first_bad_entry >= last_good_size_;
    for (auto it = from; it != to; ++it) {
      if (it->second.second == root) continue;
      problem(explained ? std::nullopt : std::optional(last_good_size_),
              it->second.first + " does not match entries #" + std::to_string(last_good_size_) +
                  " to #" + std::to_string(size - 1) +
                  (explained ? "" : ": one of them was altered along with its leaf hash"));
    }
    last_good_size_ = size;
  }

  void problem(std::optional<std::uint64_t> entry, std::string text) {
    if (entry && (!report_.first_bad_entry || *entry < *report_.first_bad_entry))
      report_.first_bad_entry = entry;
    if (report_.problems.size() < kMaxProblems) report_.problems.push_back(std::move(text));
  }

  const VerifyOptions& options_;
  const LogSource& source_;
  const bool search_columns_;
  VerifyReport report_;
  // Asked only for the current size, which its right edge answers: it never reads a tile.
  crypto::TiledMerkleTree tree_{[](crypto::TileId) -> std::vector<crypto::Hash> {
    throw std::logic_error("the verifier reads no tile");
  }};
  std::multimap<std::uint64_t, std::pair<std::string, crypto::Hash>> by_size_;
  std::uint64_t last_good_size_ = 0;
  bool broken_ = false;
  bool kept_one_ = false;                // an entry with its content was seen
  std::optional<core::UtcTime> cutoff_;  // entries after it are within the retention period
};

}  // namespace

std::unique_ptr<LogSource> storeSource(const store::AuditStore& store) {
  return std::make_unique<StoreSource>(store);
}

VerifyReport verifyLog(LogSource& source, const VerifyOptions& options) {
  Verifier verifier(options, source);
  verifier.checkSignatures(source.checkpoints(), "stored");
  verifier.checkSignatures(options.trusted, "trusted");
  source.forEachRow([&](const store::AuditRow& row) { verifier.visit(row); });
  return verifier.finish();
}

}  // namespace passerelle::audit
