#pragma once

#include <chrono>
#include <string>

#include "passerelle/app/config.hpp"
#include "passerelle/core/worker.hpp"
#include "passerelle/dossiers/dossier_service.hpp"
#include "passerelle/policies/partner_registry.hpp"
#include "passerelle/store/leases.hpp"
#include "passerelle/store/webhook_store.hpp"

namespace passerelle::app {

// Notifies partners of the changes they may see (docs/api.md, "Webhooks"). Each round it follows
// the change feed for every partner with a webhook, through the same policy filter as GET
// /v1/changes, queues one notification per changed dossier in the persistent outbox (and moves the
// partner's cursor, in one transaction), then POSTs what is due:
// {"delivery", "dossier", "sections", "cursor"}, signed with HMAC-SHA256 over
// "<timestamp>.<body>". A 2xx answer acknowledges; anything else is retried with exponential
// backoff, across restarts, until acknowledged. start()/stop() from one thread.
class WebhookDispatcher {
 public:
  // Delivers only while this node holds the "webhooks" lease (store/leases.hpp): with several
  // nodes, one follows the feed and delivers; another takes over within a poll of the holder's
  // end. A notification is delivered at least once (a holder that dies between the POST and
  // its record leaves it to be sent again).
  WebhookDispatcher(const policies::PartnerRegistry& registry, dossiers::DossierService& dossiers,
                    store::WebhookStore& outbox, WebhookConfig config, store::Leases& leases);
  ~WebhookDispatcher();
  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;

  void start();
  void stop();

  // One round, in the caller's thread: queue what changed, deliver what is due. Returns the
  // number of notifications acknowledged.
  std::size_t runOnce();

 private:
  std::optional<core::Worker::Clock::time_point> round();
  void enqueue(const policies::Partner& partner);
  bool deliver(const store::WebhookDelivery& delivery, const policies::Partner& partner);

  const policies::PartnerRegistry& registry_;
  dossiers::DossierService& dossiers_;
  store::WebhookStore& outbox_;
  const WebhookConfig config_;
  store::Leases& leases_;

  core::Worker worker_{[this] { return round(); }, core::Worker::OnStop::abandon};
};

// The signature header's value for a notification: "sha256=" + hex HMAC-SHA256(secret,
// timestamp + "." + body). Partners compute the same to verify.
std::string webhookSignature(const std::string& secret, const std::string& timestamp,
                             const std::string& body);

}  // namespace passerelle::app
