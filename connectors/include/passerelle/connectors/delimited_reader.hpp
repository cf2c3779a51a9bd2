#pragma once

#include <cstddef>
#include <istream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "passerelle/core/domain_error.hpp"

namespace passerelle::connectors {

// A partner file that cannot be read further; the message says where (line) and why.
class FileFormatError : public core::DomainError {
 public:
  explicit FileFormatError(const std::string& message)
      : core::DomainError(core::ErrorKind::unusable_file, message) {}
};

// One record of a delimited file: where it starts, and its fields as written (trimmed; the
// literal NULL and empty fields are absent).
struct DelimitedRow {
  std::size_t line = 0;
  std::vector<std::optional<std::string>> fields;
};

// Reads a delimited text file (France Travail extracts: `;`, header first), one record at a
// time in constant memory: fields may be quoted ("..." with "" for a quote, separators and line
// breaks inside), LF or CRLF line ends, a UTF-8 byte order mark is skipped. Throws
// FileFormatError for a quote left open at the end of the file.
class DelimitedReader {
 public:
  DelimitedReader(std::istream& in, char separator);

  // The next record, or nothing at the end. Blank lines are skipped.
  std::optional<DelimitedRow> next();

 private:
  std::istream& in_;
  char separator_;
  std::size_t line_ = 0;  // lines consumed so far
  bool started_ = false;
};

// The positions of named columns in a header, whatever their order: a demanding reader of
// partner files tolerates reordered and extra columns, and says which expected ones are missing.
class ColumnMap {
 public:
  // Throws FileFormatError naming every column of `required` the header lacks.
  ColumnMap(const DelimitedRow& header, const std::vector<std::string>& required);

  // The field of `column` in `row` (absent if NULL, empty, or the row is short).
  std::optional<std::string> get(const DelimitedRow& row, const std::string& column) const;
  // Header columns nobody asked for (reported, not an error).
  const std::vector<std::string>& extra() const { return extra_; }

 private:
  std::map<std::string, std::size_t> index_;
  std::vector<std::string> extra_;
};

// Whether `text` is well-formed UTF-8 (no overlong forms, no surrogates).
bool isUtf8(const std::string& text);

}  // namespace passerelle::connectors
