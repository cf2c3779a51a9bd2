#include "passerelle/policies/policy_set.hpp"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "passerelle/crypto/digest.hpp"

namespace passerelle::policies {

namespace detail {
const std::map<std::string, std::string>& defaultPolicyFiles();
}

namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& file, const std::string& rule, const std::string& what) {
  throw PolicyError("policy " + file + (rule.empty() ? "" : ", rule " + rule) + ": " + what);
}

void onlyKeys(const json& object, const std::set<std::string>& allowed, const std::string& file,
              const std::string& rule, const std::string& where) {
  if (!object.is_object()) fail(file, rule, where + " must be an object");
  for (const auto& [key, value] : object.items())
    if (allowed.count(key) == 0) fail(file, rule, "unknown key \"" + key + "\" in " + where);
}

std::string stringAt(const json& object, const char* key, const std::string& file,
                     const std::string& rule) {
  if (!object.contains(key) || !object[key].is_string() || object[key].get<std::string>().empty())
    fail(file, rule, std::string("\"") + key + "\" must be a non-empty string");
  return object[key].get<std::string>();
}

// The catalogue leaves one selector designates: {"section"}, {"path"} (a leaf or an object
// holding leaves), {"category"}, or a section with a category.
std::set<std::string> select(const json& selector, const schemas::FieldCatalogue& catalogue,
                             const std::string& file, const std::string& rule) {
  onlyKeys(selector, {"section", "path", "category"}, file, rule, "a field selector");
  if (selector.empty()) fail(file, rule, "an empty field selector selects nothing");
  std::optional<core::Section> section;
  std::optional<core::FieldCategory> category;
  std::optional<std::string> path;
  if (selector.contains("section")) {
    section = core::parseSection(selector["section"].get<std::string>());
    if (!section)
      fail(file, rule, "unknown section \"" + selector["section"].get<std::string>() + "\"");
  }
  if (selector.contains("category")) {
    category = core::parseFieldCategory(selector["category"].get<std::string>());
    if (!category)
      fail(file, rule, "unknown category \"" + selector["category"].get<std::string>() + "\"");
  }
  if (selector.contains("path")) path = selector["path"].get<std::string>();
  std::set<std::string> out;
  for (const auto& f : catalogue.fields()) {
    const auto& p = f.path.str();
    if (section && schemas::FieldCatalogue::sectionOf(f.path) != *section) continue;
    if (category && f.category != *category) continue;
    if (path && p != *path && !p.starts_with(*path + "/")) continue;
    out.insert(p);
  }
  if (out.empty()) fail(file, rule, "the selector " + selector.dump() + " matches no field");
  return out;
}

LegalBasis basisOf(const json& rule_doc, const std::string& file, const std::string& rule) {
  if (!rule_doc.contains("legal_basis")) fail(file, rule, "\"legal_basis\" is required");
  const auto& b = rule_doc["legal_basis"];
  onlyKeys(b, {"article_6", "article_9"}, file, rule, "legal_basis");
  static const std::regex art6("^6-1-[a-f]$"), art9("^9-2-[a-j]$");
  LegalBasis basis{stringAt(b, "article_6", file, rule), std::nullopt};
  if (!std::regex_match(basis.article_6, art6))
    fail(file, rule, "article_6 must be one of 6-1-a ... 6-1-f");
  if (b.contains("article_9")) {
    basis.article_9 = stringAt(b, "article_9", file, rule);
    if (!std::regex_match(*basis.article_9, art9))
      fail(file, rule, "article_9 must be one of 9-2-a ... 9-2-j");
  }
  return basis;
}

// A survey-contact file names people so that an évaluateur can reach them: it goes to
// évaluateurs only, for evaluation, and holds identity and contact fields, never the NIR.
void checkSurveyContact(const PolicyRule& rule, const schemas::FieldCatalogue& catalogue) {
  if (rule.kind != core::PartnerKind::evaluateur)
    fail(rule.file, rule.id, "only an evaluateur receives a survey-contact file");
  if (rule.purposes != std::vector<core::Purpose>{core::Purpose::evaluation})
    fail(rule.file, rule.id, "a survey_contact rule serves the purpose evaluation only");
  for (const auto& p : rule.fields) {
    const auto section = schemas::FieldCatalogue::sectionOf(p);
    if ((section != core::Section::identite && section != core::Section::contact) ||
        p.str() == "/identite/nir" ||
        catalogue.find(p.str())->category == core::FieldCategory::sensible)
      fail(rule.file, rule.id,
           "a survey-contact file holds identity and contact fields only (not " + p.str() + ")");
  }
}

