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
      c.execute(
          "INSERT INTO node_heartbeats (node, policy_version, seen_at) VALUES (?, ?, ?) "
          "ON CONFLICT (node) DO UPDATE SET policy_version = excluded.policy_version, "
          "seen_at = excluded.seen_at",
          {node, version, now});
    });
  }

  void heartbeat(const std::string& node, const std::string& version,
                 const std::vector<int>& master_key_versions) override {
    // ",1,2,": a version is looked for as ",N,".
    std::string keys = ",";
    for (const auto v : master_key_versions) {
      keys += std::to_string(v);
      keys += ",";
    }
    db_->write([&](SqlConnection& c) {
      c.execute(
          "INSERT INTO node_heartbeats (node, policy_version, seen_at, master_key_versions) "
          "VALUES (?, ?, ?, ?) ON CONFLICT (node) DO UPDATE SET "
          "policy_version = excluded.policy_version, seen_at = excluded.seen_at, "
          "master_key_versions = excluded.master_key_versions",
          {node, version, core::nowUtc(), keys});
    });
  }

  void leave(const std::string& node) override {
    db_->write(
        [&](SqlConnection& c) { c.execute("DELETE FROM node_heartbeats WHERE node = ?", {node}); });
  }

  std::int64_t liveNodesLacking(int master_key_version) override {
    std::int64_t lacking = 0;
    db_->read([&](SqlConnection& c) {
      auto rows = c.query(
          "SELECT COUNT(*) FROM node_heartbeats WHERE seen_at > ? AND "
          "(master_key_versions IS NULL OR master_key_versions NOT LIKE ?)",
          {core::utcIn(-1000LL * kLiveSeconds), "%," + std::to_string(master_key_version) + ",%"});
      if (rows->next()) lacking = rows->integer(0);
    });
    return lacking;
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
  std::shared_ptr<SqlDatabase> db_;
};

}  // namespace

std::unique_ptr<PolicyAgreement> makePolicyAgreement(std::shared_ptr<SqlDatabase> db) {
  return std::make_unique<SqlPolicyAgreement>(std::move(db));
}

}  // namespace passerelle::store
