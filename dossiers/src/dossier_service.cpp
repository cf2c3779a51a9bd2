#include "passerelle/dossiers/dossier_service.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/dossiers/identifiers.hpp"
#include "passerelle/dossiers/person_match.hpp"
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
    const auto* f = d.fields.find(path);
    if (f == nullptr || !f->allowed) continue;
    if (f->rule) grounds.insert(f->rule->id);
    if (f->consent_id) grounds.insert("consent:" + *f->consent_id);
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

// The section a body's member names; nothing, with the error saying so, if it names none.
std::optional<core::Section> sectionNamed(const std::string& name,
                                          std::vector<core::FieldError>& errors) {
  const auto section = core::parseSection(name);
  if (!section) errors.push_back({"/" + name, "section", "not a section of the dossier"});
  return section;
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
    const auto section = sectionNamed(name, errors);
    if (!section) continue;
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

  if (const auto match = resolvePerson(caller, decision, identifiers, body, now, source, "{}")) {
    relationships_.attachSource(caller, match->id, now);
    return CreateResult{match->id, true, match->on, {}, recordOf(decision, {})};
  }
  return create(caller, decision, body, std::move(sections), std::move(identifiers), source, now);
}

CreateResult DossierService::create(const Caller& caller, const policies::Decision& decision,
                                    const json& body,
                                    std::vector<std::pair<core::Section, std::string>> sections,
                                    std::vector<core::Identifier> identifiers,
                                    const std::string& source, const core::UtcTime& now,
                                    const char* refusal) {
  std::vector<policies::WithheldField> refused;
  for (const auto& [name, content] : body.items())
    for (auto& f : policies::forbiddenFields(decision, guard_.catalogue(),
                                             *core::parseSection(name), content))
      refused.push_back(std::move(f));
  if (!refused.empty()) refuseFields(refusal, refused);

  CreateResult created{core::DossierId::fromRandom(randomBytes16()),
                       false,
                       std::nullopt,
                       {},
                       recordOf(decision, fieldsIn(guard_.catalogue(), body))};
  // The relationships the dossier implies are written in its own transaction: a crash or a full
  // disk cannot leave it created without them (nor them without it).
  created.written =
      store_.createDossier(created.id, sections, identifiers, {caller.partner.id, source}, [&] {
        relationships_.attachSource(caller, created.id, now);
        if (body.contains("orientation"))
          relationships_.followOrientation(created.id, body["orientation"], caller.partner.id, now);
      });
  return created;
}

namespace {

// A merge patch's null deletes a field (RFC 7386): an import states values, it never deletes.
void refuseNulls(const json& value, const std::string& pointer,
                 std::vector<core::FieldError>& errors) {
  if (value.is_null()) errors.push_back({pointer, "type", "null is not a value: leave it out"});
  if (value.is_object())
    for (const auto& [key, item] : value.items()) refuseNulls(item, pointer + "/" + key, errors);
  if (value.is_array())
    for (std::size_t i = 0; i < value.size(); ++i)
      refuseNulls(value[i], pointer + "/" + std::to_string(i), errors);
}

// `patch` less what `current` already says (objects compared key by key, anything else whole).
json withoutUnchanged(const json& patch, const json& current) {
  if (!patch.is_object() || !current.is_object()) return patch;
  json out = json::object();
  for (const auto& [key, value] : patch.items()) {
    const auto it = current.find(key);
    if (it == current.end()) {
      out[key] = value;
    } else if (value != *it) {
      auto rest = withoutUnchanged(value, *it);
      if (!rest.is_object() || !rest.empty()) out[key] = std::move(rest);
    }
  }
  return out;
}

// Puts the items of `patch`'s list into the current one (`before`), by key, into `merged`.
void upsertItems(const json& before, const json& patch, const ImportPerson::ItemKey& key,
                 std::size_t prefix, json& merged) {
  const json::json_pointer pointer(key.list.str().substr(prefix));
  if (!patch.contains(pointer) || !patch[pointer].is_array()) return;
  json list =
      before.contains(pointer) && before[pointer].is_array() ? before[pointer] : json::array();
  const auto same = [&](const json& a, const json& b) {
    for (const auto& f : key.fields)
      if (!a.is_object() || !b.is_object() || a.value(f, json()) != b.value(f, json()))
        return false;
    return true;
  };
  for (const auto& item : patch[pointer]) {
    const auto it =
        std::find_if(list.begin(), list.end(), [&](const json& x) { return same(x, item); });
    if (it != list.end())
      *it = item;
    else
      list.push_back(item);
  }
  merged[pointer] = std::move(list);
}

}  // namespace

