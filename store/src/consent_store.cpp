#include <nlohmann/json.hpp>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/store/pending_audit.hpp"
#include "sql_stores.hpp"

namespace passerelle::store {

using core::ConsentRecord;

namespace {

[[noreturn]] void corrupt() {
  throw core::DomainError(core::ErrorKind::integrity, "stored consent record is malformed");
}

std::string namesOf(const ConsentRecord& r, bool sections) {
  nlohmann::json list = nlohmann::json::array();
  if (sections)
    for (auto s : r.sections) list.push_back(std::string(core::toString(s)));
  else
    for (auto c : r.categories) list.push_back(std::string(core::toString(c)));
  return list.dump();
}

// Every decision reads the dossier's consents. The columns, in order: id, kind, withdraws,
// grantee_partner, grantee_kind, purpose, sections, categories, given_at, method, collected_by,
// notice_version, expires_at, recorded_at, recorded_by, notice_language, controller_name,
// controller_contact, dossier_id. `rowid` orders them as recorded (a column of that name on
// PostgreSQL).
constexpr const char* kConsentsOfDossierSql =
    "SELECT id, kind, withdraws, grantee_partner, grantee_kind, purpose, sections, categories, "
    "given_at, method, collected_by, notice_version, expires_at, recorded_at, recorded_by, "
    "notice_language, controller_name, controller_contact, dossier_id FROM consents "
    "WHERE dossier_id = ? ORDER BY rowid";
constexpr const char* kConsentByIdSql =
    "SELECT id, kind, withdraws, grantee_partner, grantee_kind, purpose, sections, categories, "
    "given_at, method, collected_by, notice_version, expires_at, recorded_at, recorded_by, "
    "notice_language, controller_name, controller_contact, dossier_id FROM consents "
    "WHERE id = ?";

ConsentRecord decode(const SqlRows& r) {
  const auto kind = core::parseConsentKind(r.text(1));
  const auto dossier = core::DossierId::parse(r.text(18));
  if (!kind || !dossier) corrupt();
  std::optional<core::PartnerId> grantee_partner;
  if (auto p = r.optionalText(3)) grantee_partner = core::PartnerId(*p);
  std::optional<core::PartnerKind> grantee_kind;
  if (auto k = r.optionalText(4)) {
    grantee_kind = core::parsePartnerKind(*k);
    if (!grantee_kind) corrupt();
  }
  const auto purpose = core::parsePurpose(r.text(5));
  const auto method = core::parseConsentMethod(r.text(9));
  if (!purpose || !method) corrupt();
  std::vector<core::Section> sections;
  for (const auto& s : nlohmann::json::parse(r.text(6))) {
    auto section = core::parseSection(s.get<std::string>());
    if (!section) corrupt();
    sections.push_back(*section);
  }
  std::vector<core::FieldCategory> categories;
  for (const auto& s : nlohmann::json::parse(r.text(7))) {
    auto category = core::parseFieldCategory(s.get<std::string>());
    if (!category) corrupt();
    categories.push_back(*category);
  }
  ConsentRecord record{
      r.text(0),       *dossier,           *kind,      r.optionalText(2),
      grantee_partner, grantee_kind,       *purpose,   sections,
      categories,      r.text(8),          *method,    r.text(10),
      r.text(11),      r.optionalText(12), r.text(13), core::PartnerId(r.text(14))};
  record.notice_language = r.text(15);
  const auto name = r.optionalText(16);
  const auto contact = r.optionalText(17);
  if (name.has_value() != contact.has_value()) corrupt();
  if (name) record.controller = core::ConsentController{*name, *contact};
  return record;
}

class SqlConsentStore final : public ConsentStore {
 public:
  explicit SqlConsentStore(std::shared_ptr<SqlDatabase> db) : db_(std::move(db)) {}

  void addConsent(const ConsentRecord& c) override {
    db_->write([&](SqlConnection& w) { insert(w, c); });
  }

  std::vector<ConsentRecord> consents(const core::DossierId& dossier) const override {
    std::vector<ConsentRecord> out;
    db_->read([&](SqlConnection& c) {
      out = collect<ConsentRecord>(c, kConsentsOfDossierSql, {dossier.str()}, decode);
    });
    return out;
  }

  std::optional<ConsentRecord> consent(const std::string& id) const override {
    std::vector<ConsentRecord> found;
    db_->read([&](SqlConnection& c) {
      found = collect<ConsentRecord>(c, kConsentByIdSql, {id}, decode);
    });
    if (found.empty()) return std::nullopt;
    return found.front();
  }

 private:
  static void insert(SqlConnection& w, const ConsentRecord& c) {
    if (!dossierExists(w, c.dossier))
      throw core::DomainError(core::ErrorKind::not_found, "no such dossier");
    noteChangedDossier(c.dossier);
    w.execute(
        "INSERT INTO consents (id, kind, withdraws, grantee_partner, grantee_kind, purpose, "
        "sections, categories, given_at, method, collected_by, notice_version, expires_at, "
        "recorded_at, recorded_by, notice_language, controller_name, controller_contact, "
        "dossier_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {c.id, std::string(core::toString(c.kind)), nullable(c.withdraws),
         c.grantee_partner ? SqlValue(c.grantee_partner->str()) : SqlValue(),
         c.grantee_kind ? SqlValue(std::string(core::toString(*c.grantee_kind))) : SqlValue(),
         std::string(core::toString(c.purpose)), namesOf(c, true), namesOf(c, false), c.given_at,
         std::string(core::toString(c.method)), c.collected_by, c.notice_version,
         nullable(c.expires_at), c.recorded_at, c.recorded_by.str(), c.notice_language,
         c.controller ? SqlValue(c.controller->name) : SqlValue(),
         c.controller ? SqlValue(c.controller->contact) : SqlValue(), c.dossier.str()});
  }

  std::shared_ptr<SqlDatabase> db_;
};

}  // namespace

std::unique_ptr<ConsentStore> makeConsentStore(std::shared_ptr<SqlDatabase> db) {
  return std::make_unique<SqlConsentStore>(std::move(db));
}

}  // namespace passerelle::store
