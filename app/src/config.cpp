#include "passerelle/app/config.hpp"

namespace passerelle::app {

std::filesystem::path auditFile(const AppConfig& config) {
  if (config.audit.sqlite_file) return *config.audit.sqlite_file;
  auto file = config.sqlite_file;
  file += ".audit";
  return file;
}

}  // namespace passerelle::app
