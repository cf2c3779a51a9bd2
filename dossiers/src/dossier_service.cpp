#include "passerelle/dossiers/dossier_service.hpp"

#include <algorithm>
#include <set>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/dossiers/identifiers.hpp"
#include "random_id.hpp"

namespace passerelle::dossiers {

using core::DomainError;
using core::ErrorKind;
using nlohmann::json;
using policies::Access;

namespace {

void requireDossier(const store::DossierStore& store, const core::DossierId& id) {
  if (!store.exists(id)) throw DomainError(ErrorKind::not_found, "no such dossier");
}

// The leaves present in `sections` (section name -> document), as catalogue paths.
std::vector<std::string> fieldsIn(const schemas::FieldCatalogue& catalogue, const json& sections) {
  std::vector<std::string> out;
  for (const auto& [name, document] : sections.items())
    for (auto& path : policies::presentFields(catalogue, *core::parseSection(name), document))
      out.push_back(std::move(path));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

DecisionRecord recordOf(const policies::Decision& d, std::vector<std::string> fields,
                        std::vector<policies::WithheldField> withheld = {}) {
  std::set<std::string> grounds;
  for (const auto& path : fields) {
    const auto it = d.fields.find(path);
    if (it == d.fields.end() || !it->second.allowed) continue;
    if (it->second.rule) grounds.insert(it->second.rule->id);
    if (it->second.consent_id) grounds.insert("consent:" + *it->second.consent_id);
  }
  return {
      d.policy_version, std::move(fields), {grounds.begin(), grounds.end()}, std::move(withheld)};
}

// What the partner is told was withheld: everything but the sensitive fields.
std::vector<policies::WithheldField> shownWithheld(const std::vector<policies::WithheldField>& all,
                                                   const schemas::FieldCatalogue& catalogue) {
  std::vector<policies::WithheldField> out;
  for (const auto& w : all)
    if (catalogue.find(w.path)->category != core::FieldCategory::sensible) out.push_back(w);
  return out;
}

}  // namespace

DossierService::DossierService(store::DossierStore& store,
                               const schemas::SectionValidator& validator, const AccessGuard& guard,
                               RelationshipService& relationships)
    : store_(store), validator_(validator), guard_(guard), relationships_(relationships) {}

void DossierService::validate(core::Section section, const json& content,
                              const std::string& pointer_prefix,
                              std::vector<core::FieldError>& errors) const {
  for (auto& e : validator_.validate(section, content))
    errors.push_back({pointer_prefix + e.pointer, e.rule, e.message});
}

CreateResult DossierService::createOrMatch(const Caller& caller, const json& body,
                                           const std::string& source) {
  const auto now = core::nowUtc();
  guard_.requireCapability(caller, Access::write);
  // Before matching, so that a partner that may not create learns nothing from a match.
  const auto decision = guard_.decideNew(caller, Access::write, now);
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

  // Strongest identifier first: IdentifierKind is declared in decreasing order of strength.
  std::sort(identifiers.begin(), identifiers.end(),
            [](const auto& a, const auto& b) { return a.kind < b.kind; });
  std::optional<CreateResult> match;
  for (const auto& identifier : identifiers) {
    auto found = store_.findByIdentifier(identifier);
    if (!found) continue;
    if (match && match->id != *found)
      throw DomainError(ErrorKind::conflict,
                        "the identifiers given designate different existing dossiers");
    if (!match) match = CreateResult{*found, true, identifier.kind, {}, recordOf(decision, {})};
  }
  if (match) {
    relationships_.attachSource(caller, match->id, now);
    return *match;
  }

  std::vector<policies::WithheldField> refused;
  for (const auto& [name, content] : body.items())
    for (auto& f : policies::forbiddenFields(decision, guard_.catalogue(),
                                             *core::parseSection(name), content))
      refused.push_back(std::move(f));
  if (!refused.empty())
    refuseFields("the dossier holds fields this partner may not write", refused);

  CreateResult created{core::DossierId::fromRandom(randomBytes16()),
                       false,
                       std::nullopt,
                       {},
                       recordOf(decision, fieldsIn(guard_.catalogue(), body))};
  created.written =
      store_.createDossier(created.id, sections, identifiers, {caller.partner.id, source});
  relationships_.attachSource(caller, created.id, now);
  if (body.contains("orientation"))
    relationships_.followOrientation(created.id, body["orientation"], caller.partner.id, now);
  return created;
}

core::DossierId DossierService::lookup(const Caller& caller,
                                       const core::Identifier& identifier) const {
  guard_.requireCapability(caller, Access::read);
  const auto id = store_.findByIdentifier(identifier);
  if (!id) throw DomainError(ErrorKind::not_found, "no dossier has that identifier");
  guard_.requireVisible(caller, *id, core::nowUtc());
  return *id;
}

ReadResult DossierService::read(const Caller& caller, const core::DossierId& id) const {
  guard_.requireCapability(caller, Access::read);
  const auto decision = guard_.decide(caller, id, Access::read, core::nowUtc());
  const auto stored = store_.currentSections(id);
  if (stored.empty()) requireDossier(store_, id);
  json all = json::object();
  for (const auto& s : stored)
    all[std::string(core::toString(s.info.section))] = json::parse(s.content);
  auto filtered = policies::filterDossier(decision, guard_.catalogue(), all);
  auto record =
      recordOf(decision, fieldsIn(guard_.catalogue(), filtered.sections), filtered.withheld);
  ReadResult result{id,
                    std::move(filtered.sections),
                    {},
                    shownWithheld(filtered.withheld, guard_.catalogue()),
                    std::move(record)};
  for (const auto& s : stored)
    if (result.sections.contains(std::string(core::toString(s.info.section))))
      result.versions.push_back(s.info);
  return result;
}

SectionReadResult DossierService::readSection(const Caller& caller, const core::DossierId& id,
                                              core::Section section) const {
  guard_.requireCapability(caller, Access::read);
  const auto decision = guard_.decide(caller, id, Access::read, core::nowUtc());
  const std::string name(core::toString(section));
  // "Not for you" is answered before looking at the section, so that the answer never tells
  // whether a section the caller may not read (health data, say) exists.
  std::vector<policies::WithheldField> closed;
  for (const auto& [path, f] : decision.fields) {
    if (schemas::FieldCatalogue::sectionOf(core::FieldPath(path)) != section) continue;
    if (f.allowed) {
      closed.clear();
      break;
    }
    closed.push_back({path, f.reason});
  }
  if (!closed.empty())
    refuseFields("none of this section's fields may be disclosed to this partner for this purpose",
                 closed);
  const auto current = store_.currentSection(id, section);
  if (!current) {
    requireDossier(store_, id);
    throw DomainError(ErrorKind::not_found, "the dossier has no such section yet");
  }
  auto filtered = policies::filterDossier(decision, guard_.catalogue(),
                                          json{{name, json::parse(current->content)}});
  return {current->info, filtered.sections.value(name, json::object()),
          shownWithheld(filtered.withheld, guard_.catalogue()),
          recordOf(decision, fieldsIn(guard_.catalogue(), filtered.sections), filtered.withheld)};
}

WriteResult DossierService::writeSection(const Caller& caller, const core::DossierId& id,
                                         core::Section section, const json& content,
                                         const store::Precondition& precondition,
                                         const std::string& source) {
  const auto now = core::nowUtc();
  guard_.requireCapability(caller, Access::write);
  const auto decision = guard_.decide(caller, id, Access::write, now);
  std::vector<core::FieldError> errors;
  validate(section, content, "", errors);
  if (!errors.empty())
    throw DomainError(ErrorKind::validation_failed, "the section does not validate",
                      std::move(errors));
  const auto refused = policies::forbiddenFields(decision, guard_.catalogue(), section, content);
  if (!refused.empty())
    refuseFields("the section holds fields this partner may not write", refused);

  json merged = content;
  if (const auto current = store_.currentSection(id, section))
    merged = policies::preserveUnwritable(decision, guard_.catalogue(), section, content,
                                          json::parse(current->content));
  // Only what was merged in needs validating again; the submitted part passed above.
  if (merged != content) validate(section, merged, "", errors);
  if (!errors.empty())
    throw DomainError(
        ErrorKind::validation_failed,
        "the section, completed with the fields this partner may not write, does not validate",
        std::move(errors));
  std::optional<store::IdentifierUpdate> reindex;
  if (auto kinds = identifierKindsOf(section); !kinds.empty())
    reindex = store::IdentifierUpdate{std::move(kinds), identifiersOf(section, merged)};
  auto put = store_.putSection(id, section, merged.dump(), precondition, reindex,
                               {caller.partner.id, source});
  if (section == core::Section::orientation && put.changed)
    relationships_.followOrientation(id, merged, caller.partner.id, now);
  return {put,
          recordOf(decision, put.changed
                                 ? fieldsIn(guard_.catalogue(),
                                            json{{std::string(core::toString(section)), content}})
                                 : std::vector<std::string>{})};
}

void DossierService::erase(const Caller& caller, const core::DossierId& id, const json& body) {
  if (caller.partner.kind != core::PartnerKind::departement)
    throw DomainError(ErrorKind::forbidden, "only the Département erases a dossier");
  const bool valid = body.is_object() && body.size() == 1 && body.contains("reason") &&
                     body["reason"].is_string() && !body["reason"].get<std::string>().empty() &&
                     body["reason"].get<std::string>().size() <= 500;
  if (!valid)
    throw DomainError(ErrorKind::validation_failed, "an erasure needs its reason",
                      {{"/reason", "required",
                        "give the ground of the erasure (end of retention, the person's request "
                        "under GDPR art. 17, ...), 1 to 500 characters, and nothing else"}});
  if (!store_.erase(id, body["reason"].get<std::string>(), {caller.partner.id, "api"}))
    throw DomainError(ErrorKind::not_found, "no such dossier");
}

std::vector<store::VersionInfo> DossierService::history(const Caller& caller,
                                                        const core::DossierId& id) const {
  if (!guard_.policy()->readsHistory(caller.partner.kind))
    throw DomainError(ErrorKind::forbidden,
                      "the version history is for the Département and the DPO");
  auto versions = store_.history(id);
  if (versions.empty()) requireDossier(store_, id);
  return versions;
}

}  // namespace passerelle::dossiers
