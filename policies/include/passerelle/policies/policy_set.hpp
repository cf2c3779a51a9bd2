#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/core/identifier.hpp"
#include "passerelle/core/ids.hpp"
#include "passerelle/core/partner_kind.hpp"
#include "passerelle/core/purpose.hpp"
#include "passerelle/schemas/field_catalogue.hpp"

namespace passerelle::policies {

// What a rule grants: reading or writing through the API, or placing fields in the
// survey-contact file of an export (identity and contact, for satisfaction surveys; never read
// through the API).
enum class Access { read, write, survey_contact };
std::string_view toString(Access access);

// The lawful basis of a rule: GDPR art. 6(1) letter, and art. 9(2) letter for sensitive fields.
struct LegalBasis {
  std::string article_6;                 // "6-1-a" (consent) ... "6-1-f"
  std::optional<std::string> article_9;  // "9-2-a" (explicit consent) ... "9-2-j"
};

// One rule of a sharing policy: partners of `kind`, for any of `purposes`, may `access` the
// `fields` (catalogue leaves), on `basis`, and only with the person's consent if
// `consent_required`.
struct PolicyRule {
  std::string id;
  std::string file;  // the policy file it comes from
  core::PartnerKind kind;
  Access access;
  std::vector<core::Purpose> purposes;
  std::vector<core::FieldPath> fields;
  LegalBasis basis;
  bool consent_required = false;
  std::string description;  // French, for the record of processing activities
};

// Whose consents a partner may record: any grantee (within what some rule can rely on), or only
// consents granted to itself.
enum class ConsentGrantees { any, self };

// What a partner may designate a person by when it creates or matches a dossier: the NIR, a
// CAF or an MSA matricule (the organisme is part of the name: a CAF matches on CAF
// matricules only), a France Travail or a Département identifier.
enum class MatchKey { nir, caf, msa, france_travail, departement };
std::string_view toString(MatchKey key);
std::optional<MatchKey> parseMatchKey(std::string_view name);
MatchKey matchKeyOf(const core::Identifier& identifier);

// What a partner may do beyond reading and writing dossier fields: each is granted to partner
// kinds by the manifest's "capabilities" (policy data, never a kind check in code); a kind not
// named has none.
enum class Capability {
  audit_search,            // search the audit log, and its CSV
  audit_person_report,     // a person's access report (GDPR art. 15)
  audit_any_entry,         // any entry, sensitive part opened, beside its inclusion proof
  policy_reload,           // POST /v1/policy/reload
  webhook_deliveries_any,  // every partner's webhook deliveries (others see their own)
  indicators,              // the SPIE indicators
  exports,                 // ask for pseudonymised exports (for the partner's own studies)
  exports_any_status,      // follow anyone's export (its status and manifest, not its files)
  erasure,                 // erase a dossier (crypto-shredding)
  reconciliation,          // list and decide identity reconciliation cases
  consents_read,           // list a dossier's consent records (of a dossier it may see)
  console,                 // sign in to the web console (its calls are then the partner's)
};
std::string_view toString(Capability capability);
std::optional<Capability> parseCapability(std::string_view name);
const std::vector<Capability>& allCapabilities();

// A policy file or rule that cannot be used; the message names the file and the rule.
class PolicyError : public core::DomainError {
 public:
  explicit PolicyError(const std::string& message)
      : core::DomainError(core::ErrorKind::configuration, message) {}
};

// A complete, validated sharing policy: what each partner kind may read and write, per
// purpose, and which kinds need a relationship with the person. Default deny: what no rule
// grants is refused. Immutable once loaded; safe to share across threads.
class PolicySet {
 public:
  // Reads a policy directory: `policy.json` (version, title, kinds that need a relationship)
  // and one file per partner kind (`<kind>.json`, rules). Throws PolicyError.
  static PolicySet loadDirectory(const std::filesystem::path& dir,
                                 const schemas::FieldCatalogue& catalogue);
  // The default policy shipped in policies/default, embedded in the build.
  static PolicySet builtin(const schemas::FieldCatalogue& catalogue);
  // The default policy's files, by name (to write them out for editing).
  static const std::map<std::string, std::string>& builtinFiles();
  // Parses files given by name ("policy.json", "caf.json", ...). Throws PolicyError.
  static PolicySet parse(const std::map<std::string, std::string>& files,
                         const schemas::FieldCatalogue& catalogue);

  // The manifest's version and a digest of every file: what the audit log records.
  const std::string& version() const { return version_; }
  const std::string& title() const { return title_; }
  const std::vector<PolicyRule>& rules() const { return rules_; }
  // Partners of these kinds see only the people they are attached to.
  bool requiresRelationship(core::PartnerKind kind) const {
    return relationship_required_.count(kind) == 1;
  }
  // Partners of these kinds become attached to the dossiers they create or match (CAF, MSA,
  // France Travail push the people they already know).
  bool isSource(core::PartnerKind kind) const { return sources_.count(kind) == 1; }
  // Partners of these kinds attach and detach partners explicitly.
  bool managesRelationships(core::PartnerKind kind) const {
    return relationship_managers_.count(kind) == 1;
  }
  // Partners of these kinds read the version history (who wrote what, when; no content).
  bool readsHistory(core::PartnerKind kind) const { return history_readers_.count(kind) == 1; }
  // Whose consents partners of this kind record; none (nullopt) by default.
  std::optional<ConsentGrantees> consentRecording(core::PartnerKind kind) const {
    const auto it = consent_recorders_.find(kind);
    return it == consent_recorders_.end() ? std::nullopt : std::optional(it->second);
  }
  // Partners of these kinds withdraw any consent; anyone else only those it recorded.
  bool withdrawsAnyConsent(core::PartnerKind kind) const {
    return consent_withdrawers_.count(kind) == 1;
  }
  // Whether partners of this kind may designate a person by this identifier (and so attach
  // themselves to the dossier it designates).
  bool matchesOn(core::PartnerKind kind, MatchKey key) const {
    const auto it = match_on_.find(kind);
    return it != match_on_.end() && it->second.count(key) == 1;
  }
  // Whether the manifest grants partners of this kind the capability.
  bool may(core::PartnerKind kind, Capability capability) const {
    const auto it = capabilities_.find(capability);
    return it != capabilities_.end() && it->second.count(kind) == 1;
  }
  // Whether any rule grants `access` to `kind` for `purpose`.
  bool grantsAny(core::PartnerKind kind, core::Purpose purpose, Access access) const;

 private:
  std::string version_;
  std::string title_;
  std::set<core::PartnerKind> relationship_required_;
  std::set<core::PartnerKind> sources_;
  std::set<core::PartnerKind> relationship_managers_;
  std::set<core::PartnerKind> history_readers_;
  std::map<core::PartnerKind, ConsentGrantees> consent_recorders_;
  std::set<core::PartnerKind> consent_withdrawers_;
  std::map<core::PartnerKind, std::set<MatchKey>> match_on_;
  std::map<Capability, std::set<core::PartnerKind>> capabilities_;
  std::vector<PolicyRule> rules_;
};

}  // namespace passerelle::policies
