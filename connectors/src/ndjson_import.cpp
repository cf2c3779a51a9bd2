#include <fstream>

#include "import_formats.hpp"
#include "passerelle/connectors/delimited_reader.hpp"
#include "passerelle/schemas/json_input.hpp"

namespace passerelle::connectors::detail {

namespace {

// A line longer than this is rejected unread (the rest of it skipped): one person's sections
// are a few kilobytes.
constexpr std::size_t kMaxLine = 1 << 20;

// The next line into `line` (without its end), at most kMaxLine bytes kept; false at the end.
// `too_long` tells that bytes were dropped.
bool nextLine(std::istream& in, std::string& line, bool& too_long) {
  line.clear();
  too_long = false;
  auto* buffer = in.rdbuf();
  bool any = false;
  for (int c = buffer->sbumpc(); c != std::char_traits<char>::eof(); c = buffer->sbumpc()) {
    any = true;
    if (c == '\n') return true;
    if (line.size() < kMaxLine)
      line += static_cast<char>(c);
    else
      too_long = true;
  }
  return any;
}

}  // namespace

void importNdjson(const std::filesystem::path& file, ImportReport& report, const PersonSink& sink) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw FileFormatError("cannot open the file");
  std::string line;
  bool too_long = false;
  std::size_t number = 0;
  while (nextLine(in, line, too_long)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    ++report.records;
    const ImportPosition position{report.records, number, std::nullopt};
    if (too_long) {
      report.reject(position, "line longer than 1 MiB");
      continue;
    }
    if (!isUtf8(line)) {
      report.reject(position, "line is not UTF-8");
      continue;
    }
    nlohmann::json record;
    try {
      record = schemas::parseUntrustedJson(line);
    } catch (const core::DomainError& e) {
      report.reject(position, e);
      continue;
    }
    if (!record.is_object()) {
      report.reject(position, "a line is one JSON object: section name -> fields");
      continue;
    }
    ++report.persons;
    dossiers::ImportPerson person;
    person.sections = std::move(record);
    sink(position, person);
  }
}

}  // namespace passerelle::connectors::detail
