#include "passerelle/app/error_table.hpp"

#include <gtest/gtest.h>

#include "passerelle/audit/audit_log.hpp"
#include "passerelle/connectors/delimited_reader.hpp"
#include "passerelle/connectors/export_job.hpp"
#include "passerelle/policies/policy_set.hpp"

namespace passerelle::app {
namespace {

using core::ErrorKind;

const ErrorKind kAllKinds[] = {
    ErrorKind::invalid_input,       ErrorKind::validation_failed, ErrorKind::not_found,
    ErrorKind::forbidden,           ErrorKind::conflict,          ErrorKind::gone,
    ErrorKind::precondition_failed, ErrorKind::integrity,         ErrorKind::unavailable,
    ErrorKind::audit_unavailable,   ErrorKind::unusable_file,     ErrorKind::configuration,
};

TEST(ErrorTableTest, ARefusalIsAClientErrorAndAFailureAServerError) {
  for (const auto kind : kAllKinds) {
    const auto& row = describe(problemTypeOf(kind));
    if (core::isRefusal(kind)) {
      EXPECT_GE(row.status, 400) << row.name;
      EXPECT_LT(row.status, 500) << row.name;
      EXPECT_NE(row.decision, audit::AuditDecision::error) << row.name;
    } else {
      EXPECT_GE(row.status, 500) << row.name;
      EXPECT_EQ(row.decision, audit::AuditDecision::error) << row.name;
    }
  }
}

TEST(ErrorTableTest, TheDecisionOfARefusalSaysWhetherTheCallerMayNot) {
  EXPECT_EQ(describe(ProblemType::forbidden).decision, audit::AuditDecision::deny);
  EXPECT_EQ(describe(ProblemType::not_found).decision, audit::AuditDecision::deny);
  EXPECT_EQ(describe(ProblemType::unauthenticated).decision, audit::AuditDecision::deny);
  EXPECT_EQ(describe(ProblemType::validation_failed).decision, audit::AuditDecision::invalid);
  EXPECT_EQ(describe(ProblemType::malformed_request).decision, audit::AuditDecision::invalid);
}

// The modules' own exceptions are DomainErrors of a kind, so that one table maps them all.
TEST(ErrorTableTest, EveryModuleExceptionHasAKindAndAProblemType) {
  const auto kindOf = [](const core::DomainError& e) { return problemTypeOf(e.kind()); };
  EXPECT_EQ(kindOf(audit::AuditUnavailable("x")), ProblemType::audit_unavailable);
  EXPECT_EQ(httpStatusOf(audit::AuditUnavailable("x")), 503);
  EXPECT_EQ(kindOf(audit::AuditFormatError("x")), ProblemType::integrity_error);
  EXPECT_EQ(kindOf(connectors::FileFormatError("x")), ProblemType::unusable_file);
  EXPECT_EQ(httpStatusOf(connectors::FileFormatError("x")), 422);
  EXPECT_EQ(kindOf(connectors::PopulationChanged("x")), ProblemType::conflict);
  EXPECT_EQ(kindOf(policies::PolicyError("x")), ProblemType::internal_error);
  EXPECT_EQ(auditDecisionOf(policies::PolicyError("x")), audit::AuditDecision::error);
}

}  // namespace
}  // namespace passerelle::app
