#include <Poco/Tuple.h>

#include <sstream>

#include "passerelle/store/pending_audit.hpp"
#include "sqlite_stores.hpp"

namespace passerelle::store {

using namespace Poco::Data::Keywords;

namespace {

class SqlitePendingAuditStore final : public PendingAuditStore {
 public:
  explicit SqlitePendingAuditStore(std::shared_ptr<SqliteDatabase> db) : db_(std::move(db)) {}

  std::vector<PendingAuditRow> pendingAudit() const override {
    std::vector<Poco::Tuple<std::string, std::string, std::string, std::string>> rows;
    {
      auto session = db_->readers.acquire();
      *session << "SELECT id, context, dossiers, created_at FROM audit_outbox "
                  "ORDER BY created_at, id",
          into(rows), now;
    }
    std::vector<PendingAuditRow> out;
    for (const auto& r : rows) {
      PendingAuditRow row{r.get<0>(), r.get<1>(), {}, r.get<3>()};
      std::istringstream ids(r.get<2>());
      for (std::string id; ids >> id;)
        if (auto dossier = core::DossierId::parse(id)) row.dossiers.push_back(*dossier);
      out.push_back(std::move(row));
    }
    return out;
  }

  void retirePendingAudit(std::vector<std::string> ids, bool now_) override {
    if (ids.empty()) return;
    if (!now_) {
      db_->writes.retire(std::move(ids));
      return;
    }
    db_->writes.run([&] {
      for (const auto& id : ids)
        db_->writes.statements().prepare("DELETE FROM audit_outbox WHERE id = ?").bind(id).step();
    });
  }

 private:
  std::shared_ptr<SqliteDatabase> db_;
};

}  // namespace

std::unique_ptr<PendingAuditStore> makeSqlitePendingAuditStore(std::shared_ptr<SqliteDatabase> db) {
  return std::make_unique<SqlitePendingAuditStore>(std::move(db));
}

}  // namespace passerelle::store
