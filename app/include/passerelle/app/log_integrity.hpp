#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "passerelle/audit/audit_log.hpp"
#include "passerelle/audit/log_verifier.hpp"
#include "passerelle/store/audit_store.hpp"

namespace passerelle::app {

// The last full verification, as the audit log recorded it (action audit_verify): when, by
// whom, and its result in the entry's details (docs/audit.md).
struct RecordedVerification {
  std::uint64_t index = 0;  // the entry that records it
  std::string time;
  std::string partner;
  std::map<std::string, std::string> details;  // empty once the entry was pruned
};

// What the DPO's console shows of the log's health.
struct IntegrityState {
  std::uint64_t entries = 0;
  std::uint64_t pruned = 0;  // entries whose content retention emptied
  int retention_months = 0;
  std::vector<store::AuditCheckpointRow> checkpoints;  // the latest first
  std::optional<RecordedVerification> last_verification;
};

// The audit log's integrity for the DPO (issue 25): its state, and the full verification that
// `passerelle audit verify` runs, here against the running node's own key and retention
// period. Thread-safe; verifications run one at a time.
class LogIntegrity {
 public:
  LogIntegrity(audit::AuditLog& log, int retention_months)
      : log_(log), retention_months_(retention_months) {}

  // The log's size, pruning, its latest `checkpoints`, and the last verification recorded.
  // Throws the store's core::DomainError.
  IntegrityState state(std::size_t checkpoints) const;

  // Recomputes every leaf, the tree, every checkpoint's signature and every tile (see
  // audit::verifyLog). Its memory does not grow with the log; its time does (a million entries
  // took 18.5 s and 43 MB here, bench/RESULTS.md), in the caller's thread. Throws
  // DomainError(conflict) while another verification runs.
  audit::VerifyReport verify();

 private:
  audit::AuditLog& log_;
  const int retention_months_;
  std::mutex running_;
};

}  // namespace passerelle::app
