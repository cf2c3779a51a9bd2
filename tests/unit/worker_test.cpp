#include "passerelle/core/worker.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

namespace passerelle::core {
namespace {

using namespace std::chrono_literals;

// Waits (up to 10 s) until `done` holds.
template <typename F>
bool eventually(F done) {
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

TEST(WorkerTest, RunsARoundAtStartAndOneMoreEachTimeItIsWoken) {
  std::atomic<int> rounds{0};
  Worker worker(
      [&]() -> std::optional<Worker::Clock::time_point> {
        ++rounds;
        return std::nullopt;  // until woken
      },
      Worker::OnStop::abandon);
  worker.start();
  ASSERT_TRUE(eventually([&] { return rounds == 1; }));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(rounds, 1) << "a round that waits to be woken ran again by itself";
  worker.wake();
  ASSERT_TRUE(eventually([&] { return rounds == 2; }));
  worker.stop();
  EXPECT_FALSE(worker.running());
}

TEST(WorkerTest, AWakeDuringARoundIsNotLost) {
  std::atomic<int> rounds{0};
  std::promise<void> in_round, release;
  auto released = release.get_future().share();
  Worker worker(
      [&]() -> std::optional<Worker::Clock::time_point> {
        if (++rounds == 1) {
          in_round.set_value();
          released.wait();
        }
        return std::nullopt;
      },
      Worker::OnStop::abandon);
  worker.start();
  in_round.get_future().wait();
  worker.wake();  // while the first round runs
  release.set_value();
  EXPECT_TRUE(eventually([&] { return rounds == 2; }));
}

TEST(WorkerTest, StopFinishesWorkDueAtOnceWhenAskedTo) {
  std::atomic<int> queued{20};  // like entries submitted to the audit writer before it closes
  Worker worker(
      [&]() -> std::optional<Worker::Clock::time_point> {
        if (queued == 0) return std::nullopt;
        return --queued > 0 ? std::optional(Worker::now()) : std::nullopt;
      },
      Worker::OnStop::finish);
  worker.start();
  worker.stop();
  EXPECT_EQ(queued, 0);
  // Work queued while it waited is done too: stop() runs one more round.
  queued = 5;
  worker.start();
  ASSERT_TRUE(eventually([&] { return queued == 0; }));
  queued = 3;  // queued without a wake, as by a producer racing the stop
  worker.stop();
  EXPECT_EQ(queued, 0);
}

TEST(WorkerTest, StopDoesNotWaitForARoundDueLater) {
  std::atomic<int> rounds{0};
  Worker worker(
      [&]() -> std::optional<Worker::Clock::time_point> {
        ++rounds;
        return Worker::now() + 1h;  // like the daily retention
      },
      Worker::OnStop::abandon);
  worker.start();
  ASSERT_TRUE(eventually([&] { return rounds == 1; }));
  const auto asked = std::chrono::steady_clock::now();
  worker.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 5s);
  EXPECT_EQ(rounds, 1);
  worker.start();  // and it can start again
  EXPECT_TRUE(eventually([&] { return rounds == 2; }));
}

}  // namespace
}  // namespace passerelle::core
