#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "passerelle/connectors/import_report.hpp"
#include "passerelle/dossiers/caller.hpp"
#include "passerelle/dossiers/dossier_service.hpp"

namespace passerelle::connectors {

// The partner files the gateway imports (docs/imports.md).
enum class ImportFormat {
  caf_rsa_xml,         // CAF/MSA "flux RSA bénéficiaires", monthly or daily
  france_travail_csv,  // France Travail extract: the main file or the actions file
  ndjson,              // one JSON object per line: section name -> fields
};

std::optional<ImportFormat> parseImportFormat(std::string_view name);  // "caf-rsa-xml", ...
std::string_view toString(ImportFormat format);

// Called for every person the import designated a dossier for (created, matched, refused after
// matching), as it happens: the gateway records each in the audit log.
using ImportObserver = std::function<void(const dossiers::ImportOutcome&)>;

// Imports a file through `dossiers` as `caller` (the same policy, validation and matching as
// the API; writes carry `source`). A record that cannot be taken is rejected with its position
// and reason and the others go on. Throws FileFormatError when the file cannot be used at all
// (not well-formed, mis-encoded, truncated, missing columns...): for the CAF flux this is known
// before anything is written.
// How an operator asks for a file to be imported.
struct ImportOptions {
  // Read, check and map the file; match and write nothing (an operator checks a flux first).
  bool dry_run = false;
  // Import a CAF flux whose trailer (NBTOTDOSRSATRANSM) does not count the households it holds,
  // which is refused otherwise; the report says so in `warnings`.
  bool accept_count_mismatch = false;
};

ImportReport runImport(ImportFormat format, const std::filesystem::path& file,
                       dossiers::DossierService& dossiers, const dossiers::Caller& caller,
                       const std::string& source, const ImportObserver& observe,
                       const ImportOptions& options = {});

}  // namespace passerelle::connectors
