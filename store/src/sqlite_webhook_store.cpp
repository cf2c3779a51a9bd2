#include <Poco/Nullable.h>
#include <Poco/Tuple.h>

#include <nlohmann/json.hpp>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/store/webhook_store.hpp"
#include "sqlite_stores.hpp"

namespace passerelle::store {

using namespace Poco::Data::Keywords;

namespace {

std::string sectionsText(const std::vector<core::Section>& sections) {
  nlohmann::json list = nlohmann::json::array();
  for (auto s : sections) list.push_back(std::string(core::toString(s)));
  return list.dump();
}

std::vector<core::Section> sectionsOf(const std::string& text) {
  std::vector<core::Section> out;
  for (const auto& name : nlohmann::json::parse(text)) {
    const auto s = core::parseSection(name.get<std::string>());
    if (!s) throw core::DomainError(core::ErrorKind::integrity, "outbox row names no section");
    out.push_back(*s);
  }
  return out;
}

// id, partner, dossier, sections, sequence, created_at, attempts, next_attempt_at,
// delivered_at, last_status, last_error, notice
using Row =
    Poco::Tuple<Poco::Int64, std::string, std::string, std::string, Poco::Int64, std::string,
                Poco::Int64, std::string, Poco::Nullable<std::string>, Poco::Nullable<Poco::Int64>,
                Poco::Nullable<std::string>, Poco::Nullable<std::string>>;
constexpr const char* kColumns =
    "SELECT id, partner_id, dossier_id, sections, sequence, created_at, attempts, "
    "next_attempt_at, delivered_at, last_status, last_error, notice FROM webhook_outbox ";

WebhookDelivery deliveryOf(const Row& r) {
  const auto dossier = core::DossierId::parse(r.get<2>());
  if (!dossier) throw core::DomainError(core::ErrorKind::integrity, "outbox row: bad dossier id");
  WebhookDelivery d{r.get<0>(),
                    core::PartnerId(r.get<1>()),
                    *dossier,
                    sectionsOf(r.get<3>()),
                    r.get<4>(),
                    r.get<5>(),
                    r.get<6>(),
                    r.get<7>(),
                    std::nullopt,
                    std::nullopt,
                    ""};
  if (!r.get<8>().isNull()) d.delivered_at = r.get<8>().value();
  if (!r.get<9>().isNull()) d.last_status = static_cast<int>(r.get<9>().value());
  if (!r.get<10>().isNull()) d.last_error = r.get<10>().value();
  if (!r.get<11>().isNull()) d.notice = r.get<11>().value();
  return d;
}

class SqliteWebhookStore final : public WebhookStore {
 public:
  explicit SqliteWebhookStore(std::shared_ptr<SqliteDatabase> db) : db_(std::move(db)) {}

  std::int64_t cursor(const core::PartnerId& partner) const override {
    std::vector<Poco::Int64> rows;
    auto session = db_->readers.acquire();
    *session << "SELECT sequence FROM webhook_cursors WHERE partner_id = ?", bind(partner.str()),
        into(rows), now;
    return rows.empty() ? 0 : rows.front();
  }

  void enqueue(const core::PartnerId& partner, const std::vector<NewDelivery>& deliveries,
               std::int64_t sequence, const std::string& at) override {
    db_->writes.run([&] {
      auto& writer = db_->writes.session();
      for (const auto& d : deliveries)
        writer << "INSERT INTO webhook_outbox (partner_id, dossier_id, sections, sequence, "
                  "created_at, next_attempt_at, notice) VALUES (?, ?, ?, ?, ?, ?, ?)",
            bind(partner.str()), bind(d.dossier.str()), bind(sectionsText(d.sections)),
            bind(Poco::Int64(d.sequence)), bind(at), bind(at), bind(toNullable(d.notice)), now;
      writer << "INSERT INTO webhook_cursors (partner_id, sequence) VALUES (?, ?) "
                "ON CONFLICT (partner_id) DO UPDATE SET sequence = excluded.sequence",
          bind(partner.str()), bind(Poco::Int64(sequence)), now;
    });
  }

  std::vector<WebhookDelivery> due(const std::string& at, std::size_t limit) const override {
    return select(std::string(kColumns) +
                      "WHERE delivered_at IS NULL AND next_attempt_at <= ? ORDER BY id LIMIT ?",
                  {at}, limit);
  }

  void recordAttempt(std::int64_t id, bool delivered, std::optional<int> status,
                     const std::string& error, const std::string& at,
                     const std::string& next_attempt_at) override {
    Poco::Nullable<Poco::Int64> code;
    if (status) code = *status;
    Poco::Nullable<std::string> done;
    if (delivered) done = at;
    db_->writes.run([&] {
      db_->writes.session()
          << "UPDATE webhook_outbox SET attempts = attempts + 1, delivered_at = ?, "
             "last_status = ?, last_error = ?, next_attempt_at = ? WHERE id = ?",
          bind(done), bind(code), bind(error), bind(next_attempt_at), bind(Poco::Int64(id)), now;
    });
  }

  std::vector<WebhookDelivery> deliveries(const std::optional<core::PartnerId>& partner,
                                          bool pending_only, std::size_t limit) const override {
    std::string sql = std::string(kColumns) + "WHERE 1 = 1";
    std::vector<std::string> params;
    if (partner) {
      sql += " AND partner_id = ?";
      params.push_back(partner->str());
    }
    if (pending_only) sql += " AND delivered_at IS NULL";
    return select(sql + " ORDER BY id DESC LIMIT ?", params, limit);
  }

 private:
  std::vector<WebhookDelivery> select(const std::string& sql,
                                      const std::vector<std::string>& params,
                                      std::size_t limit) const {
    std::vector<Row> rows;
    {
      auto session = db_->readers.acquire();
      Poco::Data::Statement statement(*session);
      statement << sql;
      for (const auto& p : params) statement, bind(p);
      statement, bind(static_cast<Poco::Int64>(limit)), into(rows), now;
    }
    std::vector<WebhookDelivery> out;
    for (const auto& r : rows) out.push_back(deliveryOf(r));
    return out;
  }

  std::shared_ptr<SqliteDatabase> db_;
};

}  // namespace

std::unique_ptr<WebhookStore> makeSqliteWebhookStore(std::shared_ptr<SqliteDatabase> db) {
  return std::make_unique<SqliteWebhookStore>(std::move(db));
}

}  // namespace passerelle::store