PolicyRule parseRule(const json& doc, core::PartnerKind kind, const std::string& file,
                     const schemas::FieldCatalogue& catalogue) {
  const std::string id = doc.is_object() && doc.contains("id") && doc["id"].is_string()
                             ? doc["id"].get<std::string>()
                             : std::string("(without id)");
  onlyKeys(
      doc,
      {"id", "access", "purposes", "fields", "except", "legal_basis", "consent", "description"},
      file, id, "the rule");
  PolicyRule rule;
  rule.id = stringAt(doc, "id", file, id);
  rule.file = file;
  rule.kind = kind;
  const auto access = stringAt(doc, "access", file, id);
  if (access != "read" && access != "write" && access != "survey_contact")
    fail(file, id, "access must be \"read\", \"write\" or \"survey_contact\"");
  rule.access = access == "read"    ? Access::read
                : access == "write" ? Access::write
                                    : Access::survey_contact;
  if (!doc.contains("purposes") || !doc["purposes"].is_array() || doc["purposes"].empty())
    fail(file, id, "\"purposes\" must list at least one purpose");
  for (const auto& p : doc["purposes"]) {
    const auto purpose = p.is_string() ? core::parsePurpose(p.get<std::string>()) : std::nullopt;
    if (!purpose) fail(file, id, "unknown purpose " + p.dump());
    rule.purposes.push_back(*purpose);
  }
  if (!doc.contains("fields") || !doc["fields"].is_array() || doc["fields"].empty())
    fail(file, id, "\"fields\" must list at least one selector");
  std::set<std::string> fields;
  for (const auto& s : doc["fields"]) fields.merge(select(s, catalogue, file, id));
  for (const auto& s : doc.value("except", json::array()))
    for (const auto& p : select(s, catalogue, file, id)) fields.erase(p);
  if (fields.empty()) fail(file, id, "the exceptions remove every field");
  for (const auto& p : fields) rule.fields.emplace_back(p);
  rule.basis = basisOf(doc, file, id);
  if (!doc.contains("consent") || !doc["consent"].is_boolean())
    fail(file, id, "\"consent\" must be true or false");
  rule.consent_required = doc["consent"].get<bool>();
  rule.description = stringAt(doc, "description", file, id);

  const bool consent_basis = rule.basis.article_6 == "6-1-a" || rule.basis.article_9 == "9-2-a";
  if (rule.consent_required != consent_basis)
    fail(file, id,
         rule.consent_required
             ? "consent is required but the legal basis is not consent (6-1-a or 9-2-a)"
             : "the legal basis is consent (6-1-a or 9-2-a) but consent is not required");
  for (const auto& p : rule.fields)
    if (catalogue.find(p.str())->category == core::FieldCategory::sensible && !rule.basis.article_9)
      fail(file, id, "covers the sensitive field " + p.str() + " without an article 9 basis");
  if (rule.access == Access::survey_contact) checkSurveyContact(rule, catalogue);
  return rule;
}

// Two rules that grant the same access to the same field for the same kind and purpose must
// agree on whether consent is needed, or the policy says two things at once.
void checkContradictions(const std::vector<PolicyRule>& rules) {
  std::map<std::string, const PolicyRule*> seen;
  std::set<std::string> ids;
  for (const auto& r : rules) {
    if (!ids.insert(r.id).second) fail(r.file, r.id, "another rule has the same id");
    for (auto purpose : r.purposes)
      for (const auto& f : r.fields) {
        const auto key = std::string(toString(r.access)) + " " +
                         std::string(core::toString(purpose)) + " " + f.str() + " " +
                         std::string(core::toString(r.kind));
        auto [it, inserted] = seen.emplace(key, &r);
        if (!inserted && it->second->consent_required != r.consent_required)
          fail(r.file, r.id,
               "contradicts rule " + it->second->id + " on " + f.str() + " for purpose " +
                   std::string(core::toString(purpose)) + " (one requires consent, the other not)");
      }
  }
}

json parseJson(const std::string& file, const std::string& text) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    fail(file, "", "not valid JSON (byte " + std::to_string(e.byte) + ")");
  } catch (const json::out_of_range&) {
    fail(file, "", "not valid JSON (a number out of range)");
  }
}

}  // namespace

