#include "passerelle/app/process_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <stdexcept>

#include "passerelle/core/domain_error.hpp"

namespace passerelle::app {

ProcessLock::ProcessLock(const std::filesystem::path& file, const std::string& why_busy)
    : fd_(::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
  if (fd_ < 0)
    throw core::DomainError(core::ErrorKind::configuration,
                            "cannot open the lock file " + file.string());
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    throw core::DomainError(core::ErrorKind::unavailable,
                            file.string() + " is locked: " + why_busy);
  }
}

ProcessLock::~ProcessLock() {
  ::close(fd_);  // releases the lock
}

}  // namespace passerelle::app
