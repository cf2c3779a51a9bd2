#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace passerelle::gateway {

// Where the Prometheus scrape endpoint listens: plain HTTP, meant for the loopback interface or
// a monitoring network (docs/operations.md, "Metrics").
struct MetricsListen {
  std::string host = "127.0.0.1";
  std::uint16_t port = 9464;  // 0 picks a free port (tests)
};

// Serves GET /metrics: core::metrics::registry() in the Prometheus text format, on its own
// socket and threads, so that a scraper never waits behind the API's connection limits and
// the API's clients never reach it. Answers nothing but that page. start() and stop() from one
// controlling thread.
class MetricsServer {
 public:
  explicit MetricsServer(MetricsListen listen);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Binds and serves; throws core::DomainError(configuration) if the address is unusable.
  void start();
  // Idempotent.
  void stop();
  std::uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace passerelle::gateway
