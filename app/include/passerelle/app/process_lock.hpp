#pragma once

#include <filesystem>
#include <string>

namespace passerelle::app {

// An exclusive lock (flock) on a file beside the store: held while a gateway has the store open
// (two processes writing one audit log would number entries twice), or while a key rotation
// runs. Not copyable.
class ProcessLock {
 public:
  // Throws DomainError naming the file: `unavailable`, followed by `why_busy`, if another
  // process holds it; `configuration` if it cannot be opened.
  ProcessLock(const std::filesystem::path& file, const std::string& why_busy);
  ~ProcessLock();
  ProcessLock(const ProcessLock&) = delete;
  ProcessLock& operator=(const ProcessLock&) = delete;

 private:
  int fd_;
};

}  // namespace passerelle::app
