#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace passerelle::testing {

// Whether `done` becomes true within `limit`, asked every 50 ms (and once more at the end).
inline bool waitFor(const std::function<bool()>& done, std::chrono::seconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

}  // namespace passerelle::testing
