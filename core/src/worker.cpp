#include "passerelle/core/worker.hpp"

namespace passerelle::core {

Worker::Worker(Round round, OnStop on_stop) : round_(std::move(round)), on_stop_(on_stop) {}

Worker::~Worker() {
  stop();
}

void Worker::start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
    woken_ = false;
  }
  thread_ = std::thread([this] { loop(); });
}

void Worker::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_all();
}

void Worker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Worker::loop() {
  while (true) {
    const auto next = round_();
    std::unique_lock lock(mutex_);
    const bool due_now = next && *next <= Clock::now();
    if (stopping_) {
      if (on_stop_ == OnStop::finish && due_now) continue;
      return;
    }
    const auto ready = [this] { return woken_ || stopping_; };
    if (!due_now && next)
      wake_.wait_until(lock, *next, ready);
    else if (!due_now)
      wake_.wait(lock, ready);
    woken_ = false;
    if (stopping_ && on_stop_ == OnStop::abandon) return;
  }
}

}  // namespace passerelle::core
