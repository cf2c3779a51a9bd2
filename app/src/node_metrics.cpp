#include "passerelle/app/node_metrics.hpp"

#include "passerelle/core/utc_time.hpp"

namespace passerelle::app {

std::string_view buildVersion() {
  return PASSERELLE_VERSION;
}

core::metrics::ScrapeHook publishNodeMetrics(const store::WebhookStore& webhooks,
                                             const store::ExportJobStore& exports,
                                             const dossiers::PolicyHolder& policies) {
  auto& r = core::metrics::registry();
  r.gauge("passerelle_build_info", "The gateway's build; the value is always 1.", {"version"})
      .with({std::string(buildVersion())})
      .set(1);
  auto& policy =
      r.gauge("passerelle_policy_info",
              "The sharing policy this node serves; the value is always 1.", {"version"});
  auto& pending =
      r.gauge("passerelle_webhook_outbox_pending", "Webhook notifications not yet delivered.")
          .with();
  auto& oldest = r.gauge("passerelle_webhook_outbox_oldest_pending_age_seconds",
                         "Age of the oldest undelivered webhook notification (0 if none).")
                     .with();
  auto& jobs = r.gauge("passerelle_export_jobs", "Export jobs in the store by status.", {"status"});
  return r.onScrape([&] {
    if (const auto current = policies.current()) {
      policy.clear();
      policy.with({current->version()}).set(1);
    }
    const auto backlog = webhooks.backlog();
    pending.set(static_cast<double>(backlog.pending));
    oldest.set(backlog.oldest_created_at ? core::secondsSince(*backlog.oldest_created_at) : 0);
    const auto counts = exports.countByStatus();
    for (const char* status : {"queued", "running", "done", "failed"}) {
      const auto it = counts.find(status);
      jobs.with({status}).set(it == counts.end() ? 0 : static_cast<double>(it->second));
    }
  });
}

}  // namespace passerelle::app