void DossierService::requireWriter(const Caller& caller) const {
  guard_.requireCapability(caller, Access::write);
}

ImportOutcome DossierService::importPerson(const Caller& caller, const ImportPerson& person,
                                           const std::string& source, const std::string& position) {
  const auto now = core::nowUtc();
  guard_.requireCapability(caller, Access::write);
  const auto decision = guard_.decideNew(caller, Access::write, now);
  std::vector<core::FieldError> errors;
  // The dossier as it would be created: on_create, then the sections over it.
  json full = person.on_create.is_object() ? person.on_create : json::object();
  for (const auto& [name, patch] : person.sections.items()) {
    refuseNulls(patch, "/" + name, errors);
    if (full.contains(name) && full[name].is_object() && patch.is_object())
      full[name].merge_patch(patch);
    else
      full[name] = patch;
  }
  // A new dossier takes the if_allowed fields only where the policy allows them without one.
  for (const auto& path : person.if_allowed) {
    const json::json_pointer pointer(path.str());
    if (full.contains(pointer) && !decision.allows(path.str()))
      full.at(pointer.parent_pointer()).erase(pointer.back());
  }
  std::vector<std::pair<core::Section, std::string>> sections;
  std::vector<core::Identifier> identifiers;
  std::vector<core::FieldError> incomplete;  // sections that can only be merged into a dossier
  for (const auto& [name, content] : full.items()) {
    const auto section = sectionNamed(name, errors);
    if (!section) continue;
    // A required field may come from the current version: checked once merged (or created).
    std::vector<core::FieldError> found;
    validate(*section, content, "/" + name, found);
    const auto before = errors.size();
    for (auto& e : found)
      if (e.rule != "required") errors.push_back(std::move(e));
    if (errors.size() != before) continue;
    // An incomplete section still designates the person (a NIR alone, to match).
    for (auto& identifier : identifiersOf(*section, content)) identifiers.push_back(identifier);
    if (!found.empty())
      incomplete.push_back(found.front());
    else
      sections.emplace_back(*section, content.dump());
  }
  if (errors.empty() && identifiers.empty())
    errors.push_back({"/identifiants", "required",
                      "at least one identifier (NIR, CAF/MSA matricule, France Travail or "
                      "Département id) is needed to match the person"});
  if (!errors.empty())
    throw DomainError(ErrorKind::validation_failed, "the record does not validate",
                      std::move(errors));

  const auto match = resolvePerson(caller, decision, identifiers, full, now, source, position);
  if (match) return mergeInto(caller, *match, person, source, now);
  if (!full.contains("identite"))
    incomplete.push_back(
        {"/identite", "required", "a dossier is created from its identity section"});
  if (!incomplete.empty())
    throw DomainError(ErrorKind::validation_failed, "no dossier matches, and none can be created",
                      std::move(incomplete));
  // A partner that may not write an identity (France Travail) attaches to dossiers others
  // opened: the record is refused as one of nobody it may create.
  auto created =
      create(caller, decision, full, std::move(sections), std::move(identifiers), source, now,
             "no dossier matches the record's identifiers, and creating one would "
             "write fields this partner may not write");
  return {ImportStatus::created,
          created.id,
          std::nullopt,
          std::move(created.written),
          std::move(created.decision),
          std::nullopt,
          {}};
}

