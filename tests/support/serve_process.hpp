#pragma once

#include <Poco/Net/ServerSocket.h>
#include <Poco/Pipe.h>
#include <Poco/Process.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "https_client.hpp"

namespace passerelle::testing {

inline std::uint16_t freePort() {
  Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
  return probe.address().port();
}

// The real `passerelle serve` binary in a child process, killed with SIGKILL: no destructor,
// no flush, no orderly shutdown. Its log goes to `log` when given (read it once the process is
// gone: a pipe holds 64 KiB), else to the test's stderr.
class ServeProcess {
 public:
  ServeProcess(const std::string& binary, const std::filesystem::path& config, std::uint16_t port,
               const std::filesystem::path& ca, Poco::Pipe* log = nullptr)
      : handle_(Poco::Process::launch(binary, {"serve", "--config", config.string()}, nullptr,
                                      nullptr, log)) {
    const HttpsClient probe(port, clientContext(ca));
    for (int attempt = 0; attempt < 200; ++attempt) {
      try {
        if (probe.request("GET", "/healthz").status == 200) return;
      } catch (const Poco::Exception&) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("passerelle serve did not come up");
  }
  int pid() const { return static_cast<int>(handle_.id()); }
  void killHard() {
    Poco::Process::kill(handle_);
    handle_.wait();
  }
  ~ServeProcess() {
    try {
      Poco::Process::kill(handle_);
      handle_.wait();
    } catch (const Poco::Exception&) {
    }
  }

 private:
  Poco::ProcessHandle handle_;
};

}  // namespace passerelle::testing
