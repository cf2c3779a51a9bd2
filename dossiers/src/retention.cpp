#include "passerelle/dossiers/retention.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace passerelle::dossiers {

std::vector<DueErasure> dueForErasure(const store::DossierStore& store, const RetentionRule& rule,
                                      const core::UtcTime& now) {
  const auto cutoff = core::monthsBefore(now, rule.months);
  std::vector<DueErasure> due;
  for (const auto& w : store.lastWrites()) {
    if (w.written_at >= cutoff) continue;  // a recent write is activity enough
    DueErasure d{w.id, w.written_at, "derniere_ecriture"};
    // The exit date is inside the encrypted pathway section: read only for the candidates.
    if (const auto parcours = store.currentSection(w.id, core::Section::parcours)) {
      const auto doc = nlohmann::json::parse(parcours->content);
      if (doc.contains("date_sortie") && doc["date_sortie"].is_string())
        if (const auto exit = core::parseUtc(doc["date_sortie"].get<std::string>());
            exit && *exit > d.last_activity) {
          d.last_activity = *exit;
          d.basis = "date_sortie";
        }
    }
    if (d.last_activity < cutoff) due.push_back(std::move(d));
  }
  std::sort(due.begin(), due.end(),
            [](const auto& a, const auto& b) { return a.last_activity < b.last_activity; });
  return due;
}

std::string retentionReason(const RetentionRule& rule) {
  return "fin de la durée de conservation (" + std::to_string(rule.months) +
         " mois après la dernière activité du parcours)";
}

}  // namespace passerelle::dossiers
