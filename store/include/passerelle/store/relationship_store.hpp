#pragma once

#include <string>
#include <vector>

#include "passerelle/core/relationship.hpp"

namespace passerelle::store {

// Persistence of partner-person relationships. Records are never deleted. Safe for concurrent
// use from request threads.
class RelationshipStore {
 public:
  virtual ~RelationshipStore() = default;

  // Records a relationship; its dossier must exist (not_found otherwise).
  virtual void addRelationship(const core::Relationship& relationship) = 0;

  // Every relationship of the dossier, ended ones included, oldest first.
  virtual std::vector<core::Relationship> relationships(const core::DossierId& dossier) const = 0;

  // Sets ended_at on a relationship of this dossier that is not ended yet; false if there is
  // none with that id.
  virtual bool endRelationship(const core::DossierId& dossier, const std::string& id,
                               const core::UtcTime& at) = 0;
};

}  // namespace passerelle::store
