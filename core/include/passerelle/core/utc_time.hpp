#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace passerelle::core {

// Instants are UTC strings "YYYY-MM-DDTHH:MM:SS.mmmZ": one fixed width, so that comparing two
// strings compares the instants.
using UtcTime = std::string;

UtcTime nowUtc();
// Now plus `milliseconds` (a retry's due time).
UtcTime utcIn(long long milliseconds);

// Reads "YYYY-MM-DD" (midnight UTC) or an ISO 8601 date-time with a zone ("...Z", "+02:00")
// into the canonical form; nothing if the text is not such a date.
std::optional<UtcTime> parseUtc(std::string_view text);

// Seconds from `time` (canonical form) to now; negative if it is in the future.
double secondsSince(const UtcTime& time);

// Whether `text` is exactly a calendar date "YYYY-MM-DD" (2026-02-30 is not).
bool isCalendarDate(std::string_view text);

// The same instant `months` calendar months earlier (the month's last day when the day does not
// exist in it: 2026-03-31 minus one month is 2026-02-28).
UtcTime monthsBefore(const UtcTime& time, int months);

}  // namespace passerelle::core
