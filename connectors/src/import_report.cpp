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

namespace {

json positionOf(const ImportPosition& p) {
  json position = {{"record", p.record}, {"line", p.line}};
  if (p.person) position["person"] = *p.person;
  return position;
}

}  // namespace

json ImportReport::toJson() const {
  json listed = json::array();
  for (const auto& r : rejections) {
    json item = {{"position", positionOf(r.position)}, {"reason", r.reason}};
    for (const auto& [key, value] : r.members) item[key] = value;
    if (!r.fields.empty()) {
      item["fields"] = json::array();
      for (const auto& f : r.fields)
        item["fields"].push_back(
            {{"pointer", f.pointer}, {"rule", f.rule}, {"message", f.message}});
    }
    listed.push_back(std::move(item));
  }
  json out = {{"format", format},
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
  if (stopped)
    out["stopped"] = {{"position", positionOf(stopped->position)}, {"reason", stopped->reason}};
  return out;
}

}  // namespace passerelle::connectors
