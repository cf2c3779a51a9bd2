#include "passerelle/schemas/section_validator.hpp"

#include <gtest/gtest.h>

#include "passerelle/testdata/synthetic_dossiers.hpp"

namespace passerelle::schemas {
namespace {

using core::Section;
using nlohmann::json;

class SectionValidatorTest : public ::testing::Test {
 protected:
  static const SectionValidator& validator() {
    static const SectionValidator v;
    return v;
  }
  static std::vector<core::FieldError> errorsOf(Section s, const json& doc) {
    return validator().validate(s, doc);
  }
  static bool hasError(const std::vector<core::FieldError>& errors, const std::string& pointer,
                       const std::string& rule) {
    for (const auto& e : errors)
      if (e.pointer == pointer && e.rule == rule) return true;
    return false;
  }
  static json validIdentite() {
    return {{"nom_naissance", "Pissenlit"}, {"prenoms", {"Zoé"}}, {"date_naissance", "1990-04-12"}};
  }
};

TEST_F(SectionValidatorTest, EverySectionOfTheSyntheticPopulationValidates) {
  std::map<std::string, int> seen;
  for (const auto& dossier : testdata::syntheticDossiers(300)) {
    for (const auto& [name, content] : dossier.items()) {
      const auto errors = errorsOf(*core::parseSection(name), content);
      ASSERT_TRUE(errors.empty()) << name << ": " << errors.front().pointer << " "
                                  << errors.front().rule << " " << errors.front().message;
      ++seen[name];
    }
  }
  EXPECT_EQ(seen.size(), core::allSections().size()) << "the demo data must exercise every section";
}

TEST_F(SectionValidatorTest, MissingRequiredFieldIsNamed) {
  auto doc = validIdentite();
  doc.erase("nom_naissance");
  EXPECT_TRUE(hasError(errorsOf(Section::identite, doc), "/nom_naissance", "required"));
}

TEST_F(SectionValidatorTest, UnknownFieldIsNamed) {
  auto doc = validIdentite();
  doc["surnom"] = "Pipou";
  EXPECT_TRUE(hasError(errorsOf(Section::identite, doc), "/surnom", "additionalProperties"));
}

TEST_F(SectionValidatorTest, WrongTypeEnumPatternAndFormatAreNamed) {
  EXPECT_TRUE(hasError(errorsOf(Section::droits, {{"rsa", {{"etat_dossier", "2"}}}}),
                       "/rsa/etat_dossier", "type"));
  EXPECT_TRUE(hasError(errorsOf(Section::droits, {{"rsa", {{"etat_dossier", 7}}}}),
                       "/rsa/etat_dossier", "enum"));
  EXPECT_TRUE(hasError(errorsOf(Section::contact, {{"adresse", {{"code_postal", "9320"}}}}),
                       "/adresse/code_postal", "pattern"));
  auto doc = validIdentite();
  doc["date_naissance"] = "1990-13-01";
  EXPECT_TRUE(hasError(errorsOf(Section::identite, doc), "/date_naissance", "format"));
  doc["date_naissance"] = "12/04/1990";
  EXPECT_TRUE(hasError(errorsOf(Section::identite, doc), "/date_naissance", "format"));
}

TEST_F(SectionValidatorTest, ErrorsInsideArraysPointAtTheItem) {
  json parcours = {{"actions", json::array({{{"code", "A1"}, {"date_prescription", "2025-01-02"}},
                                            {{"code", "A2"}, {"date_prescription", "hier"}}})}};
  EXPECT_TRUE(
      hasError(errorsOf(Section::parcours, parcours), "/actions/1/date_prescription", "format"));
}

TEST_F(SectionValidatorTest, LimitsOnLengthAndCountAreNamed) {
  auto doc = validIdentite();
  doc["nom_naissance"] = std::string(101, 'a');
  EXPECT_TRUE(hasError(errorsOf(Section::identite, doc), "/nom_naissance", "maxLength"));
  doc = validIdentite();
  doc["prenoms"] = json::array();
  EXPECT_TRUE(hasError(errorsOf(Section::identite, doc), "/prenoms", "minItems"));
  EXPECT_TRUE(
      hasError(errorsOf(Section::foyer, {{"nombre_enfants", -1}}), "/nombre_enfants", "minimum"));
}

TEST_F(SectionValidatorTest, NirWithAWrongKeyIsRefusedButItsValueIsNotQuoted) {
  auto doc = validIdentite();
  doc["nir"] = "255081416802539";
  const auto errors = errorsOf(Section::identite, doc);
  ASSERT_TRUE(hasError(errors, "/nir", "nirKey"));
  for (const auto& e : errors) EXPECT_EQ(e.message.find("2550814168025"), std::string::npos);
  doc["nir"] = "255081416802538";
  EXPECT_TRUE(errorsOf(Section::identite, doc).empty());
}

TEST_F(SectionValidatorTest, ASectionMustBeAnObject) {
  EXPECT_TRUE(hasError(errorsOf(Section::contact, json::array()), "", "type"));
  EXPECT_TRUE(hasError(errorsOf(Section::contact, "text"), "", "type"));
}

// Found by the json_body fuzzer: valijson casts a value to a string for a `format` check even
// when it is an array, and threw; the gateway answered 500. It is a type error at that field.
TEST_F(SectionValidatorTest, ANonStringWhereAFormatAppliesIsATypeErrorNamingTheField) {
  const auto errors = errorsOf(
      Section::contrat, json::parse(R"({"date_debut":"2026-06-22","date_signature":["Omar"]})"));
  EXPECT_TRUE(hasError(errors, "/date_signature", "type"));
}

}  // namespace
}  // namespace passerelle::schemas
