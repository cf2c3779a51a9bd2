#include "passerelle/policies/partner_registry.hpp"

#include <gtest/gtest.h>

#include <tuple>

namespace passerelle::policies {
namespace {

using nlohmann::json;

const std::string kFp1(64, 'a'), kFp2(64, 'b'), kTok(64, 'c');

json entry(const std::string& id, const std::string& kind, const std::string& fp) {
  return {{"id", id},
          {"name", "Partenaire " + id},
          {"kind", kind},
          {"siret", "12345678901234"},
          {"certificate_sha256", {fp}},
          {"token_sha256", json::array()},
          {"dpa_reference", "X"}};
}

std::string errorOf(const json& doc) {
  try {
    PartnerRegistry::parse(doc, "partners.json");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "accepted";
}

TEST(PartnerRegistryTest, FindsPartnersByCertificateTokenAndId) {
  auto caf = entry("caf", "caf", kFp1);
  caf["token_sha256"] = {kTok};
  const auto registry =
      PartnerRegistry::parse({{"partners", {caf, entry("ml", "structure_referente", kFp2)}}}, "t");
  ASSERT_NE(registry.byCertificate(kFp1), nullptr);
  EXPECT_EQ(registry.byCertificate(kFp1)->id.str(), "caf");
  EXPECT_EQ(registry.byCertificate(std::string(64, 'A'))->id.str(), "caf");  // case-insensitive
  EXPECT_EQ(registry.byTokenHash(kTok)->id.str(), "caf");
  EXPECT_EQ(registry.byId(core::PartnerId("ml"))->kind, PartnerKind::structure_referente);
  EXPECT_EQ(registry.byCertificate(std::string(64, 'd')), nullptr);
  EXPECT_EQ(registry.byTokenHash(kFp1), nullptr);
}

TEST(PartnerRegistryTest, RoundTripsThroughJson) {
  const auto registry = PartnerRegistry::parse({{"partners", {entry("caf", "caf", kFp1)}}}, "t");
  const auto again = PartnerRegistry::parse(registry.toJson(), "t");
  EXPECT_EQ(again.partners().size(), 1u);
  EXPECT_EQ(again.byCertificate(kFp1)->siret, "12345678901234");
}

TEST(PartnerRegistryTest, AnEvaluateursStudiesAreReadCheckedAndRoundTrip) {
  auto evaluateur = entry("dares", "evaluateur", kFp1);
  const json study = {{"id", "etude-1"},
                      {"public_key", std::string(64, 'A')},
                      {"profiles", {"annexe-e"}},
                      {"valid_from", "2026-01-01"},
                      {"valid_until", "2027-12-31"}};
  evaluateur["studies"] = {study};
  const auto registry = PartnerRegistry::parse({{"partners", {evaluateur}}}, "t");
  const auto again = PartnerRegistry::parse(registry.toJson(), "t");
  const auto* s = again.byId(core::PartnerId("dares"))->study("etude-1");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->public_key, std::string(64, 'a'));
  EXPECT_TRUE(s->allows("annexe-e"));
  EXPECT_FALSE(s->allows("indicateurs"));
  EXPECT_TRUE(s->validOn("2027-12-31"));
  EXPECT_FALSE(s->validOn("2028-01-01"));

  auto caf = entry("caf", "caf", kFp2);
  caf["studies"] = {study};
  EXPECT_NE(errorOf({{"partners", {caf}}}).find("only an evaluateur has studies"),
            std::string::npos);
  for (const auto& [key, value, message] : std::vector<std::tuple<std::string, json, std::string>>{
           {"public_key", "abcd", "X25519 key in 64 hex digits"},
           {"valid_until", "2025-12-31", "dates, in order"},
           {"profiles", json::array(), "profiles must not be empty"},
           {"id", "Etude 1", "id must match"}}) {
    auto bad = evaluateur;
    bad["studies"][0][key] = value;
    EXPECT_NE(errorOf({{"partners", {bad}}}).find(message), std::string::npos) << key;
  }
}

TEST(PartnerRegistryTest, AWebhookIsReadCheckedAndRoundTrips) {
  auto dep = entry("departement", "departement", kFp1);
  const std::string secret(40, 's');
  dep["webhook"] = {{"url", "https://si.departement.example/passerelle/hook"},
                    {"secret", secret},
                    {"purpose", "accompagnement"}};
  const auto registry = PartnerRegistry::parse({{"partners", {dep}}}, "t");
  const auto& webhook = registry.byId(core::PartnerId("departement"))->webhook;
  ASSERT_TRUE(webhook);
  EXPECT_EQ(webhook->url, "https://si.departement.example/passerelle/hook");
  EXPECT_EQ(webhook->purpose, core::Purpose::accompagnement);
  EXPECT_EQ(PartnerRegistry::parse(registry.toJson(), "again")
                .byId(core::PartnerId("departement"))
                ->webhook->secret,
            secret);

  auto with = [&](const json& webhook) {
    auto e = dep;
    e["webhook"] = webhook;
    return errorOf({{"partners", {e}}});
  };
  EXPECT_NE(
      with({{"url", "http://si.example/hook"}, {"secret", secret}, {"purpose", "accompagnement"}})
          .find("https"),
      std::string::npos)
      << "notifications travel over TLS";
  EXPECT_EQ(with({{"url", "http://127.0.0.1:9000/hook"},
                  {"secret", secret},
                  {"purpose", "accompagnement"}}),
            "accepted")
      << "plain HTTP to the loopback only (a local relay, tests)";
  EXPECT_NE(
      with({{"url", "https://si.example/"}, {"secret", "court"}, {"purpose", "accompagnement"}})
          .find("32"),
      std::string::npos);
  EXPECT_NE(with({{"url", "https://si.example/"}, {"secret", secret}}).find("purpose"),
            std::string::npos);
}

TEST(PartnerRegistryTest, BadEntriesAreRefusedNamingFileAndEntry) {
  EXPECT_NE(errorOf({{"partners", {entry("caf", "banque", kFp1)}}})
                .find("partners.json: partner #0 (caf): unknown kind"),
            std::string::npos);
  EXPECT_NE(errorOf({{"partners", {entry("caf", "caf", kFp1), entry("caf", "caf", kFp2)}}})
                .find("declared twice"),
            std::string::npos);
  EXPECT_NE(errorOf({{"partners", {entry("caf", "caf", kFp1), entry("msa", "msa", kFp1)}}})
                .find("another partner"),
            std::string::npos);
  EXPECT_NE(errorOf({{"partners", {entry("caf", "caf", "abc")}}}).find("64-digit"),
            std::string::npos);
  EXPECT_NE(errorOf({{"partners", {entry("CAF!", "caf", kFp1)}}}).find("id must match"),
            std::string::npos);
  auto no_name = entry("caf", "caf", kFp1);
  no_name.erase("name");
  EXPECT_NE(errorOf({{"partners", {no_name}}}).find("required"), std::string::npos);
  EXPECT_NE(errorOf(json::array()).find("\"partners\" array"), std::string::npos);
  auto bad_siret = entry("caf", "caf", kFp1);
  bad_siret["siret"] = "123";
  EXPECT_NE(errorOf({{"partners", {bad_siret}}}).find("siret"), std::string::npos);
}

}  // namespace
}  // namespace passerelle::policies
