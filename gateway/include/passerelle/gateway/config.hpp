#pragma once

#include <filesystem>
#include <optional>

#include "passerelle/gateway/server.hpp"

namespace passerelle::gateway {

// Everything `passerelle serve` needs, read from a JSON configuration file. Relative paths in
// the file are relative to the file's own directory.
struct GatewayConfig {
  ServerOptions server;
  std::filesystem::path partners_file;
  // The master key file; when absent, the key is read from PASSERELLE_MASTER_KEY (64 hex digits).
  std::optional<std::filesystem::path> master_key_file;
  std::filesystem::path sqlite_file;
  // The sharing policy directory (policy.json and one file per partner kind); when absent, the
  // default policy built into the binary.
  std::optional<std::filesystem::path> policies_dir;
};

// Reads a configuration file. Throws std::runtime_error naming the file and the offending key
// (unknown keys are refused: a misspelt limit must not be silently ignored).
GatewayConfig loadConfig(const std::filesystem::path& path);

}  // namespace passerelle::gateway
