#pragma once

#include <map>
#include <string>

namespace passerelle::schemas::detail {

// The schema and catalogue files, embedded at build time (cmake/EmbedFiles.cmake), by file name.
const std::map<std::string, std::string>& embeddedFiles();

// The content of one embedded file; throws std::logic_error if the build did not embed it.
const std::string& embeddedFile(const std::string& name);

}  // namespace passerelle::schemas::detail
