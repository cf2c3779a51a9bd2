#pragma once

#include <string>
#include <vector>

#include "passerelle/core/ids.hpp"
#include "passerelle/core/utc_time.hpp"
#include "passerelle/store/dossier_store.hpp"

namespace passerelle::dossiers {

// How long a dossier is kept after the last activity in the pathway (DESIGN §6).
struct RetentionRule {
  int months = 24;
};

// A dossier whose retention has run out.
struct DueErasure {
  core::DossierId id;
  core::UtcTime last_activity;  // the later of its last section write and its pathway exit
  std::string basis;            // "derniere_ecriture" or "date_sortie"
};

// The dossiers whose last activity — the later of the last section write and the exit date of
// the pathway (`parcours.date_sortie`) — is older than `rule.months` before `now`, oldest first.
std::vector<DueErasure> dueForErasure(const store::DossierStore& store, const RetentionRule& rule,
                                      const core::UtcTime& now);

// The reason recorded with a retention erasure.
std::string retentionReason(const RetentionRule& rule);

}  // namespace passerelle::dossiers
