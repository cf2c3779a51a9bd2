#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace passerelle::core {

// Instants are UTC strings "YYYY-MM-DDTHH:MM:SS.mmmZ": one fixed width, so that comparing two
// strings compares the instants.
using UtcTime = std::string;

UtcTime nowUtc();

// Reads "YYYY-MM-DD" (midnight UTC) or an ISO 8601 date-time with a zone ("...Z", "+02:00")
// into the canonical form; nothing if the text is not such a date.
std::optional<UtcTime> parseUtc(std::string_view text);

}  // namespace passerelle::core
