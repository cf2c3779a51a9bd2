#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace passerelle::connectors {

// Writes RFC 4180 CSV (UTF-8, CRLF line ends, fields quoted when they hold a comma, a quote or
// a line break) to a sink, one row at a time: constant memory. JSON values become text: null
// empty, strings as textField() makes them safe, numbers and booleans as they are, arrays and
// objects as compact JSON.
class CsvWriter {
 public:
  using Sink = std::function<void(std::string_view)>;
  CsvWriter(Sink sink, std::vector<std::string> columns);

  // Writes the row's values for the header's columns, in the header's order (missing = empty).
  void writeRow(const nlohmann::ordered_json& row);

  // One field as RFC 4180 wants it.
  static std::string field(std::string_view text);
  // A text field a spreadsheet will not evaluate (CSV injection): text starting with =, +, -,
  // @, a tab or a carriage return gets a leading apostrophe, which spreadsheets show as text
  // ("+33 6 …" stays readable as '+33 6 …); then field().
  static std::string textField(std::string_view text);

 private:
  Sink sink_;
  std::vector<std::string> columns_;
};

}  // namespace passerelle::connectors
