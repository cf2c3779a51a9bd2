// Who a person sent by a partner is: the rules that keep two people from ever becoming one
// dossier, and a partner from attaching itself to someone it does not know.
#include <algorithm>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/dossiers/dossier_service.hpp"
#include "passerelle/dossiers/identifiers.hpp"
#include "passerelle/dossiers/person_match.hpp"

namespace passerelle::dossiers {

using core::DomainError;
using core::ErrorKind;
using core::IdentifierKind;
using nlohmann::json;

namespace {

std::string pointerOf(IdentifierKind kind) {
  return fieldOf(kind).pointer();
}

json sectionOf(const json& sections, const char* name) {
  const auto it = sections.find(name);
  return it != sections.end() && it->is_object() ? *it : json::object();
}

// The identifiers a stored dossier holds, from its current identite and identifiants.
std::vector<core::Identifier> heldBy(const store::DossierStore& store, const core::DossierId& id,
                                     json& identite) {
  std::vector<core::Identifier> out;
  for (auto section : {core::Section::identite, core::Section::identifiants}) {
    const auto current = store.currentSection(id, section);
    if (!current) continue;
    auto doc = json::parse(current->content);
    for (auto& i : identifiersOf(section, doc)) out.push_back(std::move(i));
    if (section == core::Section::identite) identite = std::move(doc);
  }
  return out;
}

}  // namespace

std::optional<DossierService::PersonMatch> DossierService::resolvePerson(
    const Caller& caller, const policies::Decision& decision,
    std::vector<core::Identifier> identifiers, const json& sections, const core::UtcTime& now,
    const std::string& source, const std::string& position) const {
  const auto policy = guard_.policy();
  const auto kind = caller.partner.kind;
  // An identifier the caller may neither match on nor write could only serve to probe whether
  // it is someone's: refused before anything is looked up.
  std::vector<policies::WithheldField> probes;
  for (const auto& identifier : identifiers) {
    if (policy->matchesOn(kind, policies::matchKeyOf(identifier))) continue;
    const auto [section, field] = fieldOf(identifier.kind);
    const auto document = sectionOf(sections, std::string(core::toString(section)).c_str());
    if (!document.contains(field)) continue;
    for (auto& f : policies::forbiddenFields(decision, guard_.catalogue(), section,
                                             json{{field, document[field]}}))
      probes.push_back(std::move(f));
  }
  if (!probes.empty())
    refuseFields(
        "the dossier holds identifiers this partner may neither match a person on nor write",
        probes);

  const json identite = sectionOf(sections, "identite");
  // Strongest identifier first: IdentifierKind is declared in decreasing order of strength.
  std::sort(identifiers.begin(), identifiers.end(),
            [](const auto& a, const auto& b) { return a.kind < b.kind; });
  std::vector<std::pair<const core::Identifier*, core::DossierId>> designated;
  // What the caller is told: the kinds at odds, each with its place in what it sent; and, where
  // dossiers were designated, the reconciliation case the Département will decide.
  const auto atOdds = [&](std::vector<core::FieldError> errors) {
    std::sort(errors.begin(), errors.end(),
              [](const auto& a, const auto& b) { return a.pointer < b.pointer; });
    errors.erase(std::unique(errors.begin(), errors.end(),
                             [](const auto& a, const auto& b) { return a.pointer == b.pointer; }),
                 errors.end());
    DomainError error(ErrorKind::conflict,
                      "the identifiers or the identity sent are at odds with the dossiers they "
                      "designate: nothing was written; the Département reconciles the case",
                      errors);
    if (!designated.empty()) {
      store::ReconciliationCase opened;
      opened.opened_by = caller.partner.id;
      opened.source = source;
      opened.position = position;
      for (const auto& [identifier, id] : designated) {
        if (std::find(opened.dossiers.begin(), opened.dossiers.end(), id) == opened.dossiers.end())
          opened.dossiers.push_back(id);
        opened.contested.emplace_back(identifier->kind, id);
      }
      for (const auto& e : errors) opened.places.push_back(e.pointer);
      opened.carried = identifiers;
      error.with("reconciliation_case", store_.openCase(opened));
    }
    throw error;
  };
  for (const auto& identifier : identifiers) {
    std::optional<core::DossierId> found;
    try {
      found = core::isHouseholdIdentifier(identifier.kind) ? householdMember(identifier, identite)
                                                           : store_.findByIdentifier(identifier);
    } catch (const DomainError& e) {
      if (e.kind() != ErrorKind::conflict) throw;
      // Not a case to reconcile: the partner can tell them apart by the NIR.
      throw DomainError(ErrorKind::conflict, e.what(),
                        {{pointerOf(identifier.kind), "at_odds",
                          "designates two members of the household with this name and birth "
                          "date: give the NIR to tell them apart"}});
    }
    if (found) designated.emplace_back(&identifier, *found);
  }
  if (designated.empty()) return std::nullopt;

  std::vector<core::FieldError> odds;
  const auto& dossier = designated.front().second;
  for (const auto& [identifier, id] : designated)
    if (id != dossier)
      for (const auto& [other, _] : designated)
        odds.push_back({pointerOf(other->kind), "at_odds",
                        "the identifiers sent designate different dossiers"});
  if (!odds.empty()) atOdds(std::move(odds));

  const auto matchable = std::find_if(designated.begin(), designated.end(), [&](const auto& d) {
    return policy->matchesOn(kind, policies::matchKeyOf(*d.first));
  });
  if (matchable == designated.end())
    for (const auto& [identifier, _] : designated)
      odds.push_back({pointerOf(identifier->kind), "at_odds",
                      "designates a dossier that this partner's other identifiers do not"});

  // Nothing the caller sends may contradict the dossier: another NIR, France Travail or
  // Département id where the dossier holds one, another birth date.
  json held_identite;
  const auto held = heldBy(store_, dossier, held_identite);
  for (const auto& identifier : identifiers) {
    if (core::isHouseholdIdentifier(identifier.kind)) continue;  // a person changes household
    const bool contradicted = std::any_of(held.begin(), held.end(), [&](const auto& h) {
      return h.kind == identifier.kind && h.normalised != identifier.normalised;
    });
    if (contradicted)
      odds.push_back({pointerOf(identifier.kind), "at_odds",
                      "the dossier these identifiers designate holds another identifier of this "
                      "kind"});
  }
  const auto birth = identite.value("date_naissance", std::string());
  if (!birth.empty() && held_identite.is_object() &&
      held_identite.value("date_naissance", birth) != birth)
    odds.push_back({"/identite/date_naissance", "at_odds",
                    "the dossier these identifiers designate has another birth date"});

  // Matching attaches a partner that sees only the people it accompanies: it must show that it
  // knows the person, not only one of their numbers.
  const bool attaches = policy->requiresRelationship(kind) && !guard_.related(caller, dossier, now);
  if (attaches && odds.empty()) {
    if (identite.empty()) return std::nullopt;  // answered as nobody: no identity, no match
    if (!samePerson(identite, held_identite))
      odds.push_back({"/identite", "at_odds",
                      "the identity sent (names, first given name, birth date) is not the "
                      "dossier's"});
  }
  if (!odds.empty()) atOdds(std::move(odds));
  return PersonMatch{dossier, matchable->first->kind};
}

std::optional<core::DossierId> DossierService::householdMember(const core::Identifier& household,
                                                               const json& identite) const {
  std::optional<core::DossierId> member;
  const auto nir = identifiersOf(core::Section::identite, identite);
  for (const auto& id : store_.dossiersWithIdentifier(household)) {
    const auto current = store_.currentSection(id, core::Section::identite);
    if (!current) continue;
    const auto theirs = json::parse(current->content);
    if (!samePerson(identite, theirs)) continue;
    // Twins given the same first name: their NIRs tell them apart.
    const auto their_nir = identifiersOf(core::Section::identite, theirs);
    if (!nir.empty() && !their_nir.empty() && nir != their_nir) continue;
    if (member)
      throw DomainError(ErrorKind::conflict,
                        "two dossiers of the household have this name and birth date: give the "
                        "NIR to tell them apart");
    member = id;
  }
  return member;
}

void DossierService::keepCivilIdentity(const json& current, const json& merged,
                                       const std::string& pointer_prefix) {
  std::vector<core::FieldError> errors;
  for (const char* field : {"nir", "date_naissance"}) {
    const auto before = current.find(field);
    if (before == current.end()) continue;  // a first NIR may be given
    const auto after = merged.find(field);
    if (after != merged.end() && *after == *before) continue;
    // The NIR is compared normalised: 13 or 15 characters, spaces aside.
    if (std::string(field) == "nir" && after != merged.end() &&
        identifiersOf(core::Section::identite, current) ==
            identifiersOf(core::Section::identite, merged))
      continue;
    errors.push_back({pointer_prefix + "/" + field, "civil_identity",
                      "only a reconciliation decision changes a dossier's NIR or birth date"});
  }
  if (!errors.empty())
    throw DomainError(ErrorKind::conflict, "the write would change the person's NIR or birth date",
                      std::move(errors));
}

}  // namespace passerelle::dossiers
