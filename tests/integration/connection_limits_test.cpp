// One misbehaving client must not keep the gateway from serving the others (issue 21, §3): caps
// on connections per client address and in all, refused at once, and deadlines on each phase of
// a connection that are totals, not per read. Abusive clients connect from other loopback
// addresses (127.0.0.2...) than the well-behaved one (127.0.0.1), as they would from another
// machine.
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <utility>

#include "test_gateway.hpp"

namespace passerelle::testing {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

class ConnectionLimitsTest : public ::testing::Test {
 protected:
  static void tighten(gateway::GatewayConfig& config) {
    auto& l = config.server.limits;
    l.request_timeout_seconds = 30;  // per read: the deadlines below must act first
    l.handshake_timeout_seconds = 2;
    l.header_timeout_seconds = 2;
    l.body_timeout_seconds = 2;
    l.min_body_bytes_per_second = 1024 * 1024;
    l.keep_alive_timeout_seconds = 1;
    l.max_connections = 200;
    l.max_connections_per_address = 16;
  }

  // A plain TCP connection from `from` to the gateway: no TLS, nothing sent.
  Poco::Net::StreamSocket idleFrom(const std::string& from) const {
    Poco::Net::StreamSocket socket;
    socket.impl()->bind(Poco::Net::SocketAddress(from, 0), true);
    socket.connect(Poco::Net::SocketAddress("127.0.0.1", gw_.port()));
    return socket;
  }

  // A TLS connection from 127.0.0.1, with the partner's certificate if one is named.
  Poco::Net::SecureStreamSocket tls(const std::string& partner = "") const {
    const auto p = gw_.dir() / "partners" / partner;
    const auto context = partner.empty()
                             ? clientContext(gw_.dir() / "ca.pem")
                             : clientContext(gw_.dir() / "ca.pem", p / "cert.pem", p / "key.pem");
    Poco::Net::SecureStreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", gw_.port()),
                                         context);
    socket.setReceiveTimeout(Poco::Timespan(10, 0));
    return socket;
  }

  // Seconds until the server closes `socket` (reads and discards what it sends), at most 10.
  static double secondsUntilClosed(Poco::Net::StreamSocket& socket, std::string* got = nullptr) {
    const auto start = Clock::now();
    socket.setReceiveTimeout(Poco::Timespan(10, 0));
    char buffer[4096];
    try {
      for (int n; (n = socket.receiveBytes(buffer, sizeof buffer)) > 0;)
        if (got != nullptr) got->append(buffer, static_cast<std::size_t>(n));
    } catch (const Poco::Exception&) {
      // reset or timed out: the time tells which
    }
    return secondsSince(start);
  }

  // Sends `byte` every 300 ms (a per-read timeout would never fire) until the server answers or
  // closes; returns the seconds that took (at most 12) and what the server sent. One thread:
  // a TLS session is not to be read and written from two at once.
  static std::pair<double, std::string> trickleUntilClosed(Poco::Net::SecureStreamSocket& socket,
                                                           char byte) {
    const auto start = Clock::now();
    std::string got;
    char buffer[4096];
    try {
      while (secondsSince(start) < 12) {
        if (!socket.poll(Poco::Timespan(0, 300 * 1000), Poco::Net::Socket::SELECT_READ)) {
          socket.sendBytes(&byte, 1);
          continue;
        }
        const int n = socket.receiveBytes(buffer, sizeof buffer);
        if (n <= 0) break;
        got.append(buffer, static_cast<std::size_t>(n));
      }
    } catch (const Poco::Exception&) {
      // reset by the server: the time tells when
    }
    return {secondsSince(start), got};
  }

  // The slowest of `n` /healthz answers to the well-behaved client, in seconds.
  double slowestHealthz(int n) const {
    double slowest = 0;
    for (int i = 0; i < n; ++i) {
      const auto start = Clock::now();
      EXPECT_EQ(gw_.anonymous().request("GET", "/healthz").status, 200);
      slowest = std::max(slowest, secondsSince(start));
    }
    return slowest;
  }

  TestGateway gw_{tighten};
};

