#include "passerelle/policies/explain.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace passerelle::policies {

namespace {

const char* kindLabel(core::PartnerKind kind) {
  switch (kind) {
    case core::PartnerKind::departement:
      return "Département (chef de file du RSA)";
    case core::PartnerKind::caf:
      return "CAF";
    case core::PartnerKind::msa:
      return "MSA";
    case core::PartnerKind::france_travail:
      return "France Travail";
    case core::PartnerKind::structure_referente:
      return "Structure référente (mission locale, Cap emploi, PLIE, SIAE, association, CCAS)";
    case core::PartnerKind::evaluateur:
      return "Évaluateur";
    case core::PartnerKind::dpo:
      return "Délégué à la protection des données";
  }
  return "?";
}

const char* accessLabel(Access access) {
  switch (access) {
    case Access::read:
      return "Lecture";
    case Access::write:
      return "Écriture";
    case Access::survey_contact:
      return "Fichier de contact pour enquête (joint à un export)";
  }
  return "?";
}

std::string article6(const std::string& code) {
  static const std::map<std::string, std::string> labels = {
      {"6-1-a", "art. 6.1.a RGPD (consentement de la personne)"},
      {"6-1-b", "art. 6.1.b RGPD (exécution d'un contrat)"},
      {"6-1-c", "art. 6.1.c RGPD (obligation légale)"},
      {"6-1-d", "art. 6.1.d RGPD (intérêts vitaux)"},
      {"6-1-e", "art. 6.1.e RGPD (mission d'intérêt public)"},
      {"6-1-f", "art. 6.1.f RGPD (intérêt légitime)"}};
  return labels.at(code);
}

std::string article9(const std::string& code) {
  static const std::map<std::string, std::string> labels = {
      {"9-2-a", "art. 9.2.a (consentement explicite)"},
      {"9-2-b", "art. 9.2.b (droit de la protection sociale)"},
      {"9-2-c", "art. 9.2.c (intérêts vitaux)"},
      {"9-2-d", "art. 9.2.d (organisme à but non lucratif)"},
      {"9-2-e", "art. 9.2.e (données rendues publiques)"},
      {"9-2-f", "art. 9.2.f (droits en justice)"},
      {"9-2-g", "art. 9.2.g (intérêt public important)"},
      {"9-2-h", "art. 9.2.h (prise en charge sanitaire ou sociale)"},
      {"9-2-i", "art. 9.2.i (santé publique)"},
      {"9-2-j", "art. 9.2.j (archives, recherche, statistique)"}};
  return labels.at(code);
}

// "identite (entière)" when the rule covers a whole section, else the fields' French labels.
std::string describeFields(const PolicyRule& rule, const schemas::FieldCatalogue& catalogue) {
  std::map<core::Section, std::vector<std::string>> by_section;
  for (const auto& f : rule.fields)
    by_section[schemas::FieldCatalogue::sectionOf(f)].push_back(f.str());
  std::string out;
  for (const auto& [section, paths] : by_section) {
    // A copy: clang 14 cannot capture a structured binding.
    const core::Section here = section;
    const auto in_section = std::count_if(
        catalogue.fields().begin(), catalogue.fields().end(),
        [&](const auto& e) { return schemas::FieldCatalogue::sectionOf(e.path) == here; });
    if (!out.empty()) out += " ; ";
    out += "section " + std::string(core::toString(section));
    if (static_cast<std::size_t>(in_section) == paths.size()) {
      out += " (entière)";
      continue;
    }
    // Name whichever side is shorter: the fields covered, or the ones left out.
    const bool most = paths.size() * 2 > static_cast<std::size_t>(in_section);
    out += most ? " (entière sauf : " : " : ";
    std::set<std::string> labels;
    if (most) {
      for (const auto& e : catalogue.fields())
        if (schemas::FieldCatalogue::sectionOf(e.path) == section &&
            std::find(paths.begin(), paths.end(), e.path.str()) == paths.end())
          labels.insert(e.label);
    } else {
      for (const auto& p : paths) labels.insert(catalogue.find(p)->label);
    }
    bool first = true;
    for (const auto& l : labels) {
      out += (first ? "" : ", ") + l;
      first = false;
    }
    if (most) out += ")";
  }
  return out;
}

const char* matchKeyLabel(MatchKey key) {
  switch (key) {
    case MatchKey::nir:
      return "NIR";
    case MatchKey::caf:
      return "matricule CAF";
    case MatchKey::msa:
      return "matricule MSA";
    case MatchKey::france_travail:
      return "identifiant France Travail";
    case MatchKey::departement:
      return "identifiant du Département";
  }
  return "?";
}

const char* capabilityLabel(Capability c) {
  switch (c) {
    case Capability::audit_search:
      return "Recherche dans le journal d'audit.";
    case Capability::audit_person_report:
      return "Établit le relevé des accès au dossier d'une personne (art. 15 RGPD).";
    case Capability::audit_any_entry:
      return "Consulte toute entrée du journal d'audit, partie sensible comprise.";
    case Capability::policy_reload:
      return "Recharge la politique de partage.";
    case Capability::webhook_deliveries_any:
      return "Consulte les notifications envoyées à tous les partenaires.";
    case Capability::indicators:
      return "Consulte les indicateurs agrégés (SPIE), petites cellules masquées.";
    case Capability::exports:
      return "Demande des exports pseudonymisés pour ses propres études.";
    case Capability::exports_any_status:
      return "Suit l'état de tout export (sans en lire les fichiers).";
    case Capability::erasure:
      return "Efface un dossier (destruction de sa clé).";
    case Capability::consents_read:
      return "Consulte les consentements enregistrés pour les personnes qu'il voit.";
    case Capability::console:
      return "Se connecte à la console web (ses appels sont ensuite les siens, sous la même "
             "politique).";
    case Capability::reconciliation:
      return "Tranche les cas de rapprochement d'identité (même personne, personnes distinctes, "
             "erreur de la source).";
  }
  return "?";
}

// What the manifest lets partners of this kind do beyond reading and writing fields.
void explainCapabilities(std::ostream& out, const PolicySet& policy, core::PartnerKind k) {
  if (policy.isSource(k)) out << "Source : rattaché aux dossiers qu'il crée ou qu'il retrouve.\n";
  std::string keys;
  for (auto key : {MatchKey::nir, MatchKey::caf, MatchKey::msa, MatchKey::france_travail,
                   MatchKey::departement})
    if (policy.matchesOn(k, key))
      keys += std::string(keys.empty() ? "" : ", ") + matchKeyLabel(key);
  if (!keys.empty())
    out << "Retrouve une personne par : " << keys
        << (policy.requiresRelationship(k)
                ? " — et seulement si l'identité transmise est celle du dossier.\n"
                : ".\n");
  if (policy.managesRelationships(k)) out << "Rattache et détache les partenaires aux personnes.\n";
  if (policy.readsHistory(k)) out << "Consulte l'historique des versions (sans leur contenu).\n";
  if (const auto grantees = policy.consentRecording(k))
    out << (*grantees == ConsentGrantees::any
                ? "Enregistre les consentements des personnes, pour tout partenaire, dans la "
                  "limite de ce qu'une règle peut utiliser.\n"
                : "Enregistre les consentements donnés à lui-même, dans la limite de ce qu'une "
                  "de ses règles peut utiliser.\n");
  for (auto c : allCapabilities())
    if (policy.may(k, c)) out << capabilityLabel(c) << "\n";
  out << (policy.withdrawsAnyConsent(k) ? "Enregistre le retrait de tout consentement.\n"
          : policy.consentRecording(k)
              ? "Enregistre le retrait des consentements qu'il a lui-même recueillis.\n"
              : "");
}

}  // namespace

