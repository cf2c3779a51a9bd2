#include "passerelle/dossiers/reconciliation_service.hpp"

#include <algorithm>
#include <map>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/dossiers/identifiers.hpp"

namespace passerelle::dossiers {

using core::DomainError;
using core::ErrorKind;
using nlohmann::json;
using policies::Capability;

json caseJson(const store::ReconciliationCase& c) {
  json dossiers = json::array(), contested = json::array();
  for (const auto& d : c.dossiers) dossiers.push_back(d.str());
  for (const auto& [kind, d] : c.contested)
    contested.push_back({{"kind", std::string(core::toString(kind))}, {"dossier", d.str()}});
  json out = {{"id", c.id},
              {"opened_at", c.opened_at},
              {"source_partner", c.opened_by.str()},
              {"source", c.source},
              {"position", json::parse(c.position)},
              {"dossiers", dossiers},
              {"places", c.places},
              {"identifiers", contested},
              {"status", c.status}};
  if (c.resolved_at) out["resolved_at"] = *c.resolved_at;
  if (c.resolved_by) out["resolved_by"] = *c.resolved_by;
  if (c.resolution) out["resolution"] = json::parse(*c.resolution);
  return out;
}

std::vector<store::ReconciliationCase> ReconciliationService::list(const Caller& caller,
                                                                   bool decided) const {
  guard_.require(caller.partner, Capability::reconciliation, "read reconciliation cases");
  return decided ? store_.decidedCases(1000) : store_.openCases(1000);
}

std::optional<core::DossierId> ReconciliationService::mergedInto(const Caller& caller,
                                                                 const core::DossierId& id) const {
  const auto into = store_.mergedInto(id);
  if (!into || !store_.exists(*into)) return std::nullopt;
  try {
    guard_.requireVisible(caller, *into, core::nowUtc());
  } catch (const DomainError& e) {
    if (e.kind() == ErrorKind::not_found) return std::nullopt;
    throw;
  }
  return into;
}

std::vector<store::DossierStore::SectionWrite> ReconciliationService::mergedSections(
    const core::DossierId& keep, const core::DossierId& other, json& resolution) const {
  std::map<core::Section, json> kept, merged;
  for (const auto& s : store_.currentSections(keep)) kept[s.info.section] = json::parse(s.content);
  for (const auto& s : store_.currentSections(other)) {
    auto theirs = json::parse(s.content);
    const auto section = s.info.section;
    if (!kept.count(section)) {
      merged[section] = std::move(theirs);
      continue;
    }
    if (section == core::Section::identite) {
      const auto& mine = kept[section];
      for (const std::string field : {"nir", "date_naissance"})
        if (mine.contains(field) && theirs.contains(field) &&
            (field == "nir" ? identifiersOf(section, json{{field, mine[field]}}) !=
                                  identifiersOf(section, json{{field, theirs[field]}})
                            : mine[field] != theirs[field]))
          throw DomainError(
              ErrorKind::conflict,
              "the two dossiers hold different values of the same civil identity: "
              "they are not one person; decide different_people",
              {{"/identite/" + field, "civil_identity", "differs between the two dossiers"}});
      if (!mine.contains("nir") && theirs.contains("nir")) {
        auto completed = mine;
        completed["nir"] = theirs["nir"];
        merged[section] = std::move(completed);
      }
    } else if (section == core::Section::identifiants) {
      // The kept dossier's identifiers win; the other's complete them.
      auto completed = theirs;
      completed.merge_patch(kept[section]);
      json dropped = json::array();
      for (const auto& [key, value] : theirs.items())
        if (kept[section].contains(key) && kept[section][key] != value) dropped.push_back(key);
      if (!dropped.empty()) resolution["identifiers_dropped"] = dropped;
      if (completed != kept[section]) merged[section] = std::move(completed);
    }
    // Any other section both hold: the kept dossier's version stays; the other's history stays.
  }
  std::vector<store::DossierStore::SectionWrite> writes;
  std::vector<core::FieldError> errors;
  for (auto& [section, content] : merged) {
    for (auto& e : validator_.validate(section, content))
      errors.push_back({core::pointerOf(section) + e.pointer, e.rule, e.message});
    writes.push_back({section, content.dump(), reindexOf(section, content)});
  }
  if (!errors.empty())
    throw DomainError(ErrorKind::validation_failed, "the merged dossier would not validate",
                      std::move(errors));
  return writes;
}

std::vector<store::DossierStore::SectionWrite> ReconciliationService::withoutIdentifiers(
    const core::DossierId& id, const std::vector<core::IdentifierKind>& kinds) const {
  std::map<core::Section, json> changed;
  for (auto kind : kinds) {
    const auto [section, field] = fieldOf(kind);
    if (!changed.count(section)) {
      const auto current = store_.currentSection(id, section);
      if (!current) continue;
      changed[section] = json::parse(current->content);
    }
    changed[section].erase(field);
  }
  std::vector<store::DossierStore::SectionWrite> writes;
  for (auto& [section, content] : changed)
    writes.push_back({section, content.dump(), reindexOf(section, content)});
  return writes;
}

CaseOutcome ReconciliationService::resolve(const Caller& caller, const std::string& case_id,
                                           const json& body) {
  guard_.require(caller.partner, Capability::reconciliation, "decide reconciliation cases");
  const auto found = core::isRandomIdText('k', case_id) ? store_.findCase(case_id) : std::nullopt;
  if (!found) throw DomainError(ErrorKind::not_found, "no such reconciliation case");
  if (found->status != "open")
    throw DomainError(ErrorKind::conflict, "this reconciliation case is already resolved");
  const auto& c = *found;
  const auto decision =
      body.is_object() && body.contains("decision") && body["decision"].is_string()
          ? body["decision"].get<std::string>()
          : std::string();
  const auto dossierField = [&](const char* key, bool nullable) -> std::optional<core::DossierId> {
    const auto it = body.find(key);
    if (nullable && (it == body.end() || it->is_null())) return std::nullopt;
    const auto id = it != body.end() && it->is_string()
                        ? core::DossierId::parse(it->get<std::string>())
                        : std::nullopt;
    if (!id || std::find(c.dossiers.begin(), c.dossiers.end(), *id) == c.dossiers.end())
      throw DomainError(ErrorKind::validation_failed, "the decision names no dossier of the case",
                        {{std::string("/") + key, "enum", "one of the case's dossiers"}});
    return id;
  };
  const auto onlyKeys = [&](std::initializer_list<const char*> keys) {
    for (const auto& item : body.items()) {
      const auto& key = item.key();
      if (std::none_of(keys.begin(), keys.end(), [&](const char* k) { return key == k; }))
        throw DomainError(ErrorKind::validation_failed, "unknown member in the decision",
                          {{"/" + key, "additionalProperties", "not a member of this decision"}});
    }
  };
  const store::WriteContext context{caller.partner.id, "reconciliation:" + c.id};
  CaseOutcome out{c, {}, std::nullopt, std::nullopt};
  store::CaseResolution r;
  json resolution = {{"decision", decision}};
  if (decision == "same_person") {
    onlyKeys({"decision", "keep"});
    if (c.dossiers.size() != 2)
      throw DomainError(ErrorKind::conflict,
                        "a same-person decision merges two dossiers; this case has " +
                            std::to_string(c.dossiers.size()) +
                            ": decide different_people or source_error",
                        {{"/decision", "enum", "different_people or source_error"}});
    const auto keep = *dossierField("keep", false);
    const auto other = c.dossiers[0] == keep ? c.dossiers[1] : c.dossiers[0];
    auto writes = mergedSections(keep, other, resolution);
    resolution["kept"] = keep.str();
    resolution["merged"] = other.str();
    r.merge = std::make_pair(keep, other);
    r.writes.emplace_back(keep, std::move(writes));
    out.merged_from = other;
    out.merged_into = keep;
    out.changed = {keep, other};
  } else if (decision == "different_people") {
    onlyKeys({"decision", "identifier_kept_by"});
    const auto keeper = dossierField("identifier_kept_by", true);
    resolution["identifier_kept_by"] = keeper ? json(keeper->str()) : json(nullptr);
    std::map<core::DossierId, std::vector<core::IdentifierKind>> taken;
    for (const auto& [kind, holder] : c.contested)
      if (holder != keeper && !core::isHouseholdIdentifier(kind)) taken[holder].push_back(kind);
    for (auto& [holder, kinds] : taken) {
      auto writes = withoutIdentifiers(holder, kinds);
      if (writes.empty()) continue;
      out.changed.push_back(holder);
      r.writes.emplace_back(holder, std::move(writes));
    }
  } else if (decision == "source_error") {
    onlyKeys({"decision"});
  } else {
    throw DomainError(ErrorKind::validation_failed, "the decision is not one of the three",
                      {{"/decision", "enum", "same_person, different_people or source_error"}});
  }
  r.status = decision;
  r.resolution = resolution.dump();
  // The source learns the decision about its own record (it knows the case from its refusal),
  // and nothing of the dossiers: it re-sends, corrects, or leaves it.
  json kinds = json::array();
  for (const auto& [kind, holder] : c.contested) {
    const std::string name(core::toString(kind));
    if (std::find(kinds.begin(), kinds.end(), name) == kinds.end()) kinds.push_back(name);
  }
  r.notice = store::CaseResolution::Notice{
      c.opened_by, c.dossiers.front(),
      json{{"type", "reconciliation_decided"},
           {"reconciliation_case", c.id},
           {"decision", decision},
           {"source", c.source},
           {"position", json::parse(c.position.empty() ? "{}" : c.position)},
           {"identifier_kinds", kinds}}
          .dump()};
  store_.resolveCase(c.id, r, context);
  out.decided = *store_.findCase(c.id);
  return out;
}

}  // namespace passerelle::dossiers
