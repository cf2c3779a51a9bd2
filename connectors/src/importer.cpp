#include "passerelle/connectors/importer.hpp"

#include "import_formats.hpp"
#include "passerelle/core/enum_names.hpp"

namespace passerelle::connectors {

namespace {

// Thrown by the sink through the format's reader when the store cannot be written: the import
// ends there rather than turning every record after a full disk into a rejection.
struct StoreStopped {
  ImportStop stop;
};

constexpr core::EnumNames<ImportFormat, 3> kNames({{
    {ImportFormat::caf_rsa_xml, "caf-rsa-xml"},
    {ImportFormat::france_travail_csv, "france-travail-csv"},
    {ImportFormat::ndjson, "ndjson"},
}});
}  // namespace

std::optional<ImportFormat> parseImportFormat(std::string_view name) {
  return kNames.parse(name);
}
std::string_view toString(ImportFormat format) {
  return kNames.name(format);
}

ImportReport runImport(ImportFormat format, const std::filesystem::path& file,
                       dossiers::DossierService& dossiers, const dossiers::Caller& caller,
                       const std::string& source, const ImportObserver& observe,
                       const ImportOptions& options) {
  const bool dry_run = options.dry_run;
  const auto started = std::chrono::steady_clock::now();
  ImportReport report;
  report.format = std::string(toString(format));
  report.dry_run = dry_run;
  const detail::PersonSink sink = [&](const ImportPosition& position,
                                      const dossiers::ImportPerson& person) {
    if (dry_run) return;
    try {
      nlohmann::json where = {{"record", position.record}, {"line", position.line}};
      if (position.person) where["person"] = *position.person;
      const auto outcome = dossiers.importPerson(caller, person, source, where.dump());
      report.count(position, outcome);
      observe(outcome);
    } catch (const core::DomainError& e) {
      // The log refusing an entry ends the import (nothing is stored unaudited), and so does the
      // store failing (what follows would fail too; the report says where it stopped). A
      // refusal of this record does not.
      if (e.kind() == core::ErrorKind::audit_unavailable) throw;
      if (e.kind() == core::ErrorKind::unavailable) throw StoreStopped{{position, e.what()}};
      report.reject(position, e);  // no dossier designated: nothing to record against a person
    }
  };
  try {
    switch (format) {
      case ImportFormat::caf_rsa_xml:
        detail::importCafFlux(file, options.accept_count_mismatch, report, sink);
        break;
      case ImportFormat::france_travail_csv:
        detail::importFranceTravail(file, report, sink);
        break;
      case ImportFormat::ndjson:
        detail::importNdjson(file, report, sink);
        break;
    }
  } catch (StoreStopped& s) {
    report.stopped = std::move(s.stop);
  }
  report.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  return report;
}

}  // namespace passerelle::connectors