void explainPolicy(std::ostream& out, const PolicySet& policy,
                   const schemas::FieldCatalogue& catalogue, std::optional<core::PartnerKind> kind,
                   std::optional<core::Purpose> purpose) {
  out << "Registre des activités de traitement (art. 30 RGPD) — " << policy.title() << "\n"
      << "Version de la politique : " << policy.version() << "\n"
      << "Principe : tout accès non prévu ci-dessous est refusé.\n";
  for (auto k : core::allPartnerKinds()) {
    if (kind && *kind != k) continue;
    out << "\n## " << kindLabel(k) << " [" << core::toString(k) << "]\n";
    if (policy.requiresRelationship(k))
      out << "Accès limité aux personnes auxquelles le partenaire est rattaché "
             "(orientation, décision du Département ou source du dossier).\n";
    explainCapabilities(out, policy, k);
    bool any = false;
    for (auto p : core::allPurposes()) {
      if (purpose && *purpose != p) continue;
      std::vector<const PolicyRule*> rules;
      for (const auto& r : policy.rules())
        if (r.kind == k && std::find(r.purposes.begin(), r.purposes.end(), p) != r.purposes.end())
          rules.push_back(&r);
      if (rules.empty()) continue;
      any = true;
      out << "\nFinalité « " << core::toString(p) << " »\n";
      for (const auto* r : rules) {
        out << "  - " << accessLabel(r->access) << " — " << describeFields(*r, catalogue) << "\n"
            << "    Base légale : " << article6(r->basis.article_6);
        if (r->basis.article_9) out << " ; " << article9(*r->basis.article_9);
        if (r->consent_required) out << " — uniquement avec le consentement de la personne";
        out << "\n    " << r->description << " (règle " << r->id << ")\n";
      }
    }
    if (!any) out << "Aucun accès aux dossiers" << (purpose ? " pour cette finalité" : "") << ".\n";
  }
}

}  // namespace passerelle::policies
