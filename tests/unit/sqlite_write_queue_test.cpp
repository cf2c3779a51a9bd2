#include "sqlite_write_queue.hpp"

#include <Poco/Data/SQLite/Utility.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <thread>

#include "sqlite_connection_pool.hpp"
#include "temp_dir.hpp"

namespace passerelle::store {
namespace {

using namespace Poco::Data::Keywords;

// A write queue on a real SQLite file, counting the transactions it commits.
class SqliteWriteQueueTest : public ::testing::Test {
 protected:
  SqliteWriteQueueTest() : queue_(SqliteConnectionPool::open(dir_ / "queue.db")) {
    queue_.session() << "CREATE TABLE t (v INTEGER NOT NULL)", now;
    sqlite3_commit_hook(
        Poco::Data::SQLite::Utility::dbHandle(queue_.session()),
        [](void* commits) {
          ++*static_cast<std::atomic<int>*>(commits);
          return 0;
        },
        &commits_);
  }

  std::function<void()> insert(int v) {
    return [this, v] { queue_.session() << "INSERT INTO t (v) VALUES (?)", bind(v), now; };
  }

  // Runs `first` so that it holds the head of the queue until `behind` more writers wait.
  std::function<void()> holdingUntilQueued(std::size_t behind, std::function<void()> first) {
    return [this, behind, first] {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      while (queue_.pending() < behind + 1 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      first();
    };
  }

  // Waits until `n` writers are queued (each of this test's writers queues at once).
  void waitForPending(std::size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (queue_.pending() < n) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "writers did not queue";
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  std::vector<int> rows() {
    std::vector<int> out;
    auto session = SqliteConnectionPool::open(dir_ / "queue.db");
    session << "SELECT v FROM t ORDER BY v", into(out), now;
    return out;
  }

  testing::TempDir dir_;
  SqliteWriteQueue queue_;
  std::atomic<int> commits_{0};
};

TEST_F(SqliteWriteQueueTest, WritersQueuedBehindACommitShareTheNextOne) {
  constexpr int kBehind = 20;
  auto head =
      std::async(std::launch::async, [&] { queue_.run(holdingUntilQueued(kBehind, insert(0))); });
  waitForPending(1);
  std::vector<std::future<void>> others;
  for (int i = 1; i <= kBehind; ++i)
    others.push_back(std::async(std::launch::async, [&, i] { queue_.run(insert(i)); }));
  head.get();
  for (auto& f : others) f.get();
  EXPECT_EQ(commits_.load(), 2) << "the twenty writers behind the first should commit together";
  std::vector<int> expected;
  for (int i = 0; i <= kBehind; ++i) expected.push_back(i);
  EXPECT_EQ(rows(), expected);  // read back on another connection: durable, all of them
  EXPECT_EQ(queue_.pending(), 0u);
}

TEST_F(SqliteWriteQueueTest, AFailedWorkIsUndoneAloneAndItsWriterToldWhy) {
  auto head = std::async(std::launch::async, [&] { queue_.run(holdingUntilQueued(3, insert(0))); });
  waitForPending(1);
  auto one = std::async(std::launch::async, [&] { queue_.run(insert(1)); });
  waitForPending(2);
  auto failing = std::async(std::launch::async, [&] {
    queue_.run([&] {
      insert(2)();  // written, then undone with the rest of this work
      throw std::runtime_error("refused by its own check");
    });
  });
  waitForPending(3);
  auto three = std::async(std::launch::async, [&] { queue_.run(insert(3)); });
  head.get();
  one.get();
  three.get();
  try {
    failing.get();
    ADD_FAILURE() << "the failing writer was not told";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "refused by its own check");
  }
  EXPECT_EQ(rows(), (std::vector<int>{0, 1, 3}));
  EXPECT_EQ(commits_.load(), 2);
}

TEST_F(SqliteWriteQueueTest, ALoneWriterCommitsAtOnce) {
  queue_.run(insert(7));
  EXPECT_EQ(commits_.load(), 1);
  EXPECT_EQ(rows(), (std::vector<int>{7}));
  EXPECT_THROW(queue_.run([] { throw std::logic_error("nothing written"); }), std::logic_error);
  EXPECT_EQ(rows(), (std::vector<int>{7}));
}

}  // namespace
}  // namespace passerelle::store
