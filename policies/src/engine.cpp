#include "passerelle/policies/engine.hpp"

#include <algorithm>
#include <functional>
#include <iterator>
#include <set>

namespace passerelle::policies {

using nlohmann::json;

bool Decision::allows(std::string_view catalogue_path) const {
  const auto* f = fields.find(catalogue_path);
  return f != nullptr && f->allowed;
}

std::vector<TraceEntry> Decision::trace() const {
  std::map<std::pair<std::string, std::string>, TraceEntry> by_rule;
  for (const auto& [path, f] : fields) {
    if (!f.allowed) continue;
    auto& entry = by_rule[{f.rule->id, f.consent_id.value_or("")}];
    entry.rule_id = f.rule->id;
    entry.consent_id = f.consent_id;
    entry.fields.emplace_back(path);
  }
  std::vector<TraceEntry> out;
  for (auto& [key, entry] : by_rule) out.push_back(std::move(entry));
  return out;
}

std::vector<core::ConsentRecord> consentsInForce(const std::vector<core::ConsentRecord>& records,
                                                 const core::UtcTime& now) {
  std::set<std::string> withdrawn;
  for (const auto& r : records)
    if (r.kind == core::ConsentRecord::Kind::withdrawn && r.withdraws && r.recorded_at <= now)
      withdrawn.insert(*r.withdraws);
  std::vector<core::ConsentRecord> out;
  for (const auto& r : records)
    if (r.kind == core::ConsentRecord::Kind::given && withdrawn.count(r.id) == 0 &&
        r.given_at <= now) {
      const auto expiry = core::effectiveExpiry(r, records, now);
      if (!expiry || now < *expiry) out.push_back(r);
    }
  return out;
}

namespace {

bool covers(const core::ConsentRecord& c, const AccessSubject& s, core::Section section,
            core::FieldCategory category) {
  const bool grantee = (c.grantee_partner && *c.grantee_partner == s.partner) ||
                       (c.grantee_kind && *c.grantee_kind == s.kind);
  if (!grantee || c.purpose != s.purpose) return false;
  return std::find(c.sections.begin(), c.sections.end(), section) != c.sections.end() ||
         std::find(c.categories.begin(), c.categories.end(), category) != c.categories.end();
}

}  // namespace

Decision decide(const PolicySet& policy, const schemas::FieldCatalogue& catalogue,
                const AccessSubject& subject, const std::vector<core::ConsentRecord>& consents,
                const core::UtcTime& now) {
  Decision d{policy.version(), subject, false, {}};
  const bool blocked = policy.requiresRelationship(subject.kind) && !subject.related;
  d.dossier_visible = !blocked;
  const auto in_force = consentsInForce(consents, now);
  d.fields.reserve(catalogue.fields().size());
  for (const auto i : catalogue.pathOrder())
    d.fields.append(
        catalogue.fields()[i].path.str(),
        {false, blocked ? WithholdReason::no_relationship : WithholdReason::not_in_policy, nullptr,
         std::nullopt});
  if (blocked) return d;

  for (const auto& rule : policy.rules()) {
    if (rule.kind != subject.kind || rule.access != subject.access) continue;
    if (std::find(rule.purposes.begin(), rule.purposes.end(), subject.purpose) ==
        rule.purposes.end())
      continue;
    for (const auto& path : rule.fields) {
      auto* found = d.fields.find(path.str());
      if (found == nullptr || found->allowed) continue;  // not in this catalogue: denied
      auto& f = *found;
      if (!rule.consent_required) {
        f = {true, WithholdReason::not_in_policy, &rule, std::nullopt};
        continue;
      }
      const auto* entry = catalogue.find(path.str());
      const auto section = schemas::FieldCatalogue::sectionOf(path);
      auto consent = std::find_if(in_force.begin(), in_force.end(), [&](const auto& c) {
        return covers(c, subject, section, entry->category);
      });
      if (consent != in_force.end())
        f = {true, WithholdReason::not_in_policy, &rule, consent->id};
      else
        f = {false, WithholdReason::consent_required, &rule, std::nullopt};
    }
  }
  return d;
}

namespace {

bool hasFieldsUnder(const schemas::FieldCatalogue& catalogue, const std::string& prefix) {
  return catalogue.hasFieldsUnder(prefix);
}

// Walks a document along the catalogue: calls `leaf(catalogue_path, value)` for each leaf.
template <class Leaf>
void walk(const schemas::FieldCatalogue& catalogue, const std::string& path, const json& value,
          Leaf&& leaf) {
  if (value.is_object() && catalogue.find(path) == nullptr && hasFieldsUnder(catalogue, path)) {
    for (const auto& [key, child] : value.items()) walk(catalogue, path + "/" + key, child, leaf);
  } else if (value.is_array() && catalogue.find(path) == nullptr &&
             hasFieldsUnder(catalogue, path + "/*")) {
    for (const auto& item : value) walk(catalogue, path + "/*", item, leaf);
  } else {
    leaf(path, value);
  }
}

// The document with only the leaves `keep` accepts; containers left empty are dropped.
json prune(const schemas::FieldCatalogue& catalogue, const std::string& path, const json& value,
           const std::function<bool(const std::string&)>& keep) {
  if (value.is_object() && catalogue.find(path) == nullptr && hasFieldsUnder(catalogue, path)) {
    json out = json::object();
    for (const auto& [key, child] : value.items()) {
      auto kept = prune(catalogue, path + "/" + key, child, keep);
      if (!kept.is_null()) out[key] = std::move(kept);
    }
    return out.empty() ? json() : out;
  }
  if (value.is_array() && catalogue.find(path) == nullptr &&
      hasFieldsUnder(catalogue, path + "/*")) {
    json out = json::array();
    for (const auto& item : value) {
      auto kept = prune(catalogue, path + "/*", item, keep);
      if (!kept.is_null()) out.push_back(std::move(kept));
    }
    return out.empty() ? json() : out;
  }
  return keep(path) ? value : json();
}

}  // namespace

std::vector<std::string> presentFields(const schemas::FieldCatalogue& catalogue,
                                       core::Section section, const json& document) {
  std::set<std::string> seen;
  walk(catalogue, core::pointerOf(section), document,
       [&](const std::string& path, const json&) { seen.insert(path); });
  return {seen.begin(), seen.end()};
}

namespace {

// One pass over a section document, erasing in place what the decision withholds and listing
// it: a read walks each document once and copies nothing it keeps.
class SectionFilter {
 public:
  // `disclosed` has one flag per entry of the decision's fields, set for each field kept.
  SectionFilter(const Decision& decision, const schemas::FieldCatalogue& catalogue,
                std::string root, std::vector<bool>& disclosed,
                std::vector<WithheldField>& withheld)
      : decision_(decision),
        catalogue_(catalogue),
        path_(std::move(root)),
        disclosed_(disclosed),
        withheld_(withheld) {}

