#include "passerelle/audit/audit_entry.hpp"
#include "passerelle/core/enum_names.hpp"

namespace passerelle::audit {

namespace {

using A = AuditAction;
constexpr core::EnumNames<AuditAction, 38> kActions({{
    {A::dossier_create, "dossier_create"},
    {A::dossier_match, "dossier_match"},
    {A::dossier_lookup, "dossier_lookup"},
    {A::dossier_read, "dossier_read"},
    {A::section_read, "section_read"},
    {A::section_write, "section_write"},
    {A::history_read, "history_read"},
    {A::dossier_erase, "dossier_erase"},
    {A::export_run, "export_run"},
    {A::export_request, "export_request"},
    {A::export_fetch, "export_fetch"},
    {A::survey_contact, "survey_contact"},
    {A::indicators_read, "indicators_read"},
    {A::import_run, "import_run"},
    {A::dossier_import, "dossier_import"},
    {A::changes_read, "changes_read"},
    {A::webhook_deliveries_read, "webhook_deliveries_read"},
    {A::relationship_list, "relationship_list"},
    {A::relationship_attach, "relationship_attach"},
    {A::relationship_end, "relationship_end"},
    {A::consent_list, "consent_list"},
    {A::consent_record, "consent_record"},
    {A::consent_withdraw, "consent_withdraw"},
    {A::policy_reload, "policy_reload"},
    {A::audit_search, "audit_search"},
    {A::audit_person_report, "audit_person_report"},
    {A::audit_checkpoint, "audit_checkpoint"},
    {A::audit_proof, "audit_proof"},
    {A::consent_reaffirm, "consent_reaffirm"},
    {A::reconciliation_list, "reconciliation_list"},
    {A::reconciliation_resolve, "reconciliation_resolve"},
    {A::console_sign_in, "console_sign_in"},
    {A::console_session, "console_session"},
    {A::console_sign_out, "console_sign_out"},
    {A::audit_integrity, "audit_integrity"},
    {A::audit_verify, "audit_verify"},
    {A::audit_refusals, "audit_refusals"},
    {A::unknown_endpoint, "unknown_endpoint"},
}});

constexpr core::EnumNames<AuditAction, 38> kActionLabels({{
    {A::dossier_create, "création du dossier"},
    {A::dossier_match, "rapprochement avec le dossier existant"},
    {A::dossier_lookup, "recherche du dossier par un identifiant"},
    {A::dossier_read, "consultation du dossier"},
    {A::section_read, "consultation d'une rubrique"},
    {A::section_write, "écriture d'une rubrique"},
    {A::history_read, "consultation de l'historique des versions"},
    {A::dossier_erase, "effacement du dossier"},
    {A::export_run, "export pseudonymisé pour une étude"},
    {A::export_request, "demande d'export pour une étude"},
    {A::export_fetch, "suivi ou téléchargement d'un export"},
    {A::survey_contact, "coordonnées transmises pour une enquête (avec consentement)"},
    {A::indicators_read, "consultation des indicateurs agrégés"},
    {A::import_run, "import d'un fichier partenaire"},
    {A::dossier_import, "dossier créé ou mis à jour par un import"},
    {A::changes_read, "consultation du fil des modifications"},
    {A::webhook_deliveries_read, "consultation des notifications envoyées aux partenaires"},
    {A::relationship_list, "consultation des rattachements"},
    {A::relationship_attach, "rattachement d'un organisme"},
    {A::relationship_end, "fin d'un rattachement"},
    {A::consent_list, "consultation des consentements"},
    {A::consent_record, "enregistrement d'un consentement"},
    {A::consent_withdraw, "retrait d'un consentement"},
    {A::policy_reload, "rechargement de la politique de partage"},
    {A::audit_search, "recherche dans le journal d'audit"},
    {A::audit_person_report, "relevé des accès au dossier"},
    {A::audit_checkpoint, "point de contrôle du journal"},
    {A::audit_proof, "preuve du journal"},
    {A::consent_reaffirm, "réaffirmation d'un consentement"},
    {A::reconciliation_list, "liste des cas de rapprochement d'identité"},
    {A::reconciliation_resolve, "décision sur un rapprochement d'identité"},
    {A::console_sign_in, "connexion à la console"},
    {A::console_session, "consultation de sa session de console"},
    {A::console_sign_out, "déconnexion de la console"},
    {A::audit_integrity, "consultation de l'état du journal d'audit"},
    {A::audit_verify, "vérification complète du journal d'audit"},
    {A::audit_refusals, "décompte des requêtes refusées"},
    {A::unknown_endpoint, "requête vers une adresse inconnue"},
}});

using D = AuditDecision;
constexpr core::EnumNames<AuditDecision, 5> kDecisions({{
    {D::allow, "allow"},
    {D::partial, "partial"},
    {D::deny, "deny"},
    {D::invalid, "invalid"},
    {D::error, "error"},
}});

constexpr core::EnumNames<AuditDecision, 5> kDecisionLabels({{
    {D::allow, "autorisé"},
    {D::partial, "autorisé en partie (champs retenus)"},
    {D::deny, "refusé"},
    {D::invalid, "requête invalide"},
    {D::error, "erreur de la passerelle"},
}});

}  // namespace

std::string_view toString(AuditAction action) {
  return kActions.name(action);
}
std::optional<AuditAction> parseAuditAction(std::string_view name) {
  return kActions.parse(name);
}
std::string_view frenchLabel(AuditAction action) {
  return kActionLabels.name(action);
}
std::vector<AuditAction> allAuditActions() {
  std::vector<AuditAction> out;
  for (int a = 0; a <= static_cast<int>(AuditAction::unknown_endpoint); ++a)
    out.push_back(static_cast<AuditAction>(a));
  return out;
}
std::string_view toString(AuditDecision decision) {
  return kDecisions.name(decision);
}
std::optional<AuditDecision> parseAuditDecision(std::string_view name) {
  return kDecisions.parse(name);
}
std::string_view frenchLabel(AuditDecision decision) {
  return kDecisionLabels.name(decision);
}

}  // namespace passerelle::audit
