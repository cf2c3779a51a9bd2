#include "passerelle/app/readiness.hpp"

#include <Poco/Logger.h>

namespace passerelle::app {

ReadinessProbe::ReadinessProbe(Parts parts, std::chrono::milliseconds min_interval)
    : parts_(std::move(parts)), min_interval_(min_interval) {}

bool ReadinessProbe::ask(const std::function<bool()>& part, Answer& last, bool keep_success,
                         std::chrono::steady_clock::time_point now) {
  const bool recent = last.at && now < *last.at + min_interval_;
  if (recent && (!last.ok || keep_success)) return last.ok;
  last.ok = part();
  last.at = now;
  return last.ok;
}

ReadinessReport ReadinessProbe::check() {
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  ReadinessReport report;
  if (!ask(parts_.audit_writable, audit_, false, now))
    report.reasons.emplace_back("audit_log_not_writable");
  if (!ask(parts_.store_writable, store_, false, now))
    report.reasons.emplace_back("store_not_writable");
  if (!ask(parts_.keys_readable, keys_, true, now)) report.reasons.emplace_back("keys_unreadable");
  if (auto version = parts_.policy_version())
    report.policy_version = std::move(*version);
  else
    report.reasons.emplace_back("policy_not_loaded");
  if (parts_.policy_in_force) {
    report.policy_in_force = parts_.policy_in_force();
    if (report.policy_in_force && !report.policy_version.empty() &&
        *report.policy_in_force != report.policy_version)
      report.reasons.emplace_back("policy_not_in_force");
  }
  // One line per change of state: a load balancer polls often.
  if (last_reasons_ && *last_reasons_ != report.reasons) {
    std::string reasons;
    for (const auto& r : report.reasons) reasons += (reasons.empty() ? "" : ", ") + r;
    auto& logger = Poco::Logger::get("passerelle.readiness");
    if (report.ready())
      logger.notice("ready again");
    else
      logger.warning("not ready: %s", reasons);
  }
  last_reasons_ = report.reasons;
  return report;
}

}  // namespace passerelle::app
