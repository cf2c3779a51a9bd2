#pragma once

#include <filesystem>

namespace passerelle::gateway {

// An exclusive lock (flock) on a file beside the store, held while a gateway has the store
// open: two processes writing one audit log would number entries twice. Move-only.
class ProcessLock {
 public:
  // Throws std::runtime_error naming the file if another process holds it.
  explicit ProcessLock(const std::filesystem::path& file);
  ~ProcessLock();
  ProcessLock(const ProcessLock&) = delete;
  ProcessLock& operator=(const ProcessLock&) = delete;

 private:
  int fd_;
};

}  // namespace passerelle::gateway
