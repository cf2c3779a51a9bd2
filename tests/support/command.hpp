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

}  // namespace passerelle::testing
