#include <gtest/gtest.h>

#include <optional>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/dossiers/identifiers.hpp"
#include "service_harness.hpp"

namespace passerelle::dossiers {
namespace {

using core::ErrorKind;
using core::Section;
using nlohmann::json;

// The kind of the DomainError `f` throws; nothing if it throws none.
std::optional<ErrorKind> kindOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const core::DomainError& e) {
    return e.kind();
  }
  return std::nullopt;
}

class RelationshipLifecycleTest : public ::testing::Test {
 protected:
  RelationshipLifecycleTest() : id_(h_.createAsCaf(0)) {}

  void orientTo(const std::string& structure) {
    h_.dossiers.writeSection(h_.as("departement"), id_, Section::orientation,
                             {{"type", "socio_professionnelle"},
                              {"structure_referente", structure},
                              {"date_decision", "2026-10-01"}},
                             store::Precondition::any(), "test");
  }
  // Whether the partner can read the dossier; false when it is told the dossier does not exist.
  bool sees(const std::string& partner) {
    const auto error = kindOf([&] { h_.dossiers.read(h_.as(partner), id_); });
    EXPECT_TRUE(!error || *error == ErrorKind::not_found) << partner;
    return !error;
  }
  std::vector<core::Relationship> active() {
    std::vector<core::Relationship> out;
    const auto now = core::nowUtc();
    for (const auto& r : h_.relationships.list(h_.as("departement"), id_))
      if (r.activeAt(now)) out.push_back(r);
    return out;
  }

  testing::ServiceHarness h_;
  core::DossierId id_;
};

TEST_F(RelationshipLifecycleTest, AStructureSeesOnlyWhileItIsTheReferent) {
  // Before: not found, by id or by identifier, and nothing to learn from a write either.
  EXPECT_EQ(kindOf([&] { h_.dossiers.read(h_.as("mission-locale"), id_); }), ErrorKind::not_found);
  const std::string nir = h_.dossiers.read(h_.as("departement"), id_).sections["identite"]["nir"];
  EXPECT_EQ(kindOf([&] {
              h_.dossiers.lookup(h_.as("mission-locale"),
                                 parseQueryIdentifier(core::IdentifierKind::nir, nir));
            }),
            ErrorKind::not_found);
  EXPECT_EQ(kindOf([&] {
              h_.dossiers.writeSection(h_.as("mission-locale"), id_, Section::parcours,
                                       {{"date_entree", "2026-01-01"}}, store::Precondition::any(),
                                       "test");
            }),
            ErrorKind::not_found);

  // During: the orientation names it.
  orientTo("mission-locale");
  ASSERT_TRUE(sees("mission-locale"));
  const auto view = h_.dossiers.read(h_.as("mission-locale"), id_);
  EXPECT_FALSE(view.sections["identite"].contains("nir"));
  EXPECT_FALSE(view.sections.contains("foyer"));  // consent needed
  h_.dossiers.writeSection(h_.as("mission-locale"), id_, Section::parcours,
                           {{"date_entree", "2026-01-01"}}, store::Precondition::any(), "test");

  // Change of référent: the old structure's access ends, the new one's starts.
  orientTo("cap-emploi");
  EXPECT_FALSE(sees("mission-locale"));
  EXPECT_TRUE(sees("cap-emploi"));
  const auto all = h_.relationships.list(h_.as("departement"), id_);
  ASSERT_EQ(all.size(), 3u);  // caf (source), mission-locale (ended), cap-emploi
  const auto& ml = *std::find_if(all.begin(), all.end(),
                                 [](const auto& r) { return r.partner.str() == "mission-locale"; });
  EXPECT_TRUE(ml.ended_at.has_value());
  EXPECT_EQ(ml.origin, core::RelationshipOrigin::orientation);

  // Writing the same orientation again changes nothing.
  orientTo("cap-emploi");
  EXPECT_EQ(h_.relationships.list(h_.as("departement"), id_).size(), 3u);
}

TEST_F(RelationshipLifecycleTest, TheDepartementAttachesAndDetachesExplicitly) {
  const auto r = h_.relationships.attach(
      h_.as("departement"), id_,
      {{"partner", "mission-locale"}, {"reason", "Accompagnement renforcé"}});
  EXPECT_TRUE(sees("mission-locale"));
  EXPECT_EQ(r.origin, core::RelationshipOrigin::departement);
  h_.relationships.end(h_.as("departement"), id_, r.id);
  EXPECT_FALSE(sees("mission-locale"));
  EXPECT_EQ(kindOf([&] { h_.relationships.end(h_.as("departement"), id_, r.id); }),
            ErrorKind::not_found);
  // Ended relationships stay on record.
  EXPECT_EQ(h_.relationships.list(h_.as("dpo", core::Purpose::controle), id_).size(), 2u);
}

TEST_F(RelationshipLifecycleTest, APlannedEndAndAFutureStartAreHonoured) {
  h_.relationships.attach(
      h_.as("departement"), id_,
      {{"partner", "mission-locale"}, {"reason", "Plus tard"}, {"starts_at", "2099-01-01"}});
  EXPECT_FALSE(sees("mission-locale"));
  h_.relationships.attach(h_.as("departement"), id_,
                          {{"partner", "cap-emploi"},
                           {"reason", "Terminé"},
                           {"starts_at", "2020-01-01"},
                           {"ends_at", "2021-01-01"}});
  EXPECT_FALSE(sees("cap-emploi"));
}

TEST_F(RelationshipLifecycleTest, OnlyTheDepartementManagesRelationships) {
  EXPECT_EQ(kindOf([&] {
              h_.relationships.attach(h_.as("mission-locale"), id_,
                                      {{"partner", "mission-locale"}, {"reason", "Moi"}});
            }),
            ErrorKind::forbidden);
  EXPECT_EQ(
      kindOf([&] { h_.relationships.list(h_.as("caf", core::Purpose::instruction_rsa), id_); }),
      ErrorKind::forbidden);
}

TEST_F(RelationshipLifecycleTest, BadAttachmentsNameTheirFields) {
  try {
    h_.relationships.attach(
        h_.as("departement"), id_,
        {{"partner", "inconnu"}, {"starts_at", "2026-13-01"}, {"ends_at", "hier"}, {"extra", 1}});
    FAIL();
  } catch (const core::DomainError& e) {
    ASSERT_EQ(e.kind(), ErrorKind::validation_failed);
    std::set<std::string> pointers;
    for (const auto& f : e.fieldErrors()) pointers.insert(f.pointer);
    EXPECT_EQ(pointers,
              (std::set<std::string>{"/partner", "/reason", "/starts_at", "/ends_at", "/extra"}));
  }
  EXPECT_EQ(kindOf([&] {
              h_.relationships.attach(h_.as("departement"),
                                      *core::DossierId::parse("d" + std::string(26, 'z')),
                                      {{"partner", "mission-locale"}, {"reason", "x"}});
            }),
            ErrorKind::not_found);
}

TEST_F(RelationshipLifecycleTest, SourcesAreAttachedToWhatTheyPush) {
  const auto mine = h_.relationships.list(h_.as("departement"), id_);
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].partner.str(), "caf");
  EXPECT_EQ(mine[0].origin, core::RelationshipOrigin::source);
  EXPECT_FALSE(
      kindOf([&] { h_.dossiers.read(h_.as("caf", core::Purpose::instruction_rsa), id_); }));
  EXPECT_FALSE(sees("france-travail"));
}

}  // namespace
}  // namespace passerelle::dossiers
