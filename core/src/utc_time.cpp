#include "passerelle/core/utc_time.hpp"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/DateTimeParser.h>
#include <Poco/Timestamp.h>

#include <algorithm>
#include <cstdio>
#include <regex>

namespace passerelle::core {

namespace {
constexpr const char* kFormat = "%Y-%m-%dT%H:%M:%S.%iZ";
}

UtcTime nowUtc() {
  return Poco::DateTimeFormatter::format(Poco::Timestamp(), kFormat);
}

UtcTime utcIn(long long milliseconds) {
  Poco::Timestamp at;
  at += static_cast<Poco::Timestamp::TimeDiff>(milliseconds) * 1000;
  return Poco::DateTimeFormatter::format(at, kFormat);
}

std::optional<UtcTime> parseUtc(std::string_view text) {
  static const std::regex date_only("^[0-9]{4}-[0-9]{2}-[0-9]{2}$");
  static const std::regex date_time(
      "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{"
      "2})$");
  std::string s(text);
  const bool is_date = std::regex_match(s, date_only);
  if (!is_date && !std::regex_match(s, date_time)) return std::nullopt;
  if (is_date) s += "T00:00:00Z";
  Poco::DateTime parsed;
  int zone = 0;
  if (!Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::ISO8601_FRAC_FORMAT, s, parsed, zone))
    return std::nullopt;
  // Poco accepts out-of-range fields (month 13) by normalising them; refuse instead.
  if (Poco::DateTimeFormatter::format(parsed, "%Y-%m-%d") != s.substr(0, 10)) return std::nullopt;
  parsed.makeUTC(zone);
  return Poco::DateTimeFormatter::format(parsed, kFormat);
}

double secondsSince(const UtcTime& time) {
  Poco::DateTime parsed;
  int zone = 0;
  if (!Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::ISO8601_FRAC_FORMAT, time, parsed,
                                      zone))
    return 0;
  parsed.makeUTC(zone);
  return static_cast<double>(Poco::Timestamp() - parsed.timestamp()) / 1e6;
}

bool isCalendarDate(std::string_view text) {
  return text.size() == 10 && parseUtc(text).has_value();
}

UtcTime monthsBefore(const UtcTime& time, int months) {
  int year = std::stoi(time.substr(0, 4));
  int month = std::stoi(time.substr(5, 2)) - months;
  year += (month - 1 >= 0 ? (month - 1) / 12 : (month - 12) / 12);
  month = ((month - 1) % 12 + 12) % 12 + 1;
  const int day = std::min(std::stoi(time.substr(8, 2)), Poco::DateTime::daysOfMonth(year, month));
  char date[11];
  std::snprintf(date, sizeof date, "%04d-%02d-%02d", year, month, day);
  return date + time.substr(10);
}

}  // namespace passerelle::core
