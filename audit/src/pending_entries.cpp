#include "passerelle/audit/pending_entries.hpp"

#include <Poco/Logger.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "passerelle/core/utc_time.hpp"

namespace passerelle::audit {

namespace {

Poco::Logger& logger() {
  return Poco::Logger::get("passerelle.audit");
}

}  // namespace

std::string pendingContext(const AuditEvent& e) {
  nlohmann::json context = {{"time", e.time},
                            {"partner", e.partner ? e.partner->str() : std::string()},
                            {"credential", e.credential},
                            {"purpose", e.purpose ? std::string(core::toString(*e.purpose)) : ""},
                            {"action", std::string(toString(e.action))},
                            {"request_id", e.request_id.str()},
                            {"policy_version", e.policy_version}};
  return context.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<AuditEvent> recoveredEvents(const store::PendingAuditRow& row,
                                        const PersonPseudonyms& pseudonyms) {
  const auto context = nlohmann::json::parse(row.context, nullptr, false);
  const auto text = [&](const char* key) -> std::string {
    if (!context.is_object() || !context.contains(key) || !context[key].is_string())
      throw AuditFormatError("the audit outbox row " + row.id + " has no " + key);
    return context[key].get<std::string>();
  };
  AuditEvent event;
  event.time = text("time");
  if (const auto partner = text("partner"); !partner.empty())
    event.partner = core::PartnerId(partner);
  event.credential = text("credential");
  if (const auto purpose = text("purpose"); !purpose.empty())
    event.purpose = core::parsePurpose(purpose);
  const auto action = parseAuditAction(text("action"));
  if (!action) throw AuditFormatError("the audit outbox row " + row.id + " has an unknown action");
  event.action = *action;
  event.request_id = core::RequestId(text("request_id"));
  event.policy_version = text("policy_version");
  event.decision = AuditDecision::allow;
  event.status = 0;
  event.details = {{"recovered", "outbox"}, {"committed_at", row.created_at}};
  std::vector<AuditEvent> events;
  for (const auto& dossier : row.dossiers) {
    events.push_back(event);
    events.back().person = pseudonyms.of(dossier);
  }
  if (events.empty()) events.push_back(event);
  return events;
}

PendingEntries::PendingEntries(AuditLog& log, store::PendingAuditStore& outbox,
                               const PersonPseudonyms& pseudonyms, Options options)
    : log_(log), outbox_(outbox), pseudonyms_(pseudonyms), options_(options) {
  retrier_ = std::thread([this] { run(); });
}

PendingEntries::~PendingEntries() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  retrier_.join();
}

std::size_t PendingEntries::recover() {
  auto rows = outbox_.pendingAudit();
  if (options_.recover_after.count() > 0) {
    const auto horizon = core::utcIn(-options_.recover_after.count());
    rows.erase(std::remove_if(rows.begin(), rows.end(),
                              [&](const auto& row) { return row.created_at >= horizon; }),
               rows.end());
  }
  if (rows.empty()) return 0;
  std::vector<std::string> ids;
  for (const auto& row : rows) ids.push_back(row.id);
  auto done = log_.store().claimed(ids);
  std::size_t recovered = 0;
  std::vector<Waiting> left;
  for (const auto& row : rows) {
    if (std::find(done.begin(), done.end(), row.id) != done.end()) continue;
    auto events = recoveredEvents(row, pseudonyms_);
    // The row is claimed by its last entry: a crash halfway records the first ones twice at the
    // next start rather than losing the others.
    for (std::size_t i = 0; i < events.size(); ++i) {
      std::vector<std::string> claims;
      if (i + 1 == events.size()) claims.push_back(row.id);
      if (!left.empty()) {
        left.push_back({std::move(events[i]), std::move(claims)});
        continue;
      }
      try {
        log_.append(std::move(events[i]), claims);
        if (!claims.empty()) done.push_back(row.id);
      } catch (const AuditUnavailable&) {
        left.push_back({std::move(events[i]), std::move(claims)});
      }
    }
    ++recovered;
  }
  outbox_.retirePendingAudit(std::move(done), true);
  if (recovered > 0)
    logger().warning(
        "audit outbox: %z committed changes had no entry (the process stopped before it was "
        "written); recorded from the outbox%s",
        recovered, std::string(left.empty() ? "" : ", some still waiting for the log"));
  for (auto& w : left) adopt(std::move(w.event), std::move(w.claims));
  return recovered;
}

std::optional<Appended> PendingEntries::record(AuditEvent event, std::vector<std::string> claims) {
  try {
    auto appended = log_.append(event, claims);
    retire(std::move(claims));
    return appended;
  } catch (const AuditUnavailable&) {
    adopt(std::move(event), std::move(claims));
    return std::nullopt;
  }
}

void PendingEntries::adopt(AuditEvent event, std::vector<std::string> claims) {
  {
    std::lock_guard lock(mutex_);
    if (waiting_.empty())
      logger().error(
          "audit log unavailable: entries of committed changes wait in the audit outbox and are "
          "retried");
    waiting_.push_back({std::move(event), std::move(claims)});
  }
  wake_.notify_all();
}

void PendingEntries::retire(std::vector<std::string> claims) {
  outbox_.retirePendingAudit(std::move(claims));
}

std::size_t PendingEntries::waiting() const {
  std::lock_guard lock(mutex_);
  return waiting_.size();
}

void PendingEntries::run() {
  std::unique_lock lock(mutex_);
  auto backoff = options_.first_retry;
  std::size_t recorded = 0;
  while (!stopping_) {
    if (waiting_.empty()) {
      wake_.wait(lock, [&] { return stopping_ || !waiting_.empty(); });
      continue;
    }
    if (wake_.wait_for(lock, backoff, [&] { return stopping_; })) break;
    auto batch = std::exchange(waiting_, {});
    lock.unlock();
    std::size_t taken = 0;
    for (; taken < batch.size(); ++taken) {
      try {
        log_.append(batch[taken].event, batch[taken].claims);
        outbox_.retirePendingAudit(std::move(batch[taken].claims));
      } catch (const AuditUnavailable&) {
        break;
      } catch (const std::exception& e) {
        logger().error("audit outbox: could not retire rows (%s)", std::string(e.what()));
      }
    }
    recorded += taken;
    lock.lock();
    waiting_.insert(waiting_.begin(),
                    std::make_move_iterator(batch.begin() + static_cast<long>(taken)),
                    std::make_move_iterator(batch.end()));
    if (waiting_.empty()) {
      logger().notice("audit log writable again: %z waiting entries recorded from the outbox",
                      recorded);
      recorded = 0;
      backoff = options_.first_retry;
    } else {
      backoff = std::min(backoff * 2, options_.max_retry);
    }
  }
}

}  // namespace passerelle::audit
