#pragma once

#include <filesystem>
#include <optional>

#include "passerelle/app/config.hpp"
#include "passerelle/gateway/metrics_server.hpp"
#include "passerelle/gateway/server.hpp"

namespace passerelle::gateway {

// Everything `passerelle serve` needs, read from a JSON configuration file: the application's
// settings and the HTTPS server's. Relative paths in the file are relative to the file's own
// directory.
struct GatewayConfig : app::AppConfig {
  ServerOptions server;
  // The application log's lines: text (the default) or one JSON object a line
  // (docs/operations.md, "Logs").
  enum class LogFormat { text, json } log_format = LogFormat::text;
  // The Prometheus scrape endpoint's address; none: not served (docs/operations.md).
  std::optional<MetricsListen> metrics;
};

// Reads a configuration file. Throws core::DomainError(configuration) naming the file and the
// offending key (unknown keys are refused: a misspelt limit must not be silently ignored).
GatewayConfig loadConfig(const std::filesystem::path& path);

}  // namespace passerelle::gateway
