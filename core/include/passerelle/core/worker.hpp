#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace passerelle::core {

// A background thread that does its work in rounds: each round says when the next one is due
// (or that it waits to be woken), wake() brings the next round forward, stop() ends the loop.
// The one loop behind the audit writer, the webhook deliveries, the export jobs and retention.
// start(), stop() and the destructor from one controlling thread; wake() from any thread.
class Worker {
 public:
  using Clock = std::chrono::steady_clock;
  // One round of work. Returns when the next round is due: a time (now or past: at once), or
  // nothing to sleep until woken. Must not throw: a round handles and logs its own failures
  // (an exception escaping it ends the process, as from any thread).
  using Round = std::function<std::optional<Clock::time_point>()>;
  // What stop() does with work still due: `finish` keeps running rounds while a round says the
  // next is due at once (the audit writer writes what it queued); `abandon` ends after the
  // round in progress.
  enum class OnStop { finish, abandon };

  Worker(Round round, OnStop on_stop);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Starts the thread (its first round at once); a no-op if it runs.
  void start();
  // Runs the next round without waiting for its time. A wake() during a round is not lost.
  void wake();
  // Ends the loop as OnStop says and joins the thread; idempotent. start() may follow.
  void stop();
  bool running() const { return thread_.joinable(); }

  // The time a round returns to run again at once.
  static Clock::time_point now() { return Clock::now(); }

 private:
  void loop();

  Round round_;
  const OnStop on_stop_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool woken_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace passerelle::core
