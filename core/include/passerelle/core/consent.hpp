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

// One consent record (DESIGN §4.3). Records are never deleted: a withdrawal is a new record
// (`withdraws` names the consent it ends).
struct ConsentRecord {
  enum class Kind { given, withdrawn };

  std::string id;
  DossierId dossier;
  Kind kind = Kind::given;
  std::optional<std::string> withdraws;  // for a withdrawal: the id of the consent withdrawn

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
};

}  // namespace passerelle::core
