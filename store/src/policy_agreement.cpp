#include "passerelle/store/policy_agreement.hpp"

#include "passerelle/core/utc_time.hpp"
#include "sql_stores.hpp"

namespace passerelle::store {

namespace {

class SqlPolicyAgreement final : public PolicyAgreement {
 public:
  explicit SqlPolicyAgreement(std::shared_ptr<SqlDatabase> db) : db_(std::move(db)) {}

  void adopt(const std::string& node, const std::string& version) override {
    const auto now = core::nowUtc();
    db_->write([&](SqlConnection& c) {
      c.execute(
          "INSERT INTO policy_adoptions (version, adopted_at) VALUES (?, ?) "
          "ON CONFLICT (version) DO UPDATE SET adopted_at = excluded.adopted_at",
          {version, now});
      beat(c, node, version, now);
    });
  }

  void heartbeat(const std::string& node, const std::string& version) override {
    db_->write([&](SqlConnection& c) { beat(c, node, version, core::nowUtc()); });
  }

  std::optional<std::string> inForce() override {
    std::optional<std::string> version;
    db_->read([&](SqlConnection& c) {
      auto rows = c.query(
          "SELECT a.version FROM policy_adoptions a WHERE a.version IN "
          "(SELECT policy_version FROM node_heartbeats WHERE seen_at > ?) "
          "ORDER BY a.adopted_at DESC, a.version LIMIT 1",
          {core::utcIn(-1000LL * kLiveSeconds)});
      if (rows->next()) version = rows->text(0);
    });
    return version;
  }

 private:
  static void beat(SqlConnection& c, const std::string& node, const std::string& version,
                   const std::string& now) {
    c.execute(
        "INSERT INTO node_heartbeats (node, policy_version, seen_at) VALUES (?, ?, ?) "
        "ON CONFLICT (node) DO UPDATE SET policy_version = excluded.policy_version, "
        "seen_at = excluded.seen_at",
        {node, version, now});
  }

  std::shared_ptr<SqlDatabase> db_;
};

}  // namespace

std::unique_ptr<PolicyAgreement> makePolicyAgreement(std::shared_ptr<SqlDatabase> db) {
  return std::make_unique<SqlPolicyAgreement>(std::move(db));
}

}  // namespace passerelle::store
