#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "passerelle/core/consent.hpp"
#include "passerelle/core/ids.hpp"
#include "passerelle/core/utc_time.hpp"
#include "passerelle/policies/field_decisions.hpp"
#include "passerelle/policies/policy_set.hpp"

namespace passerelle::policies {

// Who asks, for what: the inputs of a decision that do not depend on the dossier's content.
struct AccessSubject {
  core::PartnerId partner;
  core::PartnerKind kind;
  core::Purpose purpose;
  Access access;
  bool related = false;  // an active relationship links the partner to the person
};

// One line of the decision trace: a rule and the fields it granted here.
struct TraceEntry {
  std::string rule_id;
  std::optional<std::string> consent_id;
  std::vector<std::string> fields;
};

// The decision for every catalogue field. Value type; refers to the policy and catalogue it was
// built from.
struct Decision {
  std::string policy_version;
  AccessSubject subject;
  bool dossier_visible = false;  // false: the partner must not learn the dossier exists
  FieldDecisions fields;         // every catalogue field, by path

  bool allows(std::string_view catalogue_path) const;
  std::vector<TraceEntry> trace() const;
};

// The consents that are in force at `now`: given, started, not expired, not withdrawn.
std::vector<core::ConsentRecord> consentsInForce(const std::vector<core::ConsentRecord>& records,
                                                 const core::UtcTime& now);

// Decides, field by field, what `subject` may do. Pure: no I/O, no clock (`now` is given).
// Default deny: a field no rule grants is refused.
Decision decide(const PolicySet& policy, const schemas::FieldCatalogue& catalogue,
                const AccessSubject& subject, const std::vector<core::ConsentRecord>& consents,
                const core::UtcTime& now);

// A field withheld from a read, by catalogue path (never its value).
struct WithheldField {
  std::string path;
  WithholdReason reason;
};

struct FilteredDossier {
  nlohmann::json sections;  // section name -> document with only the allowed fields
  std::vector<WithheldField> withheld;
  std::vector<std::string> disclosed;  // catalogue paths of the fields kept, sorted, once each
};

// The catalogue path of each leaf present in a section document (arrays of objects give "*").
std::vector<std::string> presentFields(const schemas::FieldCatalogue& catalogue,
                                       core::Section section, const nlohmann::json& document);

// Keeps what the decision allows of `sections` (section name -> document) and lists the rest.
// Sections left empty are dropped; every present field is either kept or listed, never both.
// Takes the documents by value: a caller done with them moves them in and nothing is copied.
FilteredDossier filterDossier(const Decision& decision, const schemas::FieldCatalogue& catalogue,
                              nlohmann::json sections);

// The catalogue paths present in `document` that the (write) decision does not allow.
std::vector<WithheldField> forbiddenFields(const Decision& decision,
                                           const schemas::FieldCatalogue& catalogue,
                                           core::Section section, const nlohmann::json& document);

// `submitted` completed with the fields of `current` the writer may not write, so that a
// partner replacing a section never erases what it is not allowed to touch.
nlohmann::json preserveUnwritable(const Decision& decision,
                                  const schemas::FieldCatalogue& catalogue, core::Section section,
                                  const nlohmann::json& submitted, const nlohmann::json& current);

}  // namespace passerelle::policies
