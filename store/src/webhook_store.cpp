#include "passerelle/store/webhook_store.hpp"

#include <nlohmann/json.hpp>

#include "passerelle/core/domain_error.hpp"
#include "sql_stores.hpp"

namespace passerelle::store {

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

// The columns of every query below, in order.
WebhookDelivery deliveryOf(const SqlRows& r) {
  const auto dossier = core::DossierId::parse(r.text(2));
  if (!dossier) throw core::DomainError(core::ErrorKind::integrity, "outbox row: bad dossier id");
  WebhookDelivery d{r.integer(0),
                    core::PartnerId(r.text(1)),
                    *dossier,
                    sectionsOf(r.text(3)),
                    r.integer(4),
                    r.text(5),
                    r.integer(6),
                    r.text(7),
                    r.optionalText(8),
                    std::nullopt,
                    r.optionalText(10).value_or("")};
  if (!r.isNull(9)) d.last_status = static_cast<int>(r.integer(9));
  d.notice = r.optionalText(11);
  return d;
}

class SqlWebhookStore final : public WebhookStore {
 public:
  explicit SqlWebhookStore(std::shared_ptr<SqlDatabase> db) : db_(std::move(db)) {}

  std::int64_t cursor(const core::PartnerId& partner) const override {
    std::int64_t sequence = 0;
    db_->read([&](SqlConnection& c) {
      auto rows =
          c.query("SELECT sequence FROM webhook_cursors WHERE partner_id = ?", {partner.str()});
      if (rows->next()) sequence = rows->integer(0);
    });
    return sequence;
  }

  void enqueue(const core::PartnerId& partner, const std::vector<NewDelivery>& deliveries,
               std::int64_t sequence, const std::string& at) override {
    db_->write([&](SqlConnection& w) {
      for (const auto& d : deliveries)
        w.execute(
            "INSERT INTO webhook_outbox (partner_id, dossier_id, sections, sequence, created_at, "
            "next_attempt_at, notice) VALUES (?, ?, ?, ?, ?, ?, ?)",
            {partner.str(), d.dossier.str(), sectionsText(d.sections), d.sequence, at, at,
             nullable(d.notice)});
      w.execute(
          "INSERT INTO webhook_cursors (partner_id, sequence) VALUES (?, ?) "
          "ON CONFLICT (partner_id) DO UPDATE SET sequence = excluded.sequence",
          {partner.str(), sequence});
    });
  }

  Backlog backlog() const override {
    Backlog out;
    db_->read([&](SqlConnection& c) {
      auto rows = c.query(
          "SELECT COUNT(*), MIN(created_at) FROM webhook_outbox WHERE delivered_at IS NULL");
      if (rows->next()) out = {rows->integer(0), rows->optionalText(1)};
    });
    return out;
  }

  std::vector<WebhookDelivery> due(const std::string& at, std::size_t limit) const override {
    std::vector<WebhookDelivery> out;
    db_->read([&](SqlConnection& c) {
      out = collect<WebhookDelivery>(
          c,
          "SELECT id, partner_id, dossier_id, sections, sequence, created_at, attempts, "
          "next_attempt_at, delivered_at, last_status, last_error, notice FROM webhook_outbox "
          "WHERE delivered_at IS NULL AND next_attempt_at <= ? ORDER BY id LIMIT ?",
          {at, static_cast<std::int64_t>(limit)}, deliveryOf);
    });
    return out;
  }

  void recordAttempt(std::int64_t id, bool delivered, std::optional<int> status,
                     const std::string& error, const std::string& at,
                     const std::string& next_attempt_at) override {
    db_->write([&](SqlConnection& w) {
      w.execute(
          "UPDATE webhook_outbox SET attempts = attempts + 1, delivered_at = ?, "
          "last_status = ?, last_error = ?, next_attempt_at = ? WHERE id = ?",
          {delivered ? SqlValue(at) : SqlValue(),
           status ? SqlValue(std::int64_t{*status}) : SqlValue(), error, next_attempt_at, id});
    });
  }

  std::vector<WebhookDelivery> deliveries(const std::optional<core::PartnerId>& partner,
                                          bool pending_only, std::size_t limit) const override {
    std::vector<WebhookDelivery> out;
    db_->read([&](SqlConnection& c) {
      // One statement for the four cases: a NULL partner matches every partner.
      out = collect<WebhookDelivery>(
          c,
          "SELECT id, partner_id, dossier_id, sections, sequence, created_at, attempts, "
          "next_attempt_at, delivered_at, last_status, last_error, notice FROM webhook_outbox "
          "WHERE (CAST(? AS TEXT) IS NULL OR partner_id = CAST(? AS TEXT)) "
          "AND (CAST(? AS BIGINT) = 0 OR delivered_at IS NULL) ORDER BY id DESC LIMIT ?",
          {partner ? SqlValue(partner->str()) : SqlValue(),
           partner ? SqlValue(partner->str()) : SqlValue(), std::int64_t{pending_only ? 1 : 0},
           static_cast<std::int64_t>(limit)},
          deliveryOf);
    });
    return out;
  }

 private:
  std::shared_ptr<SqlDatabase> db_;
};

}  // namespace

std::unique_ptr<WebhookStore> makeWebhookStore(std::shared_ptr<SqlDatabase> db) {
  return std::make_unique<SqlWebhookStore>(std::move(db));
}

}  // namespace passerelle::store
