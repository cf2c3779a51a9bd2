#include <Poco/Nullable.h>
#include <Poco/Tuple.h>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/store/pending_audit.hpp"
#include "sqlite_stores.hpp"

namespace passerelle::store {

using namespace Poco::Data::Keywords;

namespace {

class SqliteRelationshipStore final : public RelationshipStore {
 public:
  explicit SqliteRelationshipStore(std::shared_ptr<SqliteDatabase> db) : db_(std::move(db)) {}

  void addRelationship(const core::Relationship& r) override {
    db_->writes.run([&] {
      auto& writer = db_->writes.session();
      if (!dossierExists(writer, r.dossier))
        throw core::DomainError(core::ErrorKind::not_found, "no such dossier");
      noteChangedDossier(r.dossier);
      writer << "INSERT INTO relationships (id, dossier_id, partner_id, origin, starts_at, "
                "ends_at, ended_at, created_by, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          bind(r.id), bind(r.dossier.str()), bind(r.partner.str()),
          bind(std::string(core::toString(r.origin))), bind(r.starts_at),
          bind(toNullable(r.ends_at)), bind(toNullable(r.ended_at)), bind(r.created_by.str()),
          bind(r.reason), now;
    });
  }

  std::vector<core::Relationship> relationships(const core::DossierId& dossier) const override {
    using Row =
        Poco::Tuple<std::string, std::string, std::string, std::string, Poco::Nullable<std::string>,
                    Poco::Nullable<std::string>, std::string, std::string>;
    std::vector<Row> rows;
    {
      auto session = db_->readers.acquire();
      *session << "SELECT id, partner_id, origin, starts_at, ends_at, ended_at, created_by, reason "
                  "FROM relationships WHERE dossier_id = ? ORDER BY rowid",
          bind(dossier.str()), into(rows), now;
    }
    std::vector<core::Relationship> out;
    for (const auto& r : rows) {
      const auto origin = core::parseRelationshipOrigin(r.get<2>());
      if (!origin)
        throw core::DomainError(core::ErrorKind::integrity,
                                "stored relationship has an unknown origin");
      out.push_back({r.get<0>(), dossier, core::PartnerId(r.get<1>()), *origin, r.get<3>(),
                     fromNullable(r.get<4>()), fromNullable(r.get<5>()),
                     core::PartnerId(r.get<6>()), r.get<7>()});
    }
    return out;
  }

  bool endRelationship(const core::DossierId& dossier, const std::string& id,
                       const core::UtcTime& at) override {
    bool ended = false;
    db_->writes.run([&] {
      Poco::Data::Statement update(db_->writes.session());
      update << "UPDATE relationships SET ended_at = ? WHERE id = ? AND dossier_id = ? AND "
                "ended_at IS NULL",
          bind(at), bind(id), bind(dossier.str());
      ended = update.execute() > 0;
      if (ended) noteChangedDossier(dossier);
    });
    return ended;
  }

 private:
  std::shared_ptr<SqliteDatabase> db_;
};

}  // namespace

std::unique_ptr<RelationshipStore> makeSqliteRelationshipStore(std::shared_ptr<SqliteDatabase> db) {
  return std::make_unique<SqliteRelationshipStore>(std::move(db));
}

}  // namespace passerelle::store
