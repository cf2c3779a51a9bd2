#pragma once

#include <filesystem>
#include <functional>

#include "passerelle/connectors/import_report.hpp"
#include "passerelle/dossiers/dossier_service.hpp"

namespace passerelle::connectors::detail {

// Takes one person mapped from a file, at its position: writes it and counts it in the report.
using PersonSink = std::function<void(const ImportPosition&, const dossiers::ImportPerson&)>;

// Each reader streams its file, maps records to persons and hands them to `sink`; what it
// cannot map it rejects in `report`; it fills records, persons, ignored and details.
void importCafFlux(const std::filesystem::path& file, bool accept_count_mismatch,
                   ImportReport& report, const PersonSink& sink);
void importNdjson(const std::filesystem::path& file, ImportReport& report, const PersonSink& sink);
void importFranceTravail(const std::filesystem::path& file, ImportReport& report,
                         const PersonSink& sink);

}  // namespace passerelle::connectors::detail