std::string_view toString(Access access) {
  switch (access) {
    case Access::read:
      return "read";
    case Access::write:
      return "write";
    case Access::survey_contact:
      return "survey_contact";
  }
  return "read";
}

std::string_view toString(MatchKey key) {
  switch (key) {
    case MatchKey::nir:
      return "nir";
    case MatchKey::caf:
      return "caf";
    case MatchKey::msa:
      return "msa";
    case MatchKey::france_travail:
      return "france_travail";
    case MatchKey::departement:
      return "departement";
  }
  return "nir";
}

std::optional<MatchKey> parseMatchKey(std::string_view name) {
  for (auto key : {MatchKey::nir, MatchKey::caf, MatchKey::msa, MatchKey::france_travail,
                   MatchKey::departement})
    if (toString(key) == name) return key;
  return std::nullopt;
}

MatchKey matchKeyOf(const core::Identifier& identifier) {
  switch (identifier.kind) {
    case core::IdentifierKind::nir:
      return MatchKey::nir;
    case core::IdentifierKind::caf:
      // Normalised as ORGANISME:NUMERO:MATRICULE (dossiers/identifiers.hpp).
      return identifier.normalised.starts_with("MSA:") ? MatchKey::msa : MatchKey::caf;
    case core::IdentifierKind::france_travail:
      return MatchKey::france_travail;
    case core::IdentifierKind::departement:
      return MatchKey::departement;
  }
  return MatchKey::nir;
}

namespace {
constexpr std::pair<Capability, std::string_view> kCapabilityNames[] = {
    {Capability::audit_search, "audit_search"},
    {Capability::audit_person_report, "audit_person_report"},
    {Capability::audit_any_entry, "audit_any_entry"},
    {Capability::policy_reload, "policy_reload"},
    {Capability::webhook_deliveries_any, "webhook_deliveries_any"},
    {Capability::indicators, "indicators"},
    {Capability::exports, "exports"},
    {Capability::exports_any_status, "exports_any_status"},
    {Capability::erasure, "erasure"},
    {Capability::reconciliation, "reconciliation"},
    {Capability::consents_read, "consents_read"},
    {Capability::console, "console"},
};
}  // namespace

std::string_view toString(Capability capability) {
  for (const auto& [c, name] : kCapabilityNames)
    if (c == capability) return name;
  return "?";
}

std::optional<Capability> parseCapability(std::string_view name) {
  for (const auto& [c, n] : kCapabilityNames)
    if (n == name) return c;
  return std::nullopt;
}

const std::vector<Capability>& allCapabilities() {
  static const std::vector<Capability> all = [] {
    std::vector<Capability> out;
    for (const auto& [c, name] : kCapabilityNames) out.push_back(c);
    return out;
  }();
  return all;
}

bool PolicySet::grantsAny(core::PartnerKind kind, core::Purpose purpose, Access access) const {
  return std::any_of(rules_.begin(), rules_.end(), [&](const PolicyRule& r) {
    return r.kind == kind && r.access == access &&
           std::find(r.purposes.begin(), r.purposes.end(), purpose) != r.purposes.end();
  });
}