ImportOutcome DossierService::mergeInto(const Caller& caller, const PersonMatch& match,
                                        const ImportPerson& person, const std::string& source,
                                        const core::UtcTime& now) {
  json sections = person.sections;  // less the if_allowed fields the policy refuses
  ImportOutcome out{ImportStatus::unchanged, match.id, match.on, {}, {}, std::nullopt, {}};
  std::optional<policies::Decision> decision;
  try {
    // A source is attached to the dossier it matched with what it writes (one transaction); a
    // refused record attaches nothing.
    decision = guard_.decide(caller, match.id, Access::write, now, /*attaching=*/true);
    for (const auto& path : person.if_allowed) {
      const json::json_pointer pointer(path.str());
      if (!sections.contains(pointer) || decision->allows(path.str())) continue;
      sections.at(pointer.parent_pointer()).erase(pointer.back());
      out.left_out.push_back(path);
    }
    // What the record changes, section by section: a field stated with its current value is
    // not a write (a NIR given to match, a re-import), so the policy is asked about the rest.
    std::vector<core::FieldError> errors;
    std::vector<store::DossierStore::SectionWrite> writes;
    json changes = json::object();
    for (const auto& [name, patch] : sections.items()) {
      const auto section = *core::parseSection(name);
      json merged = patch;
      json news = patch;
      if (const auto current = store_.currentSection(match.id, section)) {
        const auto before = json::parse(current->content);
        merged = before;
        merged.merge_patch(patch);
        for (const auto& key : person.upsert_items)
          if (schemas::FieldCatalogue::sectionOf(key.list) == section)
            upsertItems(before, patch, key, name.size() + 1, merged);
        for (const auto& path : person.replace) {
          if (schemas::FieldCatalogue::sectionOf(path) != section) continue;
          const json::json_pointer pointer(path.str().substr(name.size() + 1));
          if (patch.contains(pointer)) merged[pointer] = patch[pointer];
        }
        if (merged == before) continue;
        if (section == core::Section::identite) keepCivilIdentity(before, merged, "/identite");
        news = withoutUnchanged(patch, before);
      }
      validate(section, merged, "/" + name, errors);
      changes[name] = news;
      writes.push_back({section, merged.dump(), reindexOf(section, merged)});
    }
    std::vector<policies::WithheldField> refused;
    for (const auto& [name, news] : changes.items())
      for (auto& f : policies::forbiddenFields(*decision, guard_.catalogue(),
                                               *core::parseSection(name), news))
        refused.push_back(std::move(f));
    if (!refused.empty())
      refuseFields("the record changes fields this partner may not write", refused);
    if (!errors.empty())
      throw DomainError(ErrorKind::validation_failed,
                        "the dossier, completed with the record, does not validate",
                        std::move(errors));
    const auto follow = [&](const std::vector<store::PutResult>& done) {
      relationships_.attachSource(caller, match.id, now);
      for (std::size_t i = 0; i < done.size(); ++i)
        if (done[i].changed && writes[i].section == core::Section::orientation)
          relationships_.followOrientation(match.id, json::parse(writes[i].content),
                                           caller.partner.id, now);
    };
    std::vector<store::PutResult> results;
    if (writes.empty())
      follow({});
    else
      results = store_.putSections(match.id, writes, {caller.partner.id, source}, follow);
    json changed = json::object();
    for (std::size_t i = 0; i < results.size(); ++i) {
      if (!results[i].changed) continue;
      out.written.push_back(results[i].info);
      const std::string name(core::toString(writes[i].section));
      changed[name] = changes[name];
    }
    if (!out.written.empty()) out.status = ImportStatus::updated;
    out.decision = recordOf(*decision, fieldsIn(guard_.catalogue(), changed));
  } catch (const DomainError& e) {
    out.status = ImportStatus::refused;
    out.refusal = e;
    if (decision) out.decision = recordOf(*decision, {});
  }
  return out;
}

core::DossierId DossierService::lookup(const Caller& caller,
                                       const core::Identifier& identifier) const {
  guard_.requireCapability(caller, Access::read);
  const auto now = core::nowUtc();
  std::optional<core::DossierId> found;
  const bool needs_relationship = guard_.policy()->requiresRelationship(caller.partner.kind);
  const auto candidates = store_.dossiersWithIdentifier(identifier);
  // An identifier of nobody costs the relationship lookup that one of an unseen dossier costs:
  // the time of the answer must not tell them apart (a timing oracle on NIRs).
  if (candidates.empty() && needs_relationship) {
    static const auto nobody = core::DossierId::fromRandom({});
    (void)guard_.related(caller, nobody, now);
  }
  for (const auto& id : candidates) {
    if (needs_relationship && !guard_.related(caller, id, now)) continue;  // as if absent
    if (found)
      throw DomainError(ErrorKind::conflict,
                        "this CAF/MSA matricule is a household's: several dossiers hold it; look "
                        "a member up by NIR, France Travail or Département identifier");
    found = id;
  }
  if (!found) throw DomainError(ErrorKind::not_found, "no dossier has that identifier");
  return *found;
}

