#include "sqlite_write_queue.hpp"

#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Logger.h>
#include <sqlite3.h>

#include <algorithm>
#include <condition_variable>
#include <exception>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/core/utc_time.hpp"
#include "passerelle/crypto/bytes.hpp"
#include "passerelle/store/pending_audit.hpp"
#include "pending_audit_work.hpp"
#include "sqlite_errors.hpp"
#include "write_metrics.hpp"

namespace passerelle::store {

using namespace Poco::Data::Keywords;

struct SqliteWriteQueue::Writer {
  explicit Writer(const std::function<void()>& w) : work(w), scope(PendingAuditScope::current()) {}
  const std::function<void()>& work;
  PendingAuditScope* scope;  // the queueing thread's, which waits while others use it
  std::string outbox_id;     // the row this work committed, if any
  std::exception_ptr error;
  bool done = false;
  std::condition_variable wake;
};

SqliteWriteQueue::SqliteWriteQueue(Poco::Data::Session session)
    : session_(std::move(session)), statements_(session_) {}

namespace {

// The queue whose work this thread is running, if any: a run() from inside it nests.
thread_local const SqliteWriteQueue* running_work_of = nullptr;

class RunningWork {
 public:
  explicit RunningWork(const SqliteWriteQueue* queue) : previous_(running_work_of) {
    running_work_of = queue;
  }
  ~RunningWork() { running_work_of = previous_; }
  RunningWork(const RunningWork&) = delete;
  RunningWork& operator=(const RunningWork&) = delete;

 private:
  const SqliteWriteQueue* previous_;
};

}  // namespace

void SqliteWriteQueue::run(const std::function<void()>& work) {
  if (running_work_of == this) {
    work();
    return;
  }
  const TimedWrite timed;
  Writer self(work);
  std::unique_lock lock(mutex_);
  queue_.push_back(&self);
  self.wake.wait(lock, [&] { return self.done || queue_.front() == &self; });
  if (!self.done) {
    // At the head: commit the group behind us. Writers arriving meanwhile queue for the next one.
    const auto size = std::min(queue_.size(), kMaxGroup);
    const std::vector<Writer*> group(queue_.begin(), queue_.begin() + static_cast<long>(size));
    auto retired = std::exchange(retired_, {});
    lock.unlock();
    const bool committed = commitGroup(group, retired);
    lock.lock();
    // Rows not deleted are deleted with the next group (or found claimed at the next start).
    if (!committed) retired_.insert(retired_.end(), retired.begin(), retired.end());
    for (auto* writer : group) {
      queue_.pop_front();
      writer->done = true;
      if (writer != &self) writer->wake.notify_one();
    }
    if (!queue_.empty()) queue_.front()->wake.notify_one();
  }
  lock.unlock();
  if (self.error) std::rethrow_exception(self.error);
  if (self.scope != nullptr && !self.outbox_id.empty())
    self.scope->addCommitted(std::move(self.outbox_id));
}

std::size_t SqliteWriteQueue::pending() {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void SqliteWriteQueue::retire(std::vector<std::string> outbox_ids) {
  std::lock_guard lock(mutex_);
  retired_.insert(retired_.end(), std::make_move_iterator(outbox_ids.begin()),
                  std::make_move_iterator(outbox_ids.end()));
}

void SqliteWriteQueue::runWork(Writer& writer) {
  const RunningWork running(this);
  if (writer.scope == nullptr) {
    writer.work();
    return;
  }
  sqlite3* db = Poco::Data::SQLite::Utility::dbHandle(session_);
  const auto changes_before = sqlite3_total_changes64(db);
  PendingWork row;
  {
    const PendingWork::Active active(&row);
    writer.work();
  }
  // A work that changed nothing (a match, an erasure of nobody) leaves nothing to claim.
  if (sqlite3_total_changes64(db) == changes_before) return;
  auto id = crypto::toHex(crypto::randomBytes(16));
  std::string dossiers;
  for (const auto& d : row.dossiers) dossiers += (dossiers.empty() ? "" : " ") + d.str();
  statements_
      .prepare("INSERT INTO audit_outbox (id, context, dossiers, created_at) VALUES (?, ?, ?, ?)")
      .bind(id)
      .bind(writer.scope->context())
      .bind(dossiers)
      .bind(core::nowUtc())
      .step();
  writer.outbox_id = std::move(id);
}

namespace {

Poco::Logger& logger() {
  return Poco::Logger::get("passerelle.store");
}

}  // namespace

bool SqliteWriteQueue::commitGroup(const std::vector<Writer*>& group,
                                   const std::vector<std::string>& retired) {
  sqlite3* db = Poco::Data::SQLite::Utility::dbHandle(session_);
  std::string cause;
  try {
    session_.begin();
    for (const auto& id : retired)
      statements_.prepare("DELETE FROM audit_outbox WHERE id = ?").bind(id).step();
    for (auto* writer : group) {
      session_ << "SAVEPOINT work", now;
      try {
        runWork(*writer);
      } catch (...) {
        writer->error = std::current_exception();
        writer->outbox_id.clear();
        // An I/O error or a full disk fails the group: SQLite may have rolled the whole
        // transaction back already, and the works after this one must not run outside it.
        if (isStorageFailure(sqlite3_extended_errcode(db)) || sqlite3_get_autocommit(db)) throw;
        session_ << "ROLLBACK TO work", now;
      }
      session_ << "RELEASE work", now;
    }
    session_.commit();
    writable_ = true;
    if (refused_ > 0) {
      logger().notice("store writes succeed again, %Lu refused meanwhile",
                      static_cast<unsigned long long>(refused_));
      refused_ = 0;
    }
    return true;
  } catch (const std::exception& e) {
    cause = e.what();
  } catch (...) {
    cause = "not a std::exception";
  }
  // The transaction failed as a whole (the disk, a savepoint that could not be undone): every
  // work in it is lost, and each writer is told so. SQLite's messages carry no values.
  if (session_.isTransaction() || !sqlite3_get_autocommit(db)) {
    try {
      session_.rollback();
    } catch (const std::exception&) {
      // SQLite has already rolled back after such an error.
    }
  }
  if (refused_ == 0) logger().error("store writes failing: %s", cause);
  writable_ = false;
  refused_ += group.size();
  const auto failure = std::make_exception_ptr(core::DomainError(
      core::ErrorKind::unavailable,
      "the store could not be written (full disk or I/O error); nothing was changed, retry later"));
  for (auto* writer : group) {
    writer->outbox_id.clear();
    writer->error = failure;
  }
  return false;
}

}  // namespace passerelle::store
