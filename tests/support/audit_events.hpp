#pragma once

#include <string>

#include "passerelle/audit/audit_entry.hpp"
#include "passerelle/core/utc_time.hpp"

namespace passerelle::testing {

// A distinct audit event for the audit log's tests: a read by one of two partners, numbered.
inline audit::AuditEvent eventNumber(int i, const std::string& person = "p-someone") {
  audit::AuditEvent e;
  e.time = core::nowUtc();
  e.partner = core::PartnerId(i % 2 ? "caf" : "mission-locale");
  e.credential = "token:0011223344556677";
  e.purpose = core::Purpose::accompagnement;
  e.action = audit::AuditAction::dossier_read;
  e.person = person;
  e.disclosed = {"/identite/nom"};
  e.decision = audit::AuditDecision::allow;
  e.policy_version = "test";
  e.rules = {"rule-" + std::to_string(i % 3)};
  e.request_id = core::RequestId("req-" + std::to_string(i));
  e.status = 200;
  return e;
}

}  // namespace passerelle::testing
