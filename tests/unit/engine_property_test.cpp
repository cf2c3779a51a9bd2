// Property: for random policies, consents and dossiers, what the engine discloses is exactly
// what its trace grants, and every field of the dossier is either disclosed or listed as
// withheld, never both, never neither.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "passerelle/policies/engine.hpp"
#include "passerelle/testdata/synthetic_dossiers.hpp"

namespace passerelle::policies {
namespace {

using nlohmann::json;

class RandomPolicies {
 public:
  explicit RandomPolicies(unsigned seed) : rng_(seed) {}

  int upTo(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool coin() { return upTo(2) == 0; }

  // Rules that never contradict each other: fields at even catalogue positions are granted only
  // without consent, fields at odd positions only with consent.
  PolicySet policy(const schemas::FieldCatalogue& catalogue) {
    std::map<std::string, json> kinds;
    const auto& fields = catalogue.fields();
    const int n_rules = 1 + upTo(12);
    for (int r = 0; r < n_rules; ++r) {
      const bool consent = coin();
      const auto kind = core::allPartnerKinds()[static_cast<std::size_t>(upTo(7))];
      json selectors = json::array();
      for (std::size_t i = consent ? 1 : 0; i < fields.size(); i += 2)
        if (upTo(3) == 0) selectors.push_back({{"path", fields[i].path.str()}});
      if (selectors.empty()) selectors.push_back({{"path", fields[consent ? 1 : 0].path.str()}});
      json purposes = json::array();
      for (auto p : core::allPurposes())
        if (coin()) purposes.push_back(std::string(core::toString(p)));
      if (purposes.empty()) purposes.push_back("accompagnement");
      auto& file = kinds[std::string(core::toString(kind))];
      file["partner_kind"] = std::string(core::toString(kind));
      file["rules"].push_back({{"id", "r" + std::to_string(r)},
                               {"access", "read"},
                               {"purposes", purposes},
                               {"fields", selectors},
                               {"legal_basis",
                                {{"article_6", consent ? "6-1-a" : "6-1-e"},
                                 {"article_9", consent ? "9-2-a" : "9-2-b"}}},
                               {"consent", consent},
                               {"description", "règle aléatoire"}});
    }
    json manifest = {
        {"version", "random"}, {"title", "random"}, {"relationship_required", json::array()}};
    if (coin()) manifest["relationship_required"].push_back("structure_referente");
    std::map<std::string, std::string> files = {{"policy.json", manifest.dump()}};
    for (const auto& [kind, doc] : kinds) files[kind + ".json"] = doc.dump();
    return PolicySet::parse(files, catalogue);
  }

  std::vector<core::ConsentRecord> consents(core::PartnerKind kind) {
    std::vector<core::ConsentRecord> out;
    const auto dossier = *core::DossierId::parse("d" + std::string(26, 'a'));
    for (int i = upTo(4); i > 0; --i) {
      std::vector<core::Section> sections;
      for (auto s : core::allSections())
        if (upTo(3) == 0) sections.push_back(s);
      core::ConsentRecord c{"c" + std::to_string(i),
                            dossier,
                            core::ConsentRecord::Kind::given,
                            std::nullopt,
                            std::nullopt,
                            std::nullopt,
                            core::allPurposes()[static_cast<std::size_t>(upTo(7))],
                            sections,
                            {},
                            coin() ? "2026-01-01T00:00:00.000Z" : "2027-01-01T00:00:00.000Z",
                            core::ConsentMethod::oral,
                            "x",
                            "n",
                            std::nullopt,
                            "2026-01-01T00:00:00.000Z",
                            core::PartnerId("d")};
      if (coin())
        c.grantee_kind = kind;
      else
        c.grantee_partner = core::PartnerId(coin() ? "p" : "autre");
      if (coin()) c.categories.push_back(core::FieldCategory::sensible);
      if (coin()) c.expires_at = coin() ? "2026-06-01T00:00:00.000Z" : "2028-01-01T00:00:00.000Z";
      out.push_back(c);
      if (upTo(4) == 0) {
        auto w = c;
        w.id = "w" + std::to_string(i);
        w.kind = core::ConsentRecord::Kind::withdrawn;
        w.withdraws = c.id;
        out.push_back(w);
      }
    }
    return out;
  }

 private:
  std::mt19937 rng_;
};

std::set<std::string> leavesOf(const schemas::FieldCatalogue& catalogue, const json& sections) {
  std::set<std::string> out;
  for (const auto& [name, doc] : sections.items())
    for (const auto& p : presentFields(catalogue, *core::parseSection(name), doc)) out.insert(p);
  return out;
}

TEST(EnginePropertyTest, DisclosedIsExactlyWhatTheTraceGrantsAndNothingIsLost) {
  const auto& catalogue = schemas::FieldCatalogue::builtin();
  const auto people = testdata::syntheticDossiers(60, 7);
  RandomPolicies random(20261123);
  const core::UtcTime now = "2026-11-23T12:00:00.000Z";
  std::size_t disclosed_total = 0, withheld_total = 0;
  for (int round = 0; round < 300; ++round) {
    const auto policy = random.policy(catalogue);
    const auto kind = core::allPartnerKinds()[static_cast<std::size_t>(random.upTo(7))];
    const auto purpose = core::allPurposes()[static_cast<std::size_t>(random.upTo(7))];
    const auto consents = random.consents(kind);
    const AccessSubject subject{core::PartnerId("p"), kind, purpose, Access::read, random.coin()};
    const auto decision = decide(policy, catalogue, subject, consents, now);
    const auto& dossier = people[static_cast<std::size_t>(round) % people.size()];
    const auto filtered = filterDossier(decision, catalogue, dossier);

    const auto present = leavesOf(catalogue, dossier);
    const auto visible = leavesOf(catalogue, filtered.sections);
    std::set<std::string> withheld;
    for (const auto& w : filtered.withheld) {
      EXPECT_TRUE(withheld.insert(w.path).second) << "withheld twice: " << w.path;
      EXPECT_EQ(visible.count(w.path), 0u) << "both visible and withheld: " << w.path;
    }
    std::set<std::string> granted;
    for (const auto& t : decision.trace())
      for (const auto& f : t.fields) granted.insert(f);
    const auto in_force = consentsInForce(consents, now);
    for (const auto& v : visible) {
      EXPECT_TRUE(granted.count(v)) << "disclosed without a rule in the trace: " << v;
      const auto& f = decision.fields.at(v);
      if (f.rule->consent_required) {
        ASSERT_TRUE(f.consent_id.has_value()) << v;
        EXPECT_TRUE(std::any_of(in_force.begin(), in_force.end(),
                                [&](const auto& c) { return c.id == *f.consent_id; }))
            << v << " relies on a consent not in force";
      }
    }
    EXPECT_EQ(filtered.disclosed, std::vector<std::string>(visible.begin(), visible.end()))
        << "the disclosed list is not what the kept documents hold, round " << round;
    std::set<std::string> both = visible;
    both.insert(withheld.begin(), withheld.end());
    EXPECT_EQ(both, present) << "round " << round;
    disclosed_total += visible.size();
    withheld_total += withheld.size();
  }
  // The generator must exercise both outcomes, or the property says little.
  EXPECT_GT(disclosed_total, 300u);
  EXPECT_GT(withheld_total, 300u);
}

}  // namespace
}  // namespace passerelle::policies
