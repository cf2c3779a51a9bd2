#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>

namespace passerelle::schemas {

// Bounds on untrusted JSON, so that no input can exhaust the stack of the recursive code that
// later walks it (validation, serialisation).
struct JsonLimits {
  std::size_t max_depth = 32;
  std::size_t max_string_bytes = 16 * 1024;
};

// Parses untrusted JSON text. Throws core::DomainError(invalid_input) with a message that says
// where the text is broken (byte offset) or which limit it exceeds; never echoes the content.
nlohmann::json parseUntrustedJson(std::string_view text, const JsonLimits& limits = {});

}  // namespace passerelle::schemas
