#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "passerelle/crypto/signer.hpp"
#include "passerelle/dossiers/access_guard.hpp"
#include "passerelle/policies/partner_registry.hpp"
#include "passerelle/store/consent_store.hpp"
#include "passerelle/store/dossier_store.hpp"

namespace passerelle::dossiers {

// A consent record with the signed receipt handed to the person.
struct RecordedConsent {
  core::ConsentRecord record;
  nlohmann::json receipt;
};

// Consent records (DESIGN §4.3): recorded by the partners the policy names (`consent_recorders`:
// any grantee, or only themselves) on dossiers they can see, for what some rule of the policy
// relies on; never deleted; withdrawn by a new record, by the partner that recorded the consent
// or one whose kind withdraws any (`consent_withdrawers`); each change comes with a receipt
// signed by the gateway's Ed25519 key. Safe to share across request threads.
class ConsentService {
 public:
  ConsentService(store::ConsentStore& consents, const store::DossierStore& dossiers,
                 const AccessGuard& guard, const policies::PartnerRegistry& registry,
                 const crypto::Signer& signer,
                 std::optional<core::ConsentController> controller = std::nullopt)
      : consents_(consents),
        dossiers_(dossiers),
        guard_(guard),
        registry_(registry),
        signer_(signer),
        controller_(std::move(controller)) {}

  // Records a consent. Body: {"grantee": {"partner": id} | {"kind": kind}, "purpose",
  // "sections": [...], "categories": [...], "given_at", "method", "collected_by",
  // "notice_version", "expires_at"?}. forbidden if the caller's kind records no consent (before
  // the dossier is looked at) or not for this grantee; not_found if it may not see the dossier;
  // validation_failed names every bad field, and every part no rule relies on.
  RecordedConsent record(const Caller& caller, const core::DossierId& id,
                         const nlohmann::json& body);

  // Every record of the dossier, withdrawals included, in order.
  std::vector<core::ConsentRecord> list(const Caller& caller, const core::DossierId& id) const;

  // Withdraws a consent in force. Body: {"method", "collected_by", "withdrawn_at"?}. not_found,
  // the same, for a consent that does not exist and for one on a dossier the caller may not see;
  // forbidden unless the caller recorded it or withdraws any; conflict if already withdrawn.
  RecordedConsent withdraw(const Caller& caller, const std::string& consent_id,
                           const nlohmann::json& body);

  // Re-affirms a consent not withdrawn (ISO/IEC TS 27560's re-affirmation): a new record that
  // renews it, with a new expiry or none. Body: {"method", "collected_by", "reaffirmed_at"?,
  // "expires_at"?}. The same not_found as a withdrawal; forbidden unless the caller recorded it
  // or its kind records any consent; conflict if it is withdrawn.
  RecordedConsent reaffirm(const Caller& caller, const std::string& consent_id,
                           const nlohmann::json& body);

 private:
  // not_found unless the caller may see the dossier (same rule as reading it).
  void requireVisible(const Caller& caller, const core::DossierId& id,
                      const core::UtcTime& now) const;
  RecordedConsent followUp(const Caller& caller, const std::string& consent_id,
                           const nlohmann::json& body, core::ConsentRecord::Kind kind);
  // validation_failed naming the parts of the consent that no rule of the policy relies on.
  void requireReliedOn(core::PartnerKind grantee, core::Purpose purpose,
                       const std::vector<core::Section>& sections,
                       const std::vector<core::FieldCategory>& categories) const;
  nlohmann::json receiptFor(const core::ConsentRecord& record) const;

  store::ConsentStore& consents_;
  const store::DossierStore& dossiers_;
  const AccessGuard& guard_;
  const policies::PartnerRegistry& registry_;
  const crypto::Signer& signer_;
  std::optional<core::ConsentController> controller_;  // named in every new record
};

// The record as the API shows it; `status` (in_force, expired, withdrawn, not_yet_valid,
// reaffirmation, withdrawal) is computed against `all` at `now`.
nlohmann::json consentJson(const core::ConsentRecord& record,
                           const std::vector<core::ConsentRecord>& all, const core::UtcTime& now);

// What checking a receipt found.
struct ReceiptCheck {
  bool valid = false;
  std::string problem;     // why not, if not
  std::string public_key;  // the key that signed it
};

// Checks a receipt's Ed25519 signature over its canonical form; with `expected_public_key`,
// also that the gateway holding that key signed it.
ReceiptCheck verifyReceipt(const nlohmann::json& receipt,
                           const std::optional<std::string>& expected_public_key = std::nullopt);

}  // namespace passerelle::dossiers
