#include <sstream>

#include "passerelle/store/pending_audit.hpp"
#include "sql_stores.hpp"

namespace passerelle::store {

namespace {

class SqlPendingAuditStore final : public PendingAuditStore {
 public:
  explicit SqlPendingAuditStore(std::shared_ptr<SqlDatabase> db) : db_(std::move(db)) {}

  std::vector<PendingAuditRow> pendingAudit() const override {
    std::vector<PendingAuditRow> out;
    db_->read([&](SqlConnection& c) {
      out = collect<PendingAuditRow>(
          c, "SELECT id, context, dossiers, created_at FROM audit_outbox ORDER BY created_at, id",
          {}, [](const SqlRows& r) {
            PendingAuditRow row{r.text(0), r.text(1), {}, r.text(3)};
            std::istringstream ids(r.text(2));
            for (std::string id; ids >> id;)
              if (auto dossier = core::DossierId::parse(id)) row.dossiers.push_back(*dossier);
            return row;
          });
    });
    return out;
  }

  void retirePendingAudit(std::vector<std::string> ids, bool now) override {
    if (ids.empty()) return;
    if (!now) {
      db_->retire(std::move(ids));
      return;
    }
    db_->write([&](SqlConnection& w) {
      for (const auto& id : ids) w.execute("DELETE FROM audit_outbox WHERE id = ?", {id});
    });
  }

 private:
  std::shared_ptr<SqlDatabase> db_;
};

}  // namespace

std::unique_ptr<PendingAuditStore> makePendingAuditStore(std::shared_ptr<SqlDatabase> db) {
  return std::make_unique<SqlPendingAuditStore>(std::move(db));
}

Stores makeStores(const std::shared_ptr<SqlDatabase>& db, std::shared_ptr<KeyStore> keys) {
  auto sealed = std::make_shared<SealedContent>(std::move(keys));
  resealLegacySections(*db, *sealed);
  shredKeysOfErasedDossiers(*db, *sealed);
  return {makeDossierStore(db, sealed), makeRelationshipStore(db),  makeConsentStore(db),
          makeWebhookStore(db),         makePendingAuditStore(db),  makePolicyAgreement(db),
          makeExportJobStore(db),       makeConsoleSessionStore(db)};
}

}  // namespace passerelle::store