TEST_F(ConnectionLimitsTest, IdleSocketsFromOneClientAreCappedAndDoNotStallOthers) {
  // 300 sockets from one address, as the review opened.
  const auto opened = Clock::now();
  std::vector<Poco::Net::StreamSocket> idle;
  for (int i = 0; i < 300; ++i) idle.push_back(idleFrom("127.0.0.2"));
  EXPECT_LT(slowestHealthz(20), 1.0) << "a well-behaved client waited behind idle sockets";

  // The 17th and later were closed at once; the first 16 at the handshake deadline (2 s).
  EXPECT_LT(secondsUntilClosed(idle.back()), 1.0)
      << "over the per-address cap, a connection is closed at once";
  secondsUntilClosed(idle.front());
  const auto idle_for = secondsSince(opened);
  EXPECT_GT(idle_for, 1.5) << "an admitted socket was cut before its handshake deadline";
  EXPECT_LT(idle_for, 4.0) << "an idle socket must be cut at the handshake deadline";
  EXPECT_LT(slowestHealthz(5), 1.0);
}

TEST_F(ConnectionLimitsTest, TheGlobalCapRefusesAtOnceWhateverTheAddress) {
  std::vector<Poco::Net::StreamSocket> idle;
  // 13 addresses of 16: 208 connections, past the cap of 200.
  for (int a = 2; a < 15; ++a)
    for (int i = 0; i < 16; ++i) idle.push_back(idleFrom("127.0.0." + std::to_string(a)));
  EXPECT_LT(secondsUntilClosed(idle.back()), 1.0) << "over the global cap, closed at once";
  // The others are cut at their handshake deadline and the gateway serves again.
  std::this_thread::sleep_for(std::chrono::milliseconds(2600));
  EXPECT_LT(slowestHealthz(5), 1.0);
}

TEST_F(ConnectionLimitsTest, HeadersTrickledByteByByteAreCutAtTheirTotalDeadline) {
  auto socket = tls();
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ";
  socket.sendBytes(request.data(), static_cast<int>(request.size()));
  const auto [closed_after, got] = trickleUntilClosed(socket, 'a');
  EXPECT_LT(closed_after, 4.0) << "slow headers must be cut at the 2 s header deadline";
  EXPECT_GT(closed_after, 1.5) << "cut before their deadline";
  EXPECT_EQ(got.find("200 OK"), std::string::npos) << "a request never completed got served";
}

TEST_F(ConnectionLimitsTest, ABodyShorterThanItsLengthGets408AtTheBodyDeadline) {
  auto socket = tls("departement");
  const std::string head =
      "PUT /v1/dossiers/d" + std::string(26, 'a') +
      "/sections/contact HTTP/1.1\r\nHost: x\r\nX-Purpose: accompagnement\r\n"
      "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"email\":";
  socket.sendBytes(head.data(), static_cast<int>(head.size()));
  const auto [answered_after, got] = trickleUntilClosed(socket, ' ');
  EXPECT_NE(got.find("HTTP/1.1 408"), std::string::npos) << got.substr(0, 200);
  EXPECT_NE(got.find("urn:passerelle:problem:request-timeout"), std::string::npos);
  EXPECT_LT(answered_after, 4.0) << "the body deadline is 2 s in all, not per read";
  EXPECT_GT(answered_after, 1.5) << "cut before its deadline";
}

TEST_F(ConnectionLimitsTest, AnIdleKeepAliveConnectionIsClosedAfterItsTimeout) {
  auto socket = tls();
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  socket.sendBytes(request.data(), static_cast<int>(request.size()));
  char buffer[4096];
  const int n = socket.receiveBytes(buffer, sizeof buffer);
  ASSERT_GT(n, 0);
  EXPECT_NE(std::string(buffer, static_cast<std::size_t>(n)).find("200 OK"), std::string::npos);
  const auto closed_after = secondsUntilClosed(socket);
  EXPECT_LT(closed_after, 3.0) << "the keep-alive timeout is 1 s";
  EXPECT_GT(closed_after, 0.5);
}

TEST_F(ConnectionLimitsTest, AWellBehavedKeepAliveClientIsServedAcrossRequests) {
  auto socket = tls();
  for (int i = 0; i < 5; ++i) {
    const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    socket.sendBytes(request.data(), static_cast<int>(request.size()));
    char buffer[4096];
    const int n = socket.receiveBytes(buffer, sizeof buffer);
    ASSERT_GT(n, 0) << "request " << i;
    EXPECT_NE(std::string(buffer, static_cast<std::size_t>(n)).find("200 OK"), std::string::npos);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // under the keep-alive timeout
  }
}

}  // namespace
}  // namespace passerelle::testing