PolicySet PolicySet::parse(const std::map<std::string, std::string>& files,
                           const schemas::FieldCatalogue& catalogue) {
  auto manifest_it = files.find("policy.json");
  if (manifest_it == files.end()) fail("policy.json", "", "the manifest is missing");
  const auto manifest = parseJson("policy.json", manifest_it->second);
  onlyKeys(
      manifest,
      {"version", "title", "relationship_required", "sources", "relationship_managers",
       "history_readers", "consent_recorders", "consent_withdrawers", "match_on", "capabilities"},
      "policy.json", "", "the manifest");
  PolicySet set;
  const auto version = stringAt(manifest, "version", "policy.json", "");
  set.title_ = stringAt(manifest, "title", "policy.json", "");
  auto kinds = [&](const char* key, std::set<core::PartnerKind>& into) {
    for (const auto& k : manifest.value(key, json::array())) {
      const auto kind = k.is_string() ? core::parsePartnerKind(k.get<std::string>()) : std::nullopt;
      if (!kind) fail("policy.json", "", std::string(key) + ": unknown partner kind " + k.dump());
      into.insert(*kind);
    }
  };
  kinds("relationship_required", set.relationship_required_);
  kinds("sources", set.sources_);
  kinds("relationship_managers", set.relationship_managers_);
  kinds("history_readers", set.history_readers_);
  kinds("consent_withdrawers", set.consent_withdrawers_);
  const auto kindKey = [](const std::string& where, const std::string& name) {
    const auto kind = core::parsePartnerKind(name);
    if (!kind) fail("policy.json", "", where + ": unknown partner kind \"" + name + "\"");
    return *kind;
  };
  const auto recorders = manifest.value("consent_recorders", json::object());
  if (!recorders.is_object()) fail("policy.json", "", "consent_recorders must be an object");
  for (const auto& [name, grantees] : recorders.items()) {
    const auto kind = kindKey("consent_recorders", name);
    if (grantees != "any" && grantees != "self")
      fail("policy.json", "", "consent_recorders." + name + " must be \"any\" or \"self\"");
    set.consent_recorders_[kind] = grantees == "any" ? ConsentGrantees::any : ConsentGrantees::self;
  }
  const auto capabilities = manifest.value("capabilities", json::object());
  if (!capabilities.is_object()) fail("policy.json", "", "capabilities must be an object");
  for (const auto& [name, granted] : capabilities.items()) {
    const auto capability = parseCapability(name);
    if (!capability) fail("policy.json", "", "capabilities: unknown capability \"" + name + "\"");
    if (!granted.is_array())
      fail("policy.json", "", "capabilities." + name + " must be a list of partner kinds");
    auto& kinds_of = set.capabilities_[*capability];
    for (const auto& k : granted)
      kinds_of.insert(kindKey("capabilities." + name, k.is_string() ? k.get<std::string>() : ""));
  }
  const auto match_on = manifest.value("match_on", json::object());
  if (!match_on.is_object()) fail("policy.json", "", "match_on must be an object");
  for (const auto& [name, keys] : match_on.items()) {
    const auto kind = kindKey("match_on", name);
    if (!keys.is_array()) fail("policy.json", "", "match_on." + name + " must be a list");
    for (const auto& k : keys) {
      const auto key = k.is_string() ? parseMatchKey(k.get<std::string>()) : std::nullopt;
      if (!key)
        fail("policy.json", "",
             "match_on." + name + ": " + k.dump() +
                 " is not one of nir, caf, msa, france_travail, departement");
      set.match_on_[kind].insert(*key);
    }
  }
  std::string all_content;
  for (const auto& [name, text] : files) {
    all_content += name + "\n" + text + "\n";
    if (name == "policy.json") continue;
    const auto doc = parseJson(name, text);
    onlyKeys(doc, {"partner_kind", "rules"}, name, "", "the file");
    const auto kind = core::parsePartnerKind(stringAt(doc, "partner_kind", name, ""));
    if (!kind)
      fail(name, "", "unknown partner kind \"" + doc["partner_kind"].get<std::string>() + "\"");
    if (name != std::string(core::toString(*kind)) + ".json")
      fail(name, "",
           "the rules of partner kind " + std::string(core::toString(*kind)) + " go in " +
               std::string(core::toString(*kind)) + ".json");
    if (!doc.contains("rules") || !doc["rules"].is_array())
      fail(name, "", "\"rules\" must be a list");
    for (const auto& r : doc["rules"]) set.rules_.push_back(parseRule(r, *kind, name, catalogue));
  }
  checkContradictions(set.rules_);
  set.version_ = version + "+" + crypto::sha256Hex(all_content).substr(0, 12);
  return set;
}

PolicySet PolicySet::loadDirectory(const std::filesystem::path& dir,
                                   const schemas::FieldCatalogue& catalogue) {
  if (!std::filesystem::is_directory(dir))
    throw PolicyError("policy directory " + dir.string() + " does not exist");
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    if (!in) throw PolicyError("policy file " + entry.path().string() + " cannot be read");
    files[entry.path().filename().string()] = text.str();
  }
  try {
    return parse(files, catalogue);
  } catch (const PolicyError& e) {
    throw PolicyError(std::string(e.what()) + " (in " + dir.string() + ")");
  }
}

const std::map<std::string, std::string>& PolicySet::builtinFiles() {
  return detail::defaultPolicyFiles();
}

PolicySet PolicySet::builtin(const schemas::FieldCatalogue& catalogue) {
  return parse(builtinFiles(), catalogue);
}

}  // namespace passerelle::policies
