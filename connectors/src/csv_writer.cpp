#include "passerelle/connectors/csv_writer.hpp"

namespace passerelle::connectors {

CsvWriter::CsvWriter(Sink sink, std::vector<std::string> columns)
    : sink_(std::move(sink)), columns_(std::move(columns)) {
  std::string header;
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (i > 0) header += ',';
    header += field(columns_[i]);
  }
  sink_(header + "\r\n");
}

std::string CsvWriter::field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string CsvWriter::textField(std::string_view text) {
  if (!text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos) {
    std::string quoted = "'";
    quoted += text;
    return field(quoted);
  }
  return field(text);
}

void CsvWriter::writeRow(const nlohmann::ordered_json& row) {
  std::string line;
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (i) line += ',';
    const auto it = row.find(columns_[i]);
    if (it == row.end() || it->is_null()) continue;
    line += it->is_string() ? textField(it->get<std::string>()) : field(it->dump());
  }
  sink_(line + "\r\n");
}

}  // namespace passerelle::connectors
