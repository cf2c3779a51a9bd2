#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "passerelle/core/ids.hpp"
#include "passerelle/core/section.hpp"

namespace passerelle::store {

// One notification to a partner: a dossier whose sections changed, up to a feed position.
struct WebhookDelivery {
  std::int64_t id = 0;
  core::PartnerId partner{""};
  core::DossierId dossier;
  std::vector<core::Section> sections;
  std::int64_t sequence = 0;  // the change feed cursor the notification brings the partner to
  std::string created_at;
  std::int64_t attempts = 0;
  std::string next_attempt_at;
  std::optional<std::string> delivered_at;
  std::optional<int> last_status;  // HTTP status of the last attempt (none: no answer)
  std::string last_error;
  // A notice for this partner (JSON text) instead of a dossier's sections: delivered without
  // `dossier` and `sections`, which it may not be able to see.
  std::optional<std::string> notice = {};
};

// A notification to be queued.
struct NewDelivery {
  core::DossierId dossier;
  std::vector<core::Section> sections;
  std::int64_t sequence = 0;
  std::optional<std::string> notice = {};  // see WebhookDelivery::notice
};

// The persistent outbox of webhook notifications (DESIGN §8): what each partner has been
// notified of up to where in the change feed, and every delivery with its attempts. Survives a
// restart: a notification stays due until acknowledged. Safe for concurrent use.
class WebhookStore {
 public:
  virtual ~WebhookStore() = default;

  // The feed position up to which the partner's notifications are queued (0 if none yet).
  virtual std::int64_t cursor(const core::PartnerId& partner) const = 0;
  // Queues `deliveries` and moves the partner's cursor to `sequence`, all or nothing.
  virtual void enqueue(const core::PartnerId& partner, const std::vector<NewDelivery>& deliveries,
                       std::int64_t sequence, const std::string& now) = 0;
  // Undelivered notifications whose next attempt is due at `now`, oldest first.
  virtual std::vector<WebhookDelivery> due(const std::string& now, std::size_t limit) const = 0;
  // Records an attempt: delivered, or the next attempt's time.
  virtual void recordAttempt(std::int64_t id, bool delivered, std::optional<int> status,
                             const std::string& error, const std::string& at,
                             const std::string& next_attempt_at) = 0;
  // Undelivered notifications: how many, and when the oldest was queued (operations' metrics).
  struct Backlog {
    std::int64_t pending = 0;
    std::optional<std::string> oldest_created_at;
  };
  virtual Backlog backlog() const = 0;
  // The latest deliveries, newest first, of one partner or all; pending ones only if asked.
  virtual std::vector<WebhookDelivery> deliveries(const std::optional<core::PartnerId>& partner,
                                                  bool pending_only, std::size_t limit) const = 0;
};

}  // namespace passerelle::store
