#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "passerelle/audit/audit_log.hpp"
#include "passerelle/audit/person_pseudonyms.hpp"
#include "passerelle/store/pending_audit.hpp"

namespace passerelle::audit {

// What a PendingAuditScope's outbox rows say before the outcome is known: who, under which
// request, with which credential, purpose and action. The event's other fields are ignored.
std::string pendingContext(const AuditEvent& event);

// The entries an outbox row that no entry claimed stands for: one per dossier it names (or one
// with no person), decision allow, status 0, details.recovered = "outbox" (the change was
// committed; whether its answer reached the client is unknown). Throws AuditFormatError if the
// context is not one pendingContext() wrote.
std::vector<AuditEvent> recoveredEvents(const store::PendingAuditRow& row,
                                        const PersonPseudonyms& pseudonyms);

// Moves committed changes' entries from the audit outbox into the log (docs/ARCHITECTURE.md,
// "A change and its audit entry"): the entry a request appends claims its outbox rows, which
// are then deleted; an entry the log could not take waits here and is retried, with backoff,
// until the log takes it, while its change's row keeps it durable; rows left by a process that
// died become entries at start. Thread-safe.
class PendingEntries {
 public:
  struct Options {
    std::chrono::milliseconds first_retry{100};
    std::chrono::milliseconds max_retry{30000};
    // recover() leaves the rows younger than this: with several nodes on one database, a
    // younger row may be another live node's, whose entry is being appended (0: one process
    // owns the store, every row left is a dead process's).
    std::chrono::milliseconds recover_after{0};
  };

  PendingEntries(AuditLog& log, store::PendingAuditStore& outbox,
                 const PersonPseudonyms& pseudonyms, Options options);
  // Stops retrying; what waits stays in the outbox for the next start.
  ~PendingEntries();
  PendingEntries(const PendingEntries&) = delete;
  PendingEntries& operator=(const PendingEntries&) = delete;

  // At start, before requests (and, with several nodes, periodically on one of them): deletes
  // the rows an entry claims and records each other one older than Options::recover_after as
  // the entries recoveredEvents() gives. Returns how many rows were recovered. If the log cannot
  // be written, the rows wait for the retries (the gateway is then not ready).
  std::size_t recover();

  // Appends the entry of a request that committed a change, claiming `claims` (its rows; none
  // when nested scopes claimed them). Never throws AuditUnavailable: if the log cannot take
  // it, the event waits for a retry (durable through its rows only) and nothing is returned.
  std::optional<Appended> record(AuditEvent event, std::vector<std::string> claims);
  // For an entry submitted with claims whose write failed: it waits for a retry.
  void adopt(AuditEvent event, std::vector<std::string> claims);
  // For an entry submitted with claims that the log took: its outbox rows are deleted.
  void retire(std::vector<std::string> claims);

  // Entries waiting for the log.
  std::size_t waiting() const;

 private:
  struct Waiting {
    AuditEvent event;
    std::vector<std::string> claims;
  };
  void run();

  AuditLog& log_;
  store::PendingAuditStore& outbox_;
  const PersonPseudonyms& pseudonyms_;
  const Options options_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Waiting> waiting_;
  bool stopping_ = false;
  std::thread retrier_;
};

}  // namespace passerelle::audit
