#include "passerelle/connectors/delimited_reader.hpp"

#include <cstdint>
#include <set>

namespace passerelle::connectors {

namespace {

std::optional<std::string> cleaned(std::string field) {
  const auto first = field.find_first_not_of(" \t");
  if (first == std::string::npos) return std::nullopt;
  const auto last = field.find_last_not_of(" \t");
  field = field.substr(first, last - first + 1);
  if (field == "NULL") return std::nullopt;
  return field;
}

}  // namespace

DelimitedReader::DelimitedReader(std::istream& in, char separator)
    : in_(in), separator_(separator) {}

std::optional<DelimitedRow> DelimitedReader::next() {
  std::string physical;
  while (true) {
    if (!std::getline(in_, physical)) return std::nullopt;
    ++line_;
    if (!started_) {
      started_ = true;
      if (physical.rfind("\xEF\xBB\xBF", 0) == 0) physical.erase(0, 3);
    }
    if (!physical.empty() && physical.back() == '\r') physical.pop_back();
    if (physical.find_first_not_of(" \t") != std::string::npos) break;
  }
  DelimitedRow row;
  row.line = line_;
  std::string field;
  bool quoted = false;      // inside a quoted field
  bool was_quoted = false;  // the field was quoted (then NULL is text, not absence)
  std::size_t i = 0;
  while (true) {
    if (i == physical.size()) {
      if (!quoted) break;
      // A line break inside quotes belongs to the field.
      if (!std::getline(in_, physical))
        throw FileFormatError("line " + std::to_string(row.line) +
                              ": a quoted field is still open at the end of the file");
      ++line_;
      if (!physical.empty() && physical.back() == '\r') physical.pop_back();
      field += '\n';
      i = 0;
      continue;
    }
    const char c = physical[i++];
    if (quoted) {
      if (c == '"' && i < physical.size() && physical[i] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"' && field.find_first_not_of(" \t") == std::string::npos) {
      quoted = was_quoted = true;
      field.clear();
    } else if (c == separator_) {
      row.fields.push_back(was_quoted ? std::optional<std::string>(field) : cleaned(field));
      field.clear();
      was_quoted = false;
    } else {
      field += c;
    }
  }
  row.fields.push_back(was_quoted ? std::optional<std::string>(field) : cleaned(field));
  return row;
}

ColumnMap::ColumnMap(const DelimitedRow& header, const std::vector<std::string>& required) {
  for (std::size_t i = 0; i < header.fields.size(); ++i)
    if (header.fields[i]) index_.emplace(*header.fields[i], i);
  std::vector<std::string> missing;
  for (const auto& column : required)
    if (index_.count(column) == 0) missing.push_back(column);
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    throw FileFormatError("line " + std::to_string(header.line) +
                          ": the header lacks the column(s) " + list);
  }
  const std::set<std::string> wanted(required.begin(), required.end());
  for (const auto& [name, position] : index_)
    if (wanted.count(name) == 0) extra_.push_back(name);
}

std::optional<std::string> ColumnMap::get(const DelimitedRow& row,
                                          const std::string& column) const {
  const auto it = index_.find(column);
  if (it == index_.end() || it->second >= row.fields.size()) return std::nullopt;
  return row.fields[it->second];
}

bool isUtf8(const std::string& text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned char c = s[i];
    std::size_t length = 0;
    std::uint32_t code = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      length = 2;
      code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3;
      code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4;
      code = c & 0x07;
    } else {
      return false;
    }
    if (i + length > n) return false;
    for (std::size_t k = 1; k < length; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      code = (code << 6) | (s[i + k] & 0x3F);
    }
    const std::uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < smallest[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
      return false;
    i += length;
  }
  return true;
}

}  // namespace passerelle::connectors
