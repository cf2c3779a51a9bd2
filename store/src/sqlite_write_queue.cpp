#include "sqlite_write_queue.hpp"

#include <algorithm>
#include <condition_variable>
#include <exception>

namespace passerelle::store {

using namespace Poco::Data::Keywords;

struct SqliteWriteQueue::Writer {
  explicit Writer(const std::function<void()>& w) : work(w) {}
  const std::function<void()>& work;
  std::exception_ptr error;
  bool done = false;
  std::condition_variable wake;
};

SqliteWriteQueue::SqliteWriteQueue(Poco::Data::Session session)
    : session_(std::move(session)), statements_(session_) {}

void SqliteWriteQueue::run(const std::function<void()>& work) {
  Writer self(work);
  std::unique_lock lock(mutex_);
  queue_.push_back(&self);
  self.wake.wait(lock, [&] { return self.done || queue_.front() == &self; });
  if (!self.done) {
    // At the head: commit the group behind us. Writers arriving meanwhile queue for the next one.
    const auto size = std::min(queue_.size(), kMaxGroup);
    const std::vector<Writer*> group(queue_.begin(), queue_.begin() + static_cast<long>(size));
    lock.unlock();
    commitGroup(group);
    lock.lock();
    for (auto* writer : group) {
      queue_.pop_front();
      writer->done = true;
      if (writer != &self) writer->wake.notify_one();
    }
    if (!queue_.empty()) queue_.front()->wake.notify_one();
  }
  lock.unlock();
  if (self.error) std::rethrow_exception(self.error);
}

std::size_t SqliteWriteQueue::pending() {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void SqliteWriteQueue::commitGroup(const std::vector<Writer*>& group) {
  try {
    session_.begin();
    for (auto* writer : group) {
      session_ << "SAVEPOINT work", now;
      try {
        writer->work();
      } catch (...) {
        writer->error = std::current_exception();
        session_ << "ROLLBACK TO work", now;
      }
      session_ << "RELEASE work", now;
    }
    session_.commit();
  } catch (...) {
    // The transaction failed as a whole (the disk, a savepoint that could not be undone): every
    // work in it is lost, and each writer is told so.
    const auto failure = std::current_exception();
    for (auto* writer : group)
      if (!writer->error) writer->error = failure;
    if (session_.isTransaction()) {
      try {
        session_.rollback();
      } catch (const std::exception&) {
        // SQLite has already rolled back after such an error; the writers hold the reason.
      }
    }
  }
}

}  // namespace passerelle::store
