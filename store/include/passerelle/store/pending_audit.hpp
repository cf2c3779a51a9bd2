#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "passerelle/core/ids.hpp"

namespace passerelle::store {

// The audit outbox (docs/ARCHITECTURE.md, "A change and its audit entry"): every write that a
// thread makes under a PendingAuditScope inserts, in that write's own transaction, a row saying
// who changed which dossiers under which request. The entry the caller then appends to the
// audit log *claims* the row (by its id); the rows no entry claimed (the process died between
// the commit and the entry, or the log could not be written) become entries of their own at
// the next start. So a change is never stored without an audit entry, whatever fails when.

// One outbox row: the scope's context (a JSON object the audit module wrote, opaque here), and
// the dossiers the write changed, as the store noted them.
struct PendingAuditRow {
  std::string id;  // 32 lowercase hex characters, random
  std::string context;
  std::vector<core::DossierId> dossiers;
  std::string created_at;  // core::UtcTime
};

// What a thread's writes will be audited as, from before the write until the entry is appended.
// Scopes nest (the innermost is current) and belong to the thread that opened them. Not
// copyable; not thread-safe (one thread).
class PendingAuditScope {
 public:
  // `context` is asked for only when a write of this scope commits (most requests write
  // nothing), at most once, on the committing thread while this scope's thread waits for that
  // write: it may read what that thread holds.
  explicit PendingAuditScope(std::function<std::string()> context);
  ~PendingAuditScope();
  PendingAuditScope(const PendingAuditScope&) = delete;
  PendingAuditScope& operator=(const PendingAuditScope&) = delete;

  // For the write queue: the context, made on first use.
  const std::string& context();

  // The ids of the rows committed under this scope since the last call: the entry about to be
  // appended claims them.
  std::vector<std::string> claim();
  // Whether any write committed under this scope or a scope nested in it (claimed or not).
  bool committed() const { return committed_; }

  // The current thread's innermost scope, or none.
  static PendingAuditScope* current();

  // For the write queue, at commit, on the committing thread: records a row of this scope.
  void addCommitted(std::string id);

 private:
  std::function<std::string()> make_context_;
  std::optional<std::string> context_;
  std::vector<std::string> unclaimed_;
  bool committed_ = false;
  PendingAuditScope* outer_;
};

// Inside a write queue's work: the dossier this write changes, for its outbox row. Does
// nothing when the work's writer has no scope.
void noteChangedDossier(const core::DossierId& dossier);

// The outbox rows of a database. Thread-safe.
class PendingAuditStore {
 public:
  virtual ~PendingAuditStore() = default;
  // Every row, oldest first.
  virtual std::vector<PendingAuditRow> pendingAudit() const = 0;
  // Deletes these rows with the next write committed, or at once if `now` (start-up recovery).
  // Rows already gone are ignored.
  virtual void retirePendingAudit(std::vector<std::string> ids, bool now = false) = 0;
};

}  // namespace passerelle::store
