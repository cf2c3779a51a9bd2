#include <Poco/Nullable.h>
#include <Poco/Tuple.h>

#include <nlohmann/json.hpp>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/store/pending_audit.hpp"
#include "sqlite_stores.hpp"

namespace passerelle::store {

using namespace Poco::Data::Keywords;
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

// id, kind, withdraws, grantee_partner, grantee_kind, purpose, sections, categories, given_at,
// method, collected_by, notice_version, expires_at, recorded_at, recorded_by, notice_language,
// controller_name, controller_contact
using Row =
    Poco::Tuple<std::string, std::string, Poco::Nullable<std::string>, Poco::Nullable<std::string>,
                Poco::Nullable<std::string>, std::string, std::string, std::string, std::string,
                std::string, std::string, std::string, Poco::Nullable<std::string>, std::string,
                std::string, std::string, Poco::Nullable<std::string>, Poco::Nullable<std::string>>;

// The columns of Row, in order; dossier_id is bound or read on its own.
constexpr const char* kColumns =
    "id, kind, withdraws, grantee_partner, grantee_kind, purpose, sections, categories, given_at, "
    "method, collected_by, notice_version, expires_at, recorded_at, recorded_by, notice_language, "
    "controller_name, controller_contact";

// Every decision reads the dossier's consents: a cached statement. Its columns are kColumns.
constexpr const char* kConsentsOfDossierSql =
    "SELECT id, kind, withdraws, grantee_partner, grantee_kind, purpose, sections, categories, "
    "given_at, method, collected_by, notice_version, expires_at, recorded_at, recorded_by, "
    "notice_language, controller_name, controller_contact FROM consents WHERE dossier_id = ? "
    "ORDER BY rowid";

Row rowOf(const CachedStatement& q) {
  auto nullable = [&](int column) {
    return q.isNull(column) ? Poco::Nullable<std::string>()
                            : Poco::Nullable<std::string>(q.text(column));
  };
  return Row(q.text(0), q.text(1), nullable(2), nullable(3), nullable(4), q.text(5), q.text(6),
             q.text(7), q.text(8), q.text(9), q.text(10), q.text(11), nullable(12), q.text(13),
             q.text(14), q.text(15), nullable(16), nullable(17));
}

ConsentRecord decode(const Row& r, const core::DossierId& dossier) {
  const auto kind = core::parseConsentKind(r.get<1>());
  if (!kind) corrupt();
  std::optional<core::PartnerId> grantee_partner;
  if (auto p = fromNullable(r.get<3>())) grantee_partner = core::PartnerId(*p);
  std::optional<core::PartnerKind> grantee_kind;
  if (auto k = fromNullable(r.get<4>())) {
    grantee_kind = core::parsePartnerKind(*k);
    if (!grantee_kind) corrupt();
  }
  const auto purpose = core::parsePurpose(r.get<5>());
  const auto method = core::parseConsentMethod(r.get<9>());
  if (!purpose || !method) corrupt();
  std::vector<core::Section> sections;
  for (const auto& s : nlohmann::json::parse(r.get<6>())) {
    auto section = core::parseSection(s.get<std::string>());
    if (!section) corrupt();
    sections.push_back(*section);
  }
  std::vector<core::FieldCategory> categories;
  for (const auto& s : nlohmann::json::parse(r.get<7>())) {
    auto category = core::parseFieldCategory(s.get<std::string>());
    if (!category) corrupt();
    categories.push_back(*category);
  }
  ConsentRecord record{r.get<0>(),      dossier,
                       *kind,           fromNullable(r.get<2>()),
                       grantee_partner, grantee_kind,
                       *purpose,        sections,
                       categories,      r.get<8>(),
                       *method,         r.get<10>(),
                       r.get<11>(),     fromNullable(r.get<12>()),
                       r.get<13>(),     core::PartnerId(r.get<14>())};
  record.notice_language = r.get<15>();
  const auto name = fromNullable(r.get<16>());
  const auto contact = fromNullable(r.get<17>());
  if (name.has_value() != contact.has_value()) corrupt();
  if (name) record.controller = core::ConsentController{*name, *contact};
  return record;
}

class SqliteConsentStore final : public ConsentStore {
 public:
  explicit SqliteConsentStore(std::shared_ptr<SqliteDatabase> db) : db_(std::move(db)) {}

  void addConsent(const ConsentRecord& c) override {
    db_->writes.run([&] { insert(c); });
  }

  std::vector<ConsentRecord> consents(const core::DossierId& dossier) const override {
    std::vector<Row> rows;
    {
      auto session = db_->readers.acquire();
      auto query = session.statements().prepare(kConsentsOfDossierSql);
      query.bind(dossier.str());
      while (query.step()) rows.push_back(rowOf(query));
    }
    std::vector<ConsentRecord> out;
    for (const auto& r : rows) out.push_back(decode(r, dossier));
    return out;
  }

  std::optional<ConsentRecord> consent(const std::string& id) const override {
    std::vector<Row> rows;
    std::vector<std::string> dossiers;
    {
      auto session = db_->readers.acquire();
      *session << std::string("SELECT ") + kColumns + " FROM consents WHERE id = ?", bind(id),
          into(rows), now;
      *session << "SELECT dossier_id FROM consents WHERE id = ?", bind(id), into(dossiers), now;
    }
    if (rows.empty() || dossiers.empty()) return std::nullopt;
    auto dossier = core::DossierId::parse(dossiers.front());
    if (!dossier) corrupt();
    return decode(rows.front(), *dossier);
  }

 private:
  void insert(const ConsentRecord& c) {
    auto& writer = db_->writes.session();
    if (!dossierExists(writer, c.dossier))
      throw core::DomainError(core::ErrorKind::not_found, "no such dossier");
    noteChangedDossier(c.dossier);
    writer << std::string("INSERT INTO consents (") + kColumns + ", dossier_id" +
                  ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        bind(c.id), bind(std::string(core::toString(c.kind))), bind(toNullable(c.withdraws)),
        bind(toNullable(c.grantee_partner ? std::optional<std::string>(c.grantee_partner->str())
                                          : std::nullopt)),
        bind(toNullable(c.grantee_kind ? std::optional<std::string>(
                                             std::string(core::toString(*c.grantee_kind)))
                                       : std::nullopt)),
        bind(std::string(core::toString(c.purpose))), bind(namesOf(c, true)),
        bind(namesOf(c, false)), bind(c.given_at), bind(std::string(core::toString(c.method))),
        bind(c.collected_by), bind(c.notice_version), bind(toNullable(c.expires_at)),
        bind(c.recorded_at), bind(c.recorded_by.str()), bind(c.notice_language),
        bind(toNullable(c.controller ? std::optional(c.controller->name) : std::nullopt)),
        bind(toNullable(c.controller ? std::optional(c.controller->contact) : std::nullopt)),
        bind(c.dossier.str()), now;
  }

  std::shared_ptr<SqliteDatabase> db_;
};

}  // namespace

std::unique_ptr<ConsentStore> makeSqliteConsentStore(std::shared_ptr<SqliteDatabase> db) {
  return std::make_unique<SqliteConsentStore>(std::move(db));
}

}  // namespace passerelle::store
