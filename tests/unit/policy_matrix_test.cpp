// The default policy, field by field, for every partner kind and purpose, against the table in
// tests/data/default_policy_matrix.tsv (DESIGN §4 written as data).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "passerelle/policies/engine.hpp"

namespace passerelle::policies {
namespace {

using core::PartnerKind;
using core::Purpose;

enum class Expect { yes, consent, no };

struct Matrix {
  // (kind, purpose, target) -> (read, write); target is a section name or a catalogue path
  std::map<std::tuple<PartnerKind, Purpose, std::string>, std::pair<Expect, Expect>> lines;

  std::pair<Expect, Expect> expected(PartnerKind kind, Purpose purpose,
                                     const std::string& path) const {
    if (auto it = lines.find({kind, purpose, path}); it != lines.end()) return it->second;
    const auto section =
        std::string(core::toString(schemas::FieldCatalogue::sectionOf(core::FieldPath(path))));
    if (auto it = lines.find({kind, purpose, section}); it != lines.end()) return it->second;
    return {Expect::no, Expect::no};
  }
};

Expect parseExpect(const std::string& s) {
  if (s == "yes") return Expect::yes;
  if (s == "consent") return Expect::consent;
  if (s == "no") return Expect::no;
  throw std::runtime_error("bad access in matrix: " + s);
}

Matrix loadMatrix() {
  std::ifstream in(PASSERELLE_TEST_DATA "/default_policy_matrix.tsv");
  if (!in) throw std::runtime_error("matrix file missing");
  Matrix m;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream cols(line);
    std::string kind, purposes, target, read, write;
    std::getline(cols, kind, '\t');
    std::getline(cols, purposes, '\t');
    std::getline(cols, target, '\t');
    std::getline(cols, read, '\t');
    std::getline(cols, write, '\t');
    std::istringstream ps(purposes);
    for (std::string p; std::getline(ps, p, ',');)
      m.lines[{*core::parsePartnerKind(kind), *core::parsePurpose(p), target}] = {
          parseExpect(read), parseExpect(write)};
  }
  return m;
}

std::string describe(Expect e) {
  return e == Expect::yes ? "yes" : e == Expect::consent ? "consent" : "no";
}

// What the engine grants, expressed in the matrix's terms.
Expect observed(const PolicySet& policy, const schemas::FieldCatalogue& catalogue, PartnerKind kind,
                Purpose purpose, Access access, const std::string& path) {
  const core::UtcTime now = "2026-11-23T12:00:00.000Z";
  const AccessSubject subject{core::PartnerId("p"), kind, purpose, access, true};
  const auto without = decide(policy, catalogue, subject, {}, now);
  if (without.allows(path)) return Expect::yes;
  // A consent that covers everything, for this partner and purpose.
  core::ConsentRecord all{"c1",
                          *core::DossierId::parse("d" + std::string(26, 'a')),
                          core::ConsentRecord::Kind::given,
                          std::nullopt,
                          core::PartnerId("p"),
                          std::nullopt,
                          purpose,
                          core::allSections(),
                          {},
                          "2026-01-01T00:00:00.000Z",
                          core::ConsentMethod::ecrit,
                          "x",
                          "n1",
                          std::nullopt,
                          "2026-01-01T00:00:00.000Z",
                          core::PartnerId("d")};
  const auto with = decide(policy, catalogue, subject, {all}, now);
  if (with.allows(path)) {
    EXPECT_EQ(without.fields.at(path).reason, WithholdReason::consent_required) << path;
    EXPECT_EQ(with.fields.at(path).consent_id, "c1") << path;
    return Expect::consent;
  }
  return Expect::no;
}

TEST(PolicyMatrixTest, DefaultPolicyGrantsExactlyWhatTheTableSays) {
  const auto& catalogue = schemas::FieldCatalogue::builtin();
  const auto policy = PolicySet::builtin(catalogue);
  const auto matrix = loadMatrix();
  std::size_t checked = 0, differences = 0;
  for (auto kind : core::allPartnerKinds())
    for (auto purpose : core::allPurposes())
      for (const auto& field : catalogue.fields()) {
        const auto& path = field.path.str();
        const auto [read, write] = matrix.expected(kind, purpose, path);
        const auto got_read = observed(policy, catalogue, kind, purpose, Access::read, path);
        const auto got_write = observed(policy, catalogue, kind, purpose, Access::write, path);
        checked += 2;
        if (got_read != read || got_write != write) {
          ++differences;
          ADD_FAILURE() << core::toString(kind) << " " << core::toString(purpose) << " " << path
                        << ": read " << describe(got_read) << " (table: " << describe(read)
                        << "), write " << describe(got_write) << " (table: " << describe(write)
                        << ")";
          if (differences > 40) return;
        }
      }
  EXPECT_EQ(checked, 2 * core::allPartnerKinds().size() * core::allPurposes().size() *
                         catalogue.fields().size());
}

TEST(PolicyMatrixTest, KindsThatNeedARelationshipSeeNothingWithoutOne) {
  const auto& catalogue = schemas::FieldCatalogue::builtin();
  const auto policy = PolicySet::builtin(catalogue);
  for (auto kind : {PartnerKind::caf, PartnerKind::msa, PartnerKind::france_travail,
                    PartnerKind::structure_referente}) {
    const auto d =
        decide(policy, catalogue,
               {core::PartnerId("p"), kind, Purpose::accompagnement, Access::read, false}, {},
               "2026-11-23T12:00:00.000Z");
    EXPECT_FALSE(d.dossier_visible) << core::toString(kind);
    EXPECT_FALSE(std::any_of(d.fields.begin(), d.fields.end(), [](const auto& f) {
      return f.second.allowed;
    })) << core::toString(kind);
    EXPECT_EQ(d.fields.at("/identite/nom_naissance").reason, WithholdReason::no_relationship);
  }
  const auto dep = decide(policy, catalogue,
                          {core::PartnerId("p"), PartnerKind::departement, Purpose::accompagnement,
                           Access::read, false},
                          {}, "2026-11-23T12:00:00.000Z");
  EXPECT_TRUE(dep.dossier_visible);
}

}  // namespace
}  // namespace passerelle::policies
