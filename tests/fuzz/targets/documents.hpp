#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace passerelle::fuzz {

// Splits a fuzz input into named files at lines "=== NAME" (the text before the first such line
// goes to `first`) and writes them under `dir`, emptied first: a directory an operator or a
// partner hands the gateway, from one input.
inline std::map<std::string, std::string> splitFiles(const std::string& text,
                                                     const std::string& first) {
  std::map<std::string, std::string> files;
  std::string name = first;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("=== ", 0) == 0 && line.size() > 4 && line.find('/') == std::string::npos &&
        line.find("..") == std::string::npos) {
      name = line.substr(4);
      continue;
    }
    files[name] += line + "\n";
  }
  return files;
}

inline void writeFiles(const std::filesystem::path& dir,
                       const std::map<std::string, std::string>& files) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  for (const auto& [name, content] : files) std::ofstream(dir / name, std::ios::binary) << content;
}

}  // namespace passerelle::fuzz
