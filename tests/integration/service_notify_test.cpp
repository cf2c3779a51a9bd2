// `passerelle serve` under a Type=notify unit (issue 24, packaging/passerelle.service): what it
// says on systemd's notification socket (sd_notify(3)), read here from a real datagram socket
// as systemd would: ready once it serves, the watchdog's keep-alive at half its period,
// reloading then ready again on SIGHUP, stopping on SIGTERM.
#include <Poco/Net/DatagramSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Process.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>

#include "serve_process.hpp"
#include "test_gateway.hpp"

namespace passerelle::testing {
namespace {

using nlohmann::json;
using std::chrono::steady_clock;

// The notification socket: each datagram is one notification (lines of KEY=VALUE).
class NotifySocket {
 public:
  explicit NotifySocket(const std::filesystem::path& path)
      : path_(path),
        socket_(Poco::Net::SocketAddress(Poco::Net::SocketAddress::UNIX_LOCAL, path.string())) {
    socket_.setReceiveTimeout(Poco::Timespan(1, 0));
  }
  const std::filesystem::path& path() const { return path_; }

  // The next notification that has `key` (e.g. "READY=1") within `seconds`; "" if none came.
  std::string waitFor(const std::string& key, int seconds) {
    const auto deadline = steady_clock::now() + std::chrono::seconds(seconds);
    while (steady_clock::now() < deadline) {
      char buffer[4096];
      int n = 0;
      try {
        n = socket_.receiveBytes(buffer, sizeof buffer);
      } catch (const Poco::TimeoutException&) {
        continue;
      }
      const std::string message(buffer, static_cast<std::size_t>(n));
      seen_.push_back(message);
      if (message.find(key) != std::string::npos) return message;
    }
    return "";
  }
  const std::vector<std::string>& seen() const { return seen_; }

 private:
  std::filesystem::path path_;
  Poco::Net::DatagramSocket socket_;
  std::vector<std::string> seen_;
};

TEST(ServiceNotifyTest, ReadyWatchdogReloadAndStopAreToldToSystemd) {
  auto prepared = std::make_unique<TestGateway>();
  prepared->close();
  const auto dir = prepared->dir();
  const auto port = freePort();
  const auto config = prepared->writeServeConfig("notify.json", port);

  NotifySocket notify(dir / "notify.sock");
  Poco::Process::Env env{{"NOTIFY_SOCKET", notify.path().string()}, {"WATCHDOG_USEC", "2000000"}};
  auto handle = Poco::Process::launch(PASSERELLE_BINARY, {"serve", "--config", config.string()},
                                      dir.string(), nullptr, nullptr, nullptr, env);
  const int pid = static_cast<int>(handle.id());

  const auto ready = notify.waitFor("READY=1", 30);
  ASSERT_NE(ready, "") << "no READY=1";
  EXPECT_NE(ready.find("STATUS=serving, policy "), std::string::npos) << ready;
  // Ready means serving: the API answers at once.
  const HttpsClient probe(port, clientContext(dir / "ca.pem"));
  EXPECT_EQ(probe.request("GET", "/healthz").status, 200);

  // WatchdogSec=2 s: a keep-alive every second, two within 3 s.
  const auto first = steady_clock::now();
  ASSERT_NE(notify.waitFor("WATCHDOG=1", 3), "");
  ASSERT_NE(notify.waitFor("WATCHDOG=1", 3), "");
  EXPECT_LT(steady_clock::now() - first, std::chrono::milliseconds(2900));

  ::kill(pid, SIGHUP);
  EXPECT_NE(notify.waitFor("RELOADING=1", 10), "") << "no RELOADING=1 on SIGHUP";
  EXPECT_NE(notify.waitFor("READY=1", 10), "") << "not ready again after the reload";

  ::kill(pid, SIGTERM);
  EXPECT_NE(notify.waitFor("STOPPING=1", 10), "") << "no STOPPING=1 on SIGTERM";
  EXPECT_EQ(handle.wait(), 0);
}

}  // namespace
}  // namespace passerelle::testing
