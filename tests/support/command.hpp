#pragma once

#include <string>
#include <vector>

namespace passerelle::testing {

// What a command printed (stdout and stderr together) and its exit status.
struct CommandResult {
  int status;
  std::string output;
};

// Runs `program` with `args` as a real process and waits for it.
CommandResult runCommand(const std::string& program, const std::vector<std::string>& args);

// Whether a command's output says `part`.
inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace passerelle::testing