  // Leaves in `value`, at the current path, only what is disclosed; false when nothing is.
  bool keep(json& value) {
    const bool container = catalogue_.find(path_) == nullptr;
    if (container && value.is_object() && catalogue_.hasFieldsUnder(path_)) {
      auto& members = value.get_ref<json::object_t&>();
      const auto length = path_.size();
      for (auto it = members.begin(); it != members.end();) {
        path_.append("/").append(it->first);
        const bool kept = keep(it->second);
        path_.resize(length);
        it = kept ? std::next(it) : members.erase(it);
      }
      return !members.empty();
    }
    if (container && value.is_array()) {
      const auto length = path_.size();
      path_.append("/*");
      if (catalogue_.hasFieldsUnder(path_)) {
        auto& items = value.get_ref<json::array_t&>();
        std::size_t kept = 0;
        for (auto& item : items) {
          if (!keep(item)) continue;
          if (&items[kept] != &item) items[kept] = std::move(item);
          ++kept;
        }
        items.erase(items.begin() + static_cast<std::ptrdiff_t>(kept), items.end());
        path_.resize(length);
        return kept > 0;
      }
      path_.resize(length);
    }
    const auto entry = decision_.fields.locate(path_);
    if (entry == decision_.fields.end()) {
      withheld_.push_back({path_, WithholdReason::not_in_policy});
      return false;
    }
    if (!entry->second.allowed) {
      withheld_.push_back({path_, entry->second.reason});
      return false;
    }
    if (value.is_null()) return false;
    disclosed_[static_cast<std::size_t>(entry - decision_.fields.begin())] = true;
    return true;
  }

 private:
  const Decision& decision_;
  const schemas::FieldCatalogue& catalogue_;
  std::string path_;
  std::vector<bool>& disclosed_;
  std::vector<WithheldField>& withheld_;
};

}  // namespace

FilteredDossier filterDossier(const Decision& decision, const schemas::FieldCatalogue& catalogue,
                              json sections) {
  FilteredDossier out{json::object(), {}, {}};
  if (!sections.is_object()) return out;
  std::vector<bool> disclosed(decision.fields.size());
  for (auto& [name, document] : sections.get_ref<json::object_t&>()) {
    if (!core::parseSection(name)) continue;
    std::vector<WithheldField> withheld;
    const bool kept =
        SectionFilter(decision, catalogue, "/" + name, disclosed, withheld).keep(document);
    // A path met several times (an array's items) is withheld once, in path order.
    std::sort(withheld.begin(), withheld.end(),
              [](const auto& a, const auto& b) { return a.path < b.path; });
    withheld.erase(std::unique(withheld.begin(), withheld.end(),
                               [](const auto& a, const auto& b) { return a.path == b.path; }),
                   withheld.end());
    std::move(withheld.begin(), withheld.end(), std::back_inserter(out.withheld));
    if (kept) out.sections.emplace(name, std::move(document));
  }
  // The decision's fields are in path order: so is this list, each path once.
  auto entry = decision.fields.begin();
  for (std::size_t i = 0; i < disclosed.size(); ++i, ++entry)
    if (disclosed[i]) out.disclosed.emplace_back(entry->first);
  return out;
}

std::vector<WithheldField> forbiddenFields(const Decision& decision,
                                           const schemas::FieldCatalogue& catalogue,
                                           core::Section section, const json& document) {
  std::vector<WithheldField> out;
  for (const auto& path : presentFields(catalogue, section, document))
    if (!decision.allows(path)) out.push_back({path, decision.fields.at(path).reason});
  return out;
}

json preserveUnwritable(const Decision& decision, const schemas::FieldCatalogue& catalogue,
                        core::Section section, const json& submitted, const json& current) {
  const std::string root = core::pointerOf(section);
  auto kept = prune(catalogue, root, current,
                    [&](const std::string& path) { return !decision.allows(path); });
  if (kept.is_null()) return submitted;
  json merged = submitted;
  // Merge object members recursively; an array is taken whole from whichever side has it.
  std::function<void(json&, const json&)> merge = [&](json& into, const json& from) {
    for (const auto& [key, value] : from.items()) {
      if (!into.contains(key))
        into[key] = value;
      else if (into[key].is_object() && value.is_object())
        merge(into[key], value);
    }
  };
  merge(merged, kept);
  return merged;
}

}  // namespace passerelle::policies
