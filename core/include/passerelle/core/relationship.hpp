#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "passerelle/core/ids.hpp"
#include "passerelle/core/utc_time.hpp"

namespace passerelle::core {

// Why a partner is attached (rattaché) to a person (DESIGN §4.2).
enum class RelationshipOrigin {
  source,       // the partner pushed the dossier (CAF, MSA, France Travail)
  orientation,  // an orientation decision names it as structure référente
  departement,  // the Département attached it explicitly
};

std::optional<RelationshipOrigin> parseRelationshipOrigin(std::string_view name);
std::string_view toString(RelationshipOrigin origin);

// One attachment of a partner to a dossier, with its period. Records are never deleted: ending
// a relationship sets `ended_at`.
struct Relationship {
  std::string id;
  DossierId dossier;
  PartnerId partner;
  RelationshipOrigin origin;
  UtcTime starts_at;
  std::optional<UtcTime> ends_at;   // planned end, if any
  std::optional<UtcTime> ended_at;  // when it was ended (handover, Département decision)
  PartnerId created_by;
  std::string reason;

  // Whether the relationship lets its partner in at `now`.
  bool activeAt(const UtcTime& now) const {
    return starts_at <= now && (!ends_at || now < *ends_at) && (!ended_at || now < *ended_at);
  }
};

}  // namespace passerelle::core
