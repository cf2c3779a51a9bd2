#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace passerelle::app {

// Whether this node should be sent traffic (GET /readyz), and each reason it should not.
struct ReadinessReport {
  // Stable codes, in this order: audit_log_not_writable, store_not_writable, keys_unreadable,
  // policy_not_loaded, policy_not_in_force.
  std::vector<std::string> reasons;
  std::string policy_version;  // the sharing policy this node serves ("" if none)
  // With several nodes, the version they agree is in force (docs/ARCHITECTURE.md, "Policy files
  // on several nodes"); a node serving another one is not ready until it reloads.
  std::optional<std::string> policy_in_force;
  bool ready() const { return reasons.empty(); }
};

// Asks each part a request needs whether it works now. The writers answer from memory while
// their last write succeeded, and with a real commit once one failed (which is also how they
// learn that the cause is gone): such a probe, and the key file's read, run at most once per
// `min_interval`, the answer kept in between, so that a probe flood costs nothing. A failure
// the writers saw shows at once. Thread-safe.
class ReadinessProbe {
 public:
  struct Parts {
    std::function<bool()> audit_writable;  // audit::AuditLog::probeWritable
    std::function<bool()> store_writable;  // store::DossierStore::probeWritable
    std::function<bool()> keys_readable;   // store::KeyStore::probeReadable
    // The version of the policy in force; nothing if none is loaded.
    std::function<std::optional<std::string>()> policy_version;
    // The version the nodes agree on; nothing with one process, or none heard from yet.
    std::function<std::optional<std::string>()> policy_in_force = {};
  };

  explicit ReadinessProbe(Parts parts,
                          std::chrono::milliseconds min_interval = std::chrono::seconds(1));

  ReadinessReport check();

 private:
  // One part's last answer, and when it was asked.
  struct Answer {
    bool ok = true;
    std::optional<std::chrono::steady_clock::time_point> at;
  };
  // Asks `part` unless its last answer is recent and is a failure (or, with `keep_success`,
  // whatever it was).
  bool ask(const std::function<bool()>& part, Answer& last, bool keep_success,
           std::chrono::steady_clock::time_point now);

  Parts parts_;
  const std::chrono::milliseconds min_interval_;
  std::mutex mutex_;
  Answer audit_, store_, keys_;
  std::optional<std::vector<std::string>> last_reasons_;
};

}  // namespace passerelle::app
