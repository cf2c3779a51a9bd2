#pragma once

#include <memory>

#include "passerelle/dossiers/caller.hpp"
#include "passerelle/dossiers/policy_holder.hpp"
#include "passerelle/policies/engine.hpp"
#include "passerelle/store/consent_store.hpp"
#include "passerelle/store/relationship_store.hpp"

namespace passerelle::dossiers {

// Gathers what a decision needs about one dossier (the caller's relationship with the person,
// the consents on record) and asks the policy engine. Safe to share across request threads.
class AccessGuard {
 public:
  AccessGuard(const PolicyHolder& policies, const schemas::FieldCatalogue& catalogue,
              const store::RelationshipStore& relationships, const store::ConsentStore& consents)
      : policies_(policies),
        catalogue_(catalogue),
        relationships_(relationships),
        consents_(consents) {}

  // Whether some rule gives the caller's kind `access` for its purpose.
  bool grants(const Caller& caller, policies::Access access) const;
  // Throws DomainError(forbidden) if no rule gives the caller's kind `access` for its purpose:
  // checked before the dossier is looked at, so that the answer reveals nothing about it.
  void requireCapability(const Caller& caller, policies::Access access) const;

  // Whether the policy grants the partner's kind the capability (policies::Capability).
  bool may(const policies::Partner& partner, policies::Capability capability) const {
    return policies_.current()->may(partner.kind, capability);
  }
  // Throws DomainError(forbidden) unless it does; `what` names what was asked, for the message.
  void require(const policies::Partner& partner, policies::Capability capability,
               const std::string& what) const;

  // Whether the caller has an active relationship with the dossier's person.
  bool related(const Caller& caller, const core::DossierId& id, const core::UtcTime& now) const;

  // Throws DomainError(not_found) when the caller may not learn that the dossier exists (its
  // kind needs a relationship and it has none). Cheaper than decide(): no consents, no fields.
  void requireVisible(const Caller& caller, const core::DossierId& id,
                      const core::UtcTime& now) const;

  // The field-by-field decision. Throws DomainError(not_found) when the caller may not learn
  // that the dossier exists (its kind needs a relationship and it has none). `attaching`: the
  // caller, if its kind is a source, is attached to the dossier in the same transaction as what
  // is decided (it matched the person on its own identifiers), so it counts as related.
  policies::Decision decide(const Caller& caller, const core::DossierId& id,
                            policies::Access access, const core::UtcTime& now,
                            bool attaching = false) const;

  // As decide(), under `policy` rather than the one in force now: for the persons of one run
  // (an export's survey-contact file), all under the policy in force when the run started.
  policies::Decision decideUnder(const policies::PolicySet& policy, const Caller& caller,
                                 const core::DossierId& id, policies::Access access,
                                 const core::UtcTime& now) const;

  // The decision for a dossier being created or matched by a source (no dossier to look at yet).
  policies::Decision decideNew(const Caller& caller, policies::Access access,
                               const core::UtcTime& now) const;

  std::shared_ptr<const policies::PolicySet> policy() const { return policies_.current(); }
  const schemas::FieldCatalogue& catalogue() const { return catalogue_; }

 private:
  // `attaching_source`: a source attached in the same transaction counts as related.
  policies::Decision decideFor(const policies::PolicySet& policy, const Caller& caller,
                               const core::DossierId& id, policies::Access access,
                               const core::UtcTime& now, bool attaching_source) const;

  const PolicyHolder& policies_;
  const schemas::FieldCatalogue& catalogue_;
  const store::RelationshipStore& relationships_;
  const store::ConsentStore& consents_;
};

// Throws DomainError(forbidden) listing `fields` as the fields refused, with their reasons.
[[noreturn]] void refuseFields(const std::string& message,
                               const std::vector<policies::WithheldField>& fields);

}  // namespace passerelle::dossiers
