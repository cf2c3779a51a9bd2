#include "passerelle/store/console_session_store.hpp"

#include "sql_stores.hpp"

namespace passerelle::store {

namespace {

class SqlConsoleSessionStore final : public ConsoleSessionStore {
 public:
  explicit SqlConsoleSessionStore(std::shared_ptr<SqlDatabase> db) : db_(std::move(db)) {}

  void open(const ConsoleSession& s) override {
    db_->write([&](SqlConnection& c) {
      c.execute("DELETE FROM console_sessions WHERE expires_at <= ?", {s.created_at});
      c.execute(
          "INSERT INTO console_sessions (id_hash, partner_id, csrf_hash, created_at, expires_at) "
          "VALUES (?, ?, ?, ?, ?)",
          {s.id_hash, s.partner.str(), s.csrf_hash, s.created_at, s.expires_at});
    });
  }

  std::optional<ConsoleSession> find(const std::string& id_hash,
                                     const core::UtcTime& now) const override {
    std::optional<ConsoleSession> out;
    db_->read([&](SqlConnection& c) {
      auto rows = c.query(
          "SELECT id_hash, partner_id, csrf_hash, created_at, expires_at FROM console_sessions "
          "WHERE id_hash = ? AND expires_at > ?",
          {id_hash, now});
      if (rows->next())
        out = ConsoleSession{rows->text(0), core::PartnerId(rows->text(1)), rows->text(2),
                             rows->text(3), rows->text(4)};
    });
    return out;
  }

  bool close(const std::string& id_hash) override {
    std::int64_t removed = 0;
    db_->write([&](SqlConnection& c) {
      removed = c.execute("DELETE FROM console_sessions WHERE id_hash = ?", {id_hash});
    });
    return removed > 0;
  }

 private:
  std::shared_ptr<SqlDatabase> db_;
};

}  // namespace

std::unique_ptr<ConsoleSessionStore> makeConsoleSessionStore(std::shared_ptr<SqlDatabase> db) {
  return std::make_unique<SqlConsoleSessionStore>(std::move(db));
}

}  // namespace passerelle::store
