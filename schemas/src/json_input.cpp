#include "passerelle/schemas/json_input.hpp"

#include <string>

#include "passerelle/core/domain_error.hpp"

namespace passerelle::schemas {

namespace {
struct LimitExceeded {
  std::string message;
};
}  // namespace

nlohmann::json parseUntrustedJson(std::string_view text, const JsonLimits& limits) {
  using nlohmann::json;
  const json::parser_callback_t guard = [&limits](int depth, json::parse_event_t event,
                                                  json& parsed) {
    if (static_cast<std::size_t>(depth) > limits.max_depth)
      throw LimitExceeded{"JSON nesting is deeper than " + std::to_string(limits.max_depth)};
    if ((event == json::parse_event_t::value || event == json::parse_event_t::key) &&
        parsed.is_string() && parsed.get_ref<const std::string&>().size() > limits.max_string_bytes)
      throw LimitExceeded{"a JSON string is longer than " +
                          std::to_string(limits.max_string_bytes) + " bytes"};
    return true;
  };
  try {
    return json::parse(text.begin(), text.end(), guard);
  } catch (const LimitExceeded& e) {
    throw core::DomainError(core::ErrorKind::invalid_input, e.message);
  } catch (const json::parse_error& e) {
    throw core::DomainError(core::ErrorKind::invalid_input,
                            "malformed JSON at byte " + std::to_string(e.byte));
  } catch (const json::out_of_range&) {
    // 1e400: no double holds it (the library's message would quote the number).
    throw core::DomainError(core::ErrorKind::invalid_input,
                            "a JSON number is too large to be represented");
  }
}

}  // namespace passerelle::schemas
