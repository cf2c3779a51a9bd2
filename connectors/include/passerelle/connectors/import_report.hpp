#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/dossiers/dossier_service.hpp"

namespace passerelle::connectors {

// Where a record sits in a partner file: its number (household, row or line, 1-based), the
// line it starts on, and the member of the household when the file groups persons.
struct ImportPosition {
  std::size_t record = 0;
  std::size_t line = 0;
  std::optional<std::size_t> person;
};

// A record (or one person of it) the import could not take, and why, fields named. The reason
// may quote the partner's own values: it is for the partner, never for the application log.
struct ImportRejection {
  ImportPosition position;
  std::string reason;
  std::vector<core::FieldError> fields;
  std::map<std::string, std::string> members;  // the reconciliation case opened, if one was
};

// Where an import ended before the file's end, and why: the store could not be written (full
// disk, I/O error). That record and the ones after it were not taken; importing the same file
// again is safe, since matching finds what was stored.
struct ImportStop {
  ImportPosition position;
  std::string reason;
};

// What an import did, as the partner reads it back (POST /v1/imports, passerelle import).
struct ImportReport {
  // Rejections listed in full; past this, only counted (a report stays readable and bounded
  // whatever the file).
  static constexpr std::size_t kListedRejections = 1000;

  std::string format;
  bool dry_run = false;       // read and checked only: nothing matched or written
  std::size_t records = 0;    // households, rows or lines read
  std::size_t persons = 0;    // persons in them
  std::size_t created = 0;    // dossiers created
  std::size_t matched = 0;    // existing dossiers found (then updated, unchanged or refused)
  std::size_t updated = 0;    // matched, and at least one section changed
  std::size_t unchanged = 0;  // matched, and nothing new
  std::size_t rejected = 0;   // records or persons not taken
  std::vector<ImportRejection> rejections;            // the first kListedRejections
  std::map<std::string, std::size_t> ignored;         // elements left out by minimisation
  std::vector<std::string> warnings;                  // e.g. columns nobody reads
  nlohmann::json details = nlohmann::json::object();  // format-specific (the flux header...)
  std::chrono::milliseconds duration{0};
  std::optional<ImportStop> stopped;  // set when the import ended before the file's end

  void reject(ImportPosition position, std::string reason,
              std::vector<core::FieldError> fields = {});
  void reject(ImportPosition position, const core::DomainError& error);
  // Counts a person the import designated a dossier for (refusals included).
  void count(ImportPosition position, const dossiers::ImportOutcome& outcome);

  nlohmann::json toJson() const;
};

}  // namespace passerelle::connectors
