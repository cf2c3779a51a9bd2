#include "passerelle/dossiers/dossier_service.hpp"

#include <algorithm>
#include <array>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/crypto/bytes.hpp"
#include "passerelle/dossiers/identifiers.hpp"

namespace passerelle::dossiers {

using core::DomainError;
using core::ErrorKind;

namespace {

core::DossierId newDossierId() {
  const auto random = crypto::randomBytes(16);
  std::array<std::uint8_t, 16> bytes{};
  std::copy(random.begin(), random.end(), bytes.begin());
  return core::DossierId::fromRandom(bytes);
}

void requireDossier(const store::DossierStore& store, const core::DossierId& id) {
  if (!store.exists(id)) throw DomainError(ErrorKind::not_found, "no such dossier");
}

}  // namespace

DossierService::DossierService(store::DossierStore& store,
                               const schemas::SectionValidator& validator)
    : store_(store), validator_(validator) {}

void DossierService::validate(core::Section section, const nlohmann::json& content,
                              const std::string& pointer_prefix,
                              std::vector<core::FieldError>& errors) const {
  for (auto& e : validator_.validate(section, content))
    errors.push_back({pointer_prefix + e.pointer, e.rule, e.message});
}

CreateResult DossierService::createOrMatch(const nlohmann::json& body,
                                           const store::WriteContext& context) {
  if (!body.is_object())
    throw DomainError(ErrorKind::validation_failed, "the body must be a JSON object",
                      {{"", "type", "expected an object whose keys are section names"}});
  std::vector<core::FieldError> errors;
  std::vector<std::pair<core::Section, std::string>> sections;
  std::vector<core::Identifier> identifiers;
  for (const auto& [name, content] : body.items()) {
    const auto section = core::parseSection(name);
    if (!section) {
      errors.push_back({"/" + name, "section", "not a section of the dossier"});
      continue;
    }
    const auto before = errors.size();
    validate(*section, content, "/" + name, errors);
    if (errors.size() != before) continue;
    sections.emplace_back(*section, content.dump());
    for (auto& identifier : identifiersOf(*section, content)) identifiers.push_back(identifier);
  }
  if (!body.contains("identite"))
    errors.push_back({"/identite", "required", "a dossier is created from its identity section"});
  if (errors.empty() && identifiers.empty())
    errors.push_back({"/identifiants", "required",
                      "at least one identifier (NIR, CAF/MSA matricule, France Travail or "
                      "Département id) is needed to match the person later"});
  if (!errors.empty())
    throw DomainError(ErrorKind::validation_failed, "the dossier does not validate",
                      std::move(errors));

  // Strongest identifier first: allIdentifierKinds() is in decreasing order of strength.
  std::sort(identifiers.begin(), identifiers.end(),
            [](const auto& a, const auto& b) { return a.kind < b.kind; });
  std::optional<CreateResult> match;
  for (const auto& identifier : identifiers) {
    auto found = store_.findByIdentifier(identifier);
    if (!found) continue;
    if (match && match->id != *found)
      throw DomainError(ErrorKind::conflict,
                        "the identifiers given designate different existing dossiers");
    if (!match) match = CreateResult{*found, true, identifier.kind, {}};
  }
  if (match) return *match;

  CreateResult created{newDossierId(), false, std::nullopt, {}};
  created.written = store_.createDossier(created.id, sections, identifiers, context);
  return created;
}

std::optional<core::DossierId> DossierService::lookup(const core::Identifier& identifier) const {
  return store_.findByIdentifier(identifier);
}

DossierView DossierService::read(const core::DossierId& id) const {
  auto sections = store_.currentSections(id);
  if (sections.empty()) requireDossier(store_, id);
  std::sort(sections.begin(), sections.end(),
            [](const auto& a, const auto& b) { return a.info.section < b.info.section; });
  return {id, std::move(sections)};
}

store::SectionVersion DossierService::readSection(const core::DossierId& id,
                                                  core::Section section) const {
  auto current = store_.currentSection(id, section);
  if (current) return *current;
  requireDossier(store_, id);
  throw DomainError(ErrorKind::not_found, "the dossier has no such section yet");
}

store::PutResult DossierService::writeSection(const core::DossierId& id, core::Section section,
                                              const nlohmann::json& content,
                                              const store::Precondition& precondition,
                                              const store::WriteContext& context) {
  std::vector<core::FieldError> errors;
  validate(section, content, "", errors);
  if (!errors.empty())
    throw DomainError(ErrorKind::validation_failed, "the section does not validate",
                      std::move(errors));
  std::optional<store::IdentifierUpdate> reindex;
  if (auto kinds = identifierKindsOf(section); !kinds.empty())
    reindex = store::IdentifierUpdate{std::move(kinds), identifiersOf(section, content)};
  return store_.putSection(id, section, content.dump(), precondition, reindex, context);
}

std::vector<store::VersionInfo> DossierService::history(const core::DossierId& id) const {
  auto versions = store_.history(id);
  if (versions.empty()) requireDossier(store_, id);
  return versions;
}

}  // namespace passerelle::dossiers
