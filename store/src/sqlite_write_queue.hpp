#pragma once

#include <Poco/Data/Session.h>

#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "sqlite_statement_cache.hpp"

namespace passerelle::store {

// Group commit on one SQLite file's writer session, as LevelDB's write queue does it: each
// writer queues its work; the writer at the head runs the queued works in one transaction, each
// in its own savepoint so that a failure undoes only that work, and commits once. Concurrent
// writers thus share one fsync instead of queueing for one each. Thread-safe.
class SqliteWriteQueue {
 public:
  explicit SqliteWriteQueue(Poco::Data::Session session);

  // Runs `work` (which uses session()) in a transaction with the works queued beside it, one at
  // a time in queue order, and returns once that transaction is durable. Rethrows what `work`
  // threw (its changes undone, the others' kept) or the commit's error.
  void run(const std::function<void()>& work);

  // The writer session, for works, and for start-up code before any other thread writes.
  Poco::Data::Session& session() { return session_; }
  // Its prepared statements, for the statements every write runs.
  StatementCache& statements() { return statements_; }

  // Writers queued, the one committing included.
  std::size_t pending();

  // Most works committed together: bounds how long the first of them waits.
  static constexpr std::size_t kMaxGroup = 256;

 private:
  struct Writer;
  void commitGroup(const std::vector<Writer*>& group);

  Poco::Data::Session session_;
  StatementCache statements_;  // after the session: finalized before it closes
  std::mutex mutex_;
  std::deque<Writer*> queue_;
};

}  // namespace passerelle::store
