// Refusals counted from the audit log's search columns (the console's "Refus"): denied and
// invalid requests only, by period, partner, action and decision, within the range, and a cap
// that says it was reached.
#include "passerelle/app/refusal_summary.hpp"

#include <gtest/gtest.h>

#include "audit_events.hpp"
#include "passerelle/audit/audit_log.hpp"
#include "passerelle/crypto/root_key.hpp"
#include "temp_dir.hpp"

namespace passerelle::app {
namespace {

class RefusalSummaryTest : public ::testing::Test {
 protected:
  RefusalSummaryTest()
      : signer_(master_.derive(crypto::KeyUse::signing)),
        store_(store::openSqliteAuditStore({dir_ / "audit.sqlite", 2, 10000, std::nullopt})),
        log_(*store_, signer_, audit::AuditLogOptions{"test", std::chrono::hours(1), 64}) {}

  void append(const std::string& time, const std::string& partner, audit::AuditAction action,
              audit::AuditDecision decision) {
    auto e = testing::eventNumber(0);
    e.time = time;
    e.partner = partner.empty() ? std::nullopt : std::optional(core::PartnerId(partner));
    e.action = action;
    e.decision = decision;
    log_.append(e);
  }

  testing::TempDir dir_;
  crypto::RootKey master_ = crypto::RootKey::generate();
  crypto::Signer signer_;
  std::unique_ptr<store::AuditStore> store_;
  audit::AuditLog log_;
};

using audit::AuditAction;
using audit::AuditDecision;

TEST_F(RefusalSummaryTest, OnlyRefusalsInTheRangeAreCountedByPeriodPartnerAndAction) {
  append("2026-12-01T09:10:00.000Z", "caf", AuditAction::audit_search, AuditDecision::deny);
  append("2026-12-01T09:50:00.000Z", "caf", AuditAction::audit_search, AuditDecision::deny);
  append("2026-12-01T10:05:00.000Z", "caf", AuditAction::audit_search, AuditDecision::deny);
  append("2026-12-01T10:06:00.000Z", "caf", AuditAction::dossier_read, AuditDecision::allow);
  append("2026-12-01T10:07:00.000Z", "caf", AuditAction::dossier_read, AuditDecision::partial);
  append("2026-12-01T10:08:00.000Z", "caf", AuditAction::section_write, AuditDecision::error);
  append("2026-12-01T11:00:00.000Z", "", AuditAction::unknown_endpoint, AuditDecision::deny);
  append("2026-12-02T08:00:00.000Z", "msa", AuditAction::dossier_create, AuditDecision::invalid);
  append("2026-12-03T08:00:00.000Z", "msa", AuditAction::dossier_create, AuditDecision::invalid);

  const auto by_day = summarizeRefusals(*store_, "2026-12-01T00:00:00.000Z",
                                        "2026-12-03T00:00:00.000Z", RefusalPeriod::day);
  EXPECT_FALSE(by_day.truncated);
  EXPECT_EQ(by_day.total, 5u) << "allow, partial, error and the 3rd's are left out";
  ASSERT_EQ(by_day.counts.size(), 3u);
  EXPECT_EQ(by_day.counts[0].period, "2026-12-01T00:00:00.000Z");
  EXPECT_EQ(by_day.counts[0].partner, "");
  EXPECT_EQ(by_day.counts[0].action, "unknown_endpoint");
  EXPECT_EQ(by_day.counts[1].partner, "caf");
  EXPECT_EQ(by_day.counts[1].action, "audit_search");
  EXPECT_EQ(by_day.counts[1].decision, "deny");
  EXPECT_EQ(by_day.counts[1].count, 3u);
  EXPECT_EQ(by_day.counts[2].period, "2026-12-02T00:00:00.000Z");
  EXPECT_EQ(by_day.counts[2].decision, "invalid");

  const auto by_hour = summarizeRefusals(*store_, "2026-12-01T00:00:00.000Z",
                                         "2026-12-02T00:00:00.000Z", RefusalPeriod::hour);
  ASSERT_EQ(by_hour.counts.size(), 3u);
  EXPECT_EQ(by_hour.counts[0].period, "2026-12-01T09:00:00.000Z");
  EXPECT_EQ(by_hour.counts[0].count, 2u);
  EXPECT_EQ(by_hour.counts[1].period, "2026-12-01T10:00:00.000Z");
  EXPECT_EQ(by_hour.counts[1].count, 1u);
  EXPECT_EQ(by_hour.counts[2].period, "2026-12-01T11:00:00.000Z");

  const auto capped = summarizeRefusals(*store_, "2026-12-01T00:00:00.000Z",
                                        "2026-12-04T00:00:00.000Z", RefusalPeriod::day, 4);
  EXPECT_TRUE(capped.truncated);
  EXPECT_EQ(capped.total, 4u) << "no more than the cap is read";
}

}  // namespace
}  // namespace passerelle::app
