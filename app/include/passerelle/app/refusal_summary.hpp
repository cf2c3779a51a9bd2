#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "passerelle/store/audit_store.hpp"

namespace passerelle::app {

// The refused requests of one period, partner, action and decision.
struct RefusalCount {
  std::string period;   // its first instant, core::UtcTime
  std::string partner;  // "" for requests that were not authenticated
  std::string action;
  std::string decision;  // deny or invalid
  std::uint64_t count = 0;
};

struct RefusalSummary {
  std::vector<RefusalCount> counts;  // by period, then partner, action and decision
  std::uint64_t total = 0;
  bool truncated = false;  // more than the most entries read: the range should be narrowed
};

enum class RefusalPeriod { hour, day };

// Denied and invalid requests over [from, to), counted by period, partner and action (issue
// 25): a partner that probes the API shows as a column of refusals. Reads the audit log's
// search columns only (no entry is opened), at most `max_entries` entries. Throws the store's
// core::DomainError.
RefusalSummary summarizeRefusals(const store::AuditStore& store, const std::string& from,
                                 const std::string& to, RefusalPeriod period,
                                 std::uint64_t max_entries = 200000);

}  // namespace passerelle::app
