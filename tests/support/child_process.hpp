#pragma once
// Running a command in a child process, with its wall time and peak memory (the benchmarks, and
// the tests that bound a command's memory).
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace passerelle::testing {

struct Run {
  double seconds = 0;
  double peak_mb = 0;
  int exit_status = 0;
};

// The peak resident set of a running process (kB, VmHWM), or 0 once it is gone.
inline long peakKb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  return 0;
}

// Runs a command in a child process (output to `log`) and returns its wall time and peak
// resident memory. The peak is read from /proc while the child runs (every 10 ms): the
// kernel's ru_maxrss of a spawned child starts from its parent's peak (the address space it
// shared before exec), which would charge a large test process to a small command. Throws
// unless it exits with one of `accepted`.
inline Run measure(const std::vector<std::string>& args, const std::filesystem::path& log,
                   const std::vector<int>& accepted = {0}) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  const auto started = std::chrono::steady_clock::now();
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) throw std::runtime_error("cannot run " + args[0]);
  int status = 0;
  long peak = 0;
  pid_t done = 0;
  while ((done = waitpid(pid, &status, WNOHANG)) == 0) {
    peak = std::max(peak, peakKb(pid));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
  const int code = done == pid && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  bool ok = false;
  for (int a : accepted) ok = ok || code == a;
  if (!ok) throw std::runtime_error(args[1] + " failed; see " + log.string());
  return {elapsed.count(), static_cast<double>(peak) / 1024.0, code};
}

}  // namespace passerelle::testing