ReadResult DossierService::read(const Caller& caller, const core::DossierId& id) const {
  guard_.requireCapability(caller, Access::read);
  const auto decision = guard_.decide(caller, id, Access::read, core::nowUtc());
  const auto stored = store_.currentSections(id);
  if (stored.empty()) requireDossier(store_, id);
  json all = json::object();
  for (const auto& s : stored)
    all[std::string(core::toString(s.info.section))] = json::parse(s.content);
  auto filtered = policies::filterDossier(decision, guard_.catalogue(), std::move(all));
  auto record = recordOf(decision, std::move(filtered.disclosed), filtered.withheld);
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
    if (schemas::FieldCatalogue::sectionOf(core::FieldPath(std::string(path))) != section) continue;
    if (f.allowed) {
      closed.clear();
      break;
    }
    closed.push_back({std::string(path), f.reason});
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
  auto record = recordOf(decision, std::move(filtered.disclosed), filtered.withheld);
  auto kept =
      filtered.sections.contains(name) ? std::move(filtered.sections[name]) : json::object();
  return {current->info, std::move(kept), shownWithheld(filtered.withheld, guard_.catalogue()),
          std::move(record)};
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
  if (const auto current = store_.currentSection(id, section)) {
    const auto before = json::parse(current->content);
    merged = policies::preserveUnwritable(decision, guard_.catalogue(), section, content, before);
    if (section == core::Section::identite) keepCivilIdentity(before, merged, "");
  }
  // Only what was merged in needs validating again; the submitted part passed above.
  if (merged != content) validate(section, merged, "", errors);
  if (!errors.empty())
    throw DomainError(
        ErrorKind::validation_failed,
        "the section, completed with the fields this partner may not write, does not validate",
        std::move(errors));
  const auto reindex = reindexOf(section, merged);
  // The orientation's relationships change with it, in its transaction.
  auto put = store_.putSection(
      id, section, merged.dump(), precondition, reindex, {caller.partner.id, source},
      [&](const std::vector<store::PutResult>& done) {
        if (section == core::Section::orientation && done.front().changed)
          relationships_.followOrientation(id, merged, caller.partner.id, now);
      });
  return {put,
          recordOf(decision, put.changed
                                 ? fieldsIn(guard_.catalogue(),
                                            json{{std::string(core::toString(section)), content}})
                                 : std::vector<std::string>{})};
}

void DossierService::erase(const Caller& caller, const core::DossierId& id, const json& body) {
  guard_.require(caller.partner, policies::Capability::erasure, "erase a dossier");
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

ChangesPage DossierService::changes(const Caller& caller, std::int64_t since,
                                    std::size_t limit) const {
  guard_.requireCapability(caller, Access::read);
  const auto now = core::nowUtc();
  const auto scanned = store_.changesAfter(since, limit);
  ChangesPage page{{}, scanned.empty() ? since : scanned.back().sequence, scanned.size() == limit};
  // Per dossier of the page: the sections the caller may read from (none if it may not see it).
  std::map<core::DossierId, std::set<core::Section>> readable;
  for (const auto& change : scanned) {
    if (change.addressed_to) {  // a notice: for its partner only, whatever it may read
      if (*change.addressed_to == caller.partner.id) page.changes.push_back(change);
      continue;
    }
    // A merge is seen by whoever may read the dossier it became.
    const auto& dossier = change.merged_into ? *change.merged_into : change.dossier;
    auto it = readable.find(dossier);
    if (it == readable.end()) {
      std::set<core::Section> sections;
      try {
        for (const auto& [path, field] : guard_.decide(caller, dossier, Access::read, now).fields)
          if (field.allowed)
            sections.insert(schemas::FieldCatalogue::sectionOf(core::FieldPath(std::string(path))));
      } catch (const DomainError& e) {
        if (e.kind() != ErrorKind::not_found) throw;  // not visible to this caller
      }
      it = readable.emplace(dossier, std::move(sections)).first;
    }
    if (it->second.count(change.section) || (change.merged_into && !it->second.empty()))
      page.changes.push_back(change);
  }
  return page;
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
