// The application log (never personal data: ids, route patterns, statuses): text lines, or one
// JSON object a line for a log collector (`logging.format: json`, docs/operations.md).
#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Formatter.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <Poco/PatternFormatter.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"

namespace passerelle::cli {

namespace {

// {"time", "level", "component", "message"} and, on an access line, "request_id", "route",
// "status", "duration_ms", "partner".
class JsonLineFormatter final : public Poco::Formatter {
 public:
  void format(const Poco::Message& message, std::string& text) override {
    // A Timestamp is UTC: formatted as the text lines' stamp.
    const auto stamp = Poco::DateTimeFormatter::format(message.getTime(), "%Y-%m-%dT%H:%M:%S.%iZ");
    nlohmann::json line = {{"time", stamp},
                           {"level", levelOf(message.getPriority())},
                           {"component", message.getSource()},
                           {"message", message.getText()}};
    for (const char* key : {"request_id", "route", "partner"})
      if (message.has(key)) line[key] = message.get(key);
    if (message.has("status")) line["status"] = std::stoi(message.get("status"));
    if (message.has("duration_ms")) line["duration_ms"] = std::stod(message.get("duration_ms"));
    text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }

 private:
  static const char* levelOf(Poco::Message::Priority priority) {
    switch (priority) {
      case Poco::Message::PRIO_FATAL:
        return "fatal";
      case Poco::Message::PRIO_CRITICAL:
        return "critical";
      case Poco::Message::PRIO_ERROR:
        return "error";
      case Poco::Message::PRIO_WARNING:
        return "warning";
      case Poco::Message::PRIO_NOTICE:
        return "notice";
      case Poco::Message::PRIO_INFORMATION:
        return "info";
      case Poco::Message::PRIO_DEBUG:
        return "debug";
      case Poco::Message::PRIO_TRACE:
        return "trace";
    }
    return "info";
  }
};

void useFormatter(Poco::Formatter* formatter) {
  Poco::AutoPtr<Poco::Formatter> owned(formatter);
  Poco::AutoPtr<Poco::FormattingChannel> channel(
      new Poco::FormattingChannel(owned, new Poco::ConsoleChannel(std::cerr)));
  Poco::Logger::root().setChannel(channel);
  // Loggers made before (each component's) keep the channel they were given: set theirs too.
  std::vector<std::string> names;
  Poco::Logger::names(names);
  for (const auto& name : names) Poco::Logger::get(name).setChannel(channel);
}

}  // namespace

void setUpLogging() {
  // One write(2) per line instead of one per insertion: stderr is unbuffered by default.
  setvbuf(stderr, nullptr, _IOLBF, 1 << 16);
  auto* pattern = new Poco::PatternFormatter("%Y-%m-%dT%H:%M:%S.%iZ %p %s: %t");
  pattern->setProperty("times", "UTC");
  useFormatter(pattern);
  Poco::Logger::root().setLevel("information");
}

void useJsonLogs() {
  useFormatter(new JsonLineFormatter);
}

}  // namespace passerelle::cli
