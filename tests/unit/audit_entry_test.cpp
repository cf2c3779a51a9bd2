// The canonical form of audit entries and signed checkpoints.
#include "passerelle/audit/audit_entry.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "passerelle/audit/checkpoint.hpp"
#include "passerelle/crypto/root_key.hpp"

namespace passerelle::audit {
namespace {

AuditEntry sample() {
  AuditEntry entry;
  entry.index = 42;
  auto& e = entry.event;
  e.time = "2026-11-23T10:00:00.123Z";
  e.partner = core::PartnerId("mission-locale");
  e.credential = "cert:0123456789abcdef";
  e.purpose = core::Purpose::accompagnement;
  e.action = AuditAction::dossier_read;
  e.person = "p0123456789abcdef0123456789abcdef";
  e.disclosed = {"/identite/nom", "/contact/email", "/identite/nom"};
  e.withheld = {{"/sante/difficultes", "not_in_policy"}, {"/foyer/enfants", "consent_required"}};
  e.decision = AuditDecision::partial;
  e.policy_version = "sha256:abcd";
  e.rules = {"ml-identite", "consent:c1", "ml-contact"};
  e.request_id = core::RequestId("req-1");
  e.status = 200;
  e.details = {{"version", "3"}};
  return entry;
}

TEST(AuditEntryTest, CanonicalBytesAreSortedCompactAndRoundTrip) {
  const auto bytes = canonicalBytes(sample());
  EXPECT_EQ(bytes.find(": "), std::string::npos);
  EXPECT_EQ(bytes.find(", "), std::string::npos);
  EXPECT_EQ(bytes.find('\n'), std::string::npos);
  // Keys in byte order, lists sorted and without duplicates.
  EXPECT_LT(bytes.find("\"action\""), bytes.find("\"credential\""));
  EXPECT_LT(bytes.find("\"v\""), std::string::npos);
  EXPECT_NE(bytes.find("\"disclosed\":[\"/contact/email\",\"/identite/nom\"]"), std::string::npos)
      << bytes;
  EXPECT_NE(bytes.find("\"rules\":[\"consent:c1\",\"ml-contact\",\"ml-identite\"]"),
            std::string::npos);
  const auto back = parseAuditEntry(bytes);
  EXPECT_EQ(canonicalBytes(back), bytes);
  EXPECT_EQ(back.index, 42u);
  EXPECT_EQ(back.event.action, AuditAction::dossier_read);
  EXPECT_EQ(back.event.withheld.front().field, "/foyer/enfants");
}

TEST(AuditEntryTest, TheSameEventInAnotherOrderGivesTheSameBytes) {
  auto a = sample();
  auto b = sample();
  std::reverse(b.event.disclosed.begin(), b.event.disclosed.end());
  std::reverse(b.event.withheld.begin(), b.event.withheld.end());
  std::reverse(b.event.rules.begin(), b.event.rules.end());
  EXPECT_EQ(canonicalBytes(a), canonicalBytes(b));
  b.event.status = 403;
  EXPECT_NE(canonicalBytes(a), canonicalBytes(b));
}

TEST(AuditEntryTest, NonCanonicalOrForeignBytesAreRefused) {
  const auto bytes = canonicalBytes(sample());
  const auto json = nlohmann::json::parse(bytes);
  EXPECT_THROW(parseAuditEntry(json.dump(2)), AuditFormatError);  // indented
  auto edited = bytes;
  edited.replace(edited.find("\"status\":200"), 12, "\"status\":201");
  EXPECT_NO_THROW(parseAuditEntry(edited));  // still canonical: only the hash tells
  auto extra = json;
  extra["note"] = "x";
  EXPECT_THROW(parseAuditEntry(extra.dump()), AuditFormatError);
  auto wrong = json;
  wrong["action"] = "teleport";
  EXPECT_THROW(parseAuditEntry(wrong.dump()), AuditFormatError);
  wrong = json;
  wrong.erase("person");
  EXPECT_THROW(parseAuditEntry(wrong.dump()), AuditFormatError);
  EXPECT_THROW(parseAuditEntry("{\"v\":1"), AuditFormatError);
  EXPECT_THROW(parseAuditEntry("[]"), AuditFormatError);
}

TEST(CheckpointTest, SignedCheckpointsVerifyAndAnyChangeBreaksThem) {
  const auto master = crypto::RootKey::generate();
  const crypto::Signer signer(master.derive(crypto::KeyUse::signing));
  crypto::Hash root{};
  root[0] = 7;
  const auto c = Checkpoint::sign(signer, "passerelle-test", 12, root, "2026-11-23T10:00:00.000Z");
  EXPECT_TRUE(c.signatureValid());
  EXPECT_EQ(c.public_key, signer.publicKeyHex());
  EXPECT_EQ(c.signedText(), "passerelle-audit-checkpoint/v1\npasserelle-test\n12\n07" +
                                std::string(62, '0') + "\n2026-11-23T10:00:00.000Z\n");
  const auto back = Checkpoint::fromJson(c.toJson());
  EXPECT_TRUE(back.signatureValid());
  EXPECT_EQ(back.toJson(), c.toJson());
  auto changed = c;
  changed.tree_size = 13;
  EXPECT_FALSE(changed.signatureValid());
  changed = c;
  changed.root_hash[31] ^= 1;
  EXPECT_FALSE(changed.signatureValid());
  changed = c;
  changed.time = "2026-11-23T10:00:00.001Z";
  EXPECT_FALSE(changed.signatureValid());
  auto json = c.toJson();
  json.erase("root_hash");
  EXPECT_THROW(Checkpoint::fromJson(json), AuditFormatError);
}

}  // namespace
}  // namespace passerelle::audit
