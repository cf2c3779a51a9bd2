#pragma once

#include <Poco/Data/Session.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "sqlite_statement_cache.hpp"

namespace passerelle::store {

// Group commit on one SQLite file's writer session, as LevelDB's write queue does it: each
// writer queues its work; the writer at the head runs the queued works in one transaction, each
// in its own savepoint so that a failure undoes only that work, and commits once. Concurrent
// writers thus share one fsync instead of queueing for one each. A work queued by a thread
// under a PendingAuditScope inserts its audit outbox row in its own savepoint, when it changed
// something. Thread-safe.
class SqliteWriteQueue {
 public:
  explicit SqliteWriteQueue(Poco::Data::Session session);

  // Runs `work` (which uses session()) in a transaction with the works queued beside it, one at
  // a time in queue order, and returns once that transaction is durable. Rethrows what `work`
  // threw (its changes undone, the others' kept); if the transaction fails as a whole (full
  // disk, I/O error), core::DomainError(unavailable) for every work of it, nothing of it stored.
  // The connection takes the next group afresh: a failure does not outlive its cause.
  // Called from inside a work of this queue (a store operation that a work makes through
  // another store of the same database: a relationship added with a section's write), `work`
  // runs at once as part of the enclosing work: one transaction, one outbox row, undone with it.
  void run(const std::function<void()>& work);

  // The writer session, for works, and for start-up code before any other thread writes.
  Poco::Data::Session& session() { return session_; }
  // Its prepared statements, for the statements every write runs.
  StatementCache& statements() { return statements_; }

  // Whether the last group committed: false from a failed group (full disk, I/O error) until
  // one commits.
  bool writable() const { return writable_.load(); }

  // Writers queued, the one committing included.
  std::size_t pending();

  // Audit outbox rows (store/pending_audit.hpp) to delete in the next group's transaction.
  void retire(std::vector<std::string> outbox_ids);

  // Most works committed together: bounds how long the first of them waits.
  static constexpr std::size_t kMaxGroup = 256;

 private:
  struct Writer;
  // Whether the group's transaction committed.
  bool commitGroup(const std::vector<Writer*>& group, const std::vector<std::string>& retired);
  void runWork(Writer& writer);

  Poco::Data::Session session_;
  StatementCache statements_;  // after the session: finalized before it closes
  std::mutex mutex_;
  std::deque<Writer*> queue_;
  std::vector<std::string> retired_;
  std::uint64_t refused_ = 0;  // works refused since writes began failing (the committer's)
  std::atomic<bool> writable_{true};
};

}  // namespace passerelle::store
