#include "secret_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "passerelle/core/domain_error.hpp"

namespace passerelle::crypto::detail {

std::string readOwnerOnlyFile(const std::filesystem::path& path, std::string_view what) {
  const std::string named = std::string(what) + " " + path.string();
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw core::DomainError(core::ErrorKind::configuration, named + " cannot be read");
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
    throw core::DomainError(core::ErrorKind::configuration,
                            named + " is accessible to group or others; run chmod 600 on it");
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeNewOwnerOnlyFile(const std::filesystem::path& path, std::string_view text,
                           std::string_view what) {
  const std::string named = std::string(what) + " " + path.string();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST)
    throw core::DomainError(core::ErrorKind::configuration,
                            named + " exists; a secret key is never overwritten");
  if (fd < 0) throw core::DomainError(core::ErrorKind::unavailable, "cannot create " + named);
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) throw core::DomainError(core::ErrorKind::unavailable, "cannot write " + named);
}

}  // namespace passerelle::crypto::detail
