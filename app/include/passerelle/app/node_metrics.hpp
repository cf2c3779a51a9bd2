#pragma once

#include <string_view>

#include "passerelle/core/metrics.hpp"
#include "passerelle/dossiers/policy_holder.hpp"
#include "passerelle/store/export_job_store.hpp"
#include "passerelle/store/webhook_store.hpp"

namespace passerelle::app {

// The build's version (CMake's project version).
std::string_view buildVersion();

// What a node publishes at each scrape, read then from the store and the policy: the webhook
// outbox's backlog, export jobs by status, the build and the policy in force
// (docs/operations.md, "Metrics"). Published until the handle is destroyed; what it reads must
// outlive it.
[[nodiscard]] core::metrics::ScrapeHook publishNodeMetrics(const store::WebhookStore& webhooks,
                                                           const store::ExportJobStore& exports,
                                                           const dossiers::PolicyHolder& policies);

}  // namespace passerelle::app
