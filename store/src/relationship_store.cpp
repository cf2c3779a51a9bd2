#include "passerelle/core/domain_error.hpp"
#include "passerelle/store/pending_audit.hpp"
#include "sql_stores.hpp"

namespace passerelle::store {

namespace {

class SqlRelationshipStore final : public RelationshipStore {
 public:
  explicit SqlRelationshipStore(std::shared_ptr<SqlDatabase> db) : db_(std::move(db)) {}

  void addRelationship(const core::Relationship& r) override {
    db_->write([&](SqlConnection& w) {
      if (!dossierExists(w, r.dossier))
        throw core::DomainError(core::ErrorKind::not_found, "no such dossier");
      noteChangedDossier(r.dossier);
      w.execute(
          "INSERT INTO relationships (id, dossier_id, partner_id, origin, starts_at, ends_at, "
          "ended_at, created_by, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {r.id, r.dossier.str(), r.partner.str(), std::string(core::toString(r.origin)),
           r.starts_at, nullable(r.ends_at), nullable(r.ended_at), r.created_by.str(), r.reason});
    });
  }

  std::vector<core::Relationship> relationships(const core::DossierId& dossier) const override {
    std::vector<core::Relationship> out;
    db_->read([&](SqlConnection& c) {
      // `rowid` orders them as recorded (a column of that name on PostgreSQL).
      out = collect<core::Relationship>(
          c,
          "SELECT id, partner_id, origin, starts_at, ends_at, ended_at, created_by, reason "
          "FROM relationships WHERE dossier_id = ? ORDER BY rowid",
          {dossier.str()}, [&](const SqlRows& r) {
            const auto origin = core::parseRelationshipOrigin(r.text(2));
            if (!origin)
              throw core::DomainError(core::ErrorKind::integrity,
                                      "stored relationship has an unknown origin");
            return core::Relationship{r.text(0),
                                      dossier,
                                      core::PartnerId(r.text(1)),
                                      *origin,
                                      r.text(3),
                                      r.optionalText(4),
                                      r.optionalText(5),
                                      core::PartnerId(r.text(6)),
                                      r.text(7)};
          });
    });
    return out;
  }

  bool endRelationship(const core::DossierId& dossier, const std::string& id,
                       const core::UtcTime& at) override {
    bool ended = false;
    db_->write([&](SqlConnection& w) {
      ended = w.execute(
                  "UPDATE relationships SET ended_at = ? WHERE id = ? AND dossier_id = ? AND "
                  "ended_at IS NULL",
                  {at, id, dossier.str()}) > 0;
      if (ended) noteChangedDossier(dossier);
    });
    return ended;
  }

 private:
  std::shared_ptr<SqlDatabase> db_;
};

}  // namespace

std::unique_ptr<RelationshipStore> makeRelationshipStore(std::shared_ptr<SqlDatabase> db) {
  return std::make_unique<SqlRelationshipStore>(std::move(db));
}

}  // namespace passerelle::store
