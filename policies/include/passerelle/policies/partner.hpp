#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "passerelle/core/ids.hpp"
#include "passerelle/core/partner_kind.hpp"
#include "passerelle/core/purpose.hpp"

namespace passerelle::policies {

using core::PartnerKind;

// A study an évaluateur runs: the key its exports are sealed to, the export profiles it may
// ask for, and when. Immutable value.
struct Study {
  std::string id;
  std::string public_key;  // X25519, 64 lowercase hex digits
  std::vector<std::string> profiles;
  std::string valid_from;   // YYYY-MM-DD, inclusive
  std::string valid_until;  // YYYY-MM-DD, inclusive

  bool allows(const std::string& profile) const;
  bool validOn(const std::string& date) const {  // date: YYYY-MM-DD
    return valid_from <= date && date <= valid_until;
  }
};

// Where the gateway notifies a partner of changes it may see (no personal data: the partner
// pulls), and the secret the notifications are signed with (HMAC-SHA256). Immutable value.
struct Webhook {
  std::string url;        // https://... (http:// only to a loopback address)
  std::string secret;     // at least 32 characters
  core::Purpose purpose;  // the purpose the partner follows changes for (what it may see)
};

// One partner system as declared in the partner registry. Immutable value.
struct Partner {
  core::PartnerId id;
  std::string name;
  PartnerKind kind;
  std::string siret;                            // 14 digits
  std::vector<std::string> certificate_sha256;  // client certificate fingerprints, lowercase hex
  std::vector<std::string> token_sha256;        // SHA-256 of bearer tokens, lowercase hex
  std::string dpa_reference;                    // GDPR art. 28 data-processing agreement
  std::vector<Study> studies;                   // évaluateurs only
  std::optional<Webhook> webhook;

  const Study* study(const std::string& id) const;
};

}  // namespace passerelle::policies
