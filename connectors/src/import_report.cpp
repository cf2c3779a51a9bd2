#include "passerelle/connectors/import_report.hpp"

namespace passerelle::connectors {

using nlohmann::json;

void ImportReport::reject(ImportPosition position, std::string reason,
                          std::vector<core::FieldError> fields) {
  ++rejected;
  if (rejections.size() < kListedRejections)
    rejections.push_back({position, std::move(reason), std::move(fields), {}});
}

void ImportReport::reject(ImportPosition position, const core::DomainError& error) {
  const bool listed = rejections.size() < kListedRejections;
  reject(position, error.what(), error.fieldErrors());
  if (listed) rejections.back().members = error.members();
}

void ImportReport::count(ImportPosition position, const dossiers::ImportOutcome& outcome) {
  using dossiers::ImportStatus;
  if (outcome.status == ImportStatus::created) {
    ++created;
    return;
  }
  ++matched;
  switch (outcome.status) {
    case ImportStatus::updated:
      ++updated;
      break;
    case ImportStatus::unchanged:
      ++unchanged;
      break;
    case ImportStatus::refused:
      reject(position, *outcome.refusal);
      break;
    case ImportStatus::created:
      break;
  }
}

json ImportReport::toJson() const {
  json listed = json::array();
  for (const auto& r : rejections) {
    json position = {{"record", r.position.record}, {"line", r.position.line}};
    if (r.position.person) position["person"] = *r.position.person;
    json item = {{"position", position}, {"reason", r.reason}};
    for (const auto& [key, value] : r.members) item[key] = value;
    if (!r.fields.empty()) {
      item["fields"] = json::array();
      for (const auto& f : r.fields)
        item["fields"].push_back(
            {{"pointer", f.pointer}, {"rule", f.rule}, {"message", f.message}});
    }
    listed.push_back(std::move(item));
  }
  return {{"format", format},
          {"dry_run", dry_run},
          {"records", records},
          {"persons", persons},
          {"created", created},
          {"matched", matched},
          {"updated", updated},
          {"unchanged", unchanged},
          {"rejected", rejected},
          {"rejections", listed},
          {"rejections_listed", listed.size()},
          {"ignored", ignored},
          {"warnings", warnings},
          {"details", details},
          {"duration_ms", duration.count()}};
}

}  // namespace passerelle::connectors
