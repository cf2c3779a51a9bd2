#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "passerelle/core/field_category.hpp"
#include "passerelle/core/ids.hpp"
#include "passerelle/core/partner_kind.hpp"
#include "passerelle/core/purpose.hpp"
#include "passerelle/core/section.hpp"
#include "passerelle/core/utc_time.hpp"

namespace passerelle::core {

// How the person expressed a consent.
enum class ConsentMethod { ecrit, oral, numerique };

std::optional<ConsentMethod> parseConsentMethod(std::string_view name);
std::string_view toString(ConsentMethod method);

// The controller of the processing a consent concerns (GDPR art. 4(7), ISO/IEC TS 27560's
// "PII controller"): the Département operating the gateway, named in each record.
struct ConsentController {
  std::string name;
  std::string contact;  // where the person exercises their rights (the DPO's address)
};

// One consent record (DESIGN §4.3). Records are never deleted: a withdrawal is a new record
// (`withdraws` names the consent it ends), and so is a re-affirmation (`withdraws` names the
// consent it renews: its `given_at` is when, its `expires_at` the new expiry, none for none).
struct ConsentRecord {
  enum class Kind { given, withdrawn, reaffirmed };

  std::string id;
  DossierId dossier;
  Kind kind = Kind::given;
  std::optional<std::string> withdraws;  // withdrawal, re-affirmation: the consent it concerns

  // Who may use it: one partner, or every partner of a kind.
  std::optional<PartnerId> grantee_partner;
  std::optional<PartnerKind> grantee_kind;
  Purpose purpose = Purpose::accompagnement;
  std::vector<Section> sections;          // the fields of these sections...
  std::vector<FieldCategory> categories;  // ...and the fields of these categories
  UtcTime given_at;
  ConsentMethod method = ConsentMethod::ecrit;
  std::string collected_by;  // the professional or service who collected it (free text)
  std::string notice_version;
  std::optional<UtcTime> expires_at;

  UtcTime recorded_at;
  PartnerId recorded_by;
  std::string notice_language = "fr";  // BCP 47 tag of the notice shown
  // The controller as configured when it was recorded; absent for records older than the
  // setting, or where the deployment names none.
  std::optional<ConsentController> controller = {};
};

std::string_view toString(ConsentRecord::Kind kind);  // given, withdrawn, reaffirmed
std::optional<ConsentRecord::Kind> parseConsentKind(std::string_view name);

// When a consent given ends, at `now`: its own expiry, or that of its latest re-affirmation
// recorded by then (none: it does not expire). `all` is every record of the dossier.
std::optional<UtcTime> effectiveExpiry(const ConsentRecord& given,
                                       const std::vector<ConsentRecord>& all, const UtcTime& now);

}  // namespace passerelle::core
