#include "passerelle/app/webhook_dispatcher.hpp"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/URI.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/core/metrics.hpp"
#include "passerelle/core/utc_time.hpp"
#include "passerelle/crypto/digest.hpp"

namespace passerelle::app {

namespace {

constexpr std::size_t kFeedPage = 500;
constexpr int kPagesPerRound = 20;
constexpr std::size_t kDuePerRound = 200;

Poco::Net::Context::Ptr clientContext(const WebhookConfig& config) {
  Poco::Net::Context::Params params;
  params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
  params.loadDefaultCAs = !config.ca_file;
  if (config.ca_file) params.caLocation = config.ca_file->string();
  return new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
}

}  // namespace

std::string webhookSignature(const std::string& secret, const std::string& timestamp,
                             const std::string& body) {
  return "sha256=" + crypto::hmacSha256Hex(secret, timestamp + "." + body);
}

WebhookDispatcher::WebhookDispatcher(const policies::PartnerRegistry& registry,
                                     dossiers::DossierService& dossiers,
                                     store::WebhookStore& outbox, WebhookConfig config,
                                     store::Leases& leases)
    : registry_(registry),
      dossiers_(dossiers),
      outbox_(outbox),
      config_(std::move(config)),
      leases_(leases) {}

WebhookDispatcher::~WebhookDispatcher() {
  stop();
}

void WebhookDispatcher::start() {
  const bool any = std::any_of(registry_.partners().begin(), registry_.partners().end(),
                               [](const auto& p) { return p.webhook.has_value(); });
  if (any) worker_.start();
}

void WebhookDispatcher::stop() {
  worker_.stop();
}

std::optional<core::Worker::Clock::time_point> WebhookDispatcher::round() {
  if (!leases_.hold("webhooks"))
    return core::Worker::now() + std::chrono::milliseconds(config_.poll_ms);
  try {
    runOnce();
  } catch (const std::exception& e) {
    // The outbox is intact: the next round takes up where this one failed.
    Poco::Logger::get("passerelle.webhooks")
        .error("webhook round failed, will retry: %s", std::string(e.what()));
  }
  return core::Worker::now() + std::chrono::milliseconds(config_.poll_ms);
}

std::size_t WebhookDispatcher::runOnce() {
  for (const auto& partner : registry_.partners())
    if (partner.webhook) enqueue(partner);
  std::size_t delivered = 0;
  std::set<std::string> failing;  // partners whose endpoint failed this round: wait for backoff
  for (const auto& d : outbox_.due(core::nowUtc(), kDuePerRound)) {
    if (failing.count(d.partner.str())) continue;
    const auto* partner = registry_.byId(d.partner);
    if (partner == nullptr || !partner->webhook) {
      outbox_.recordAttempt(d.id, false, std::nullopt, "the partner has no webhook any more",
                            core::nowUtc(), core::utcIn(config_.backoff_max_seconds * 1000LL));
      continue;
    }
    if (deliver(d, *partner))
      ++delivered;
    else
      failing.insert(d.partner.str());
  }
  return delivered;
}

void WebhookDispatcher::enqueue(const policies::Partner& partner) {
  const dossiers::Caller caller{partner, partner.webhook->purpose};
  auto cursor = outbox_.cursor(partner.id);
  for (int page_number = 0; page_number < kPagesPerRound; ++page_number) {
    const auto page = dossiers_.changes(caller, cursor, kFeedPage);
    if (page.next == cursor) return;
    // One notification per dossier of the page, with every section that changed.
    std::vector<store::NewDelivery> deliveries;
    std::map<core::DossierId, std::size_t> index;
    for (const auto& c : page.changes) {
      if (c.notice) {  // one notification each, about no dossier
        deliveries.push_back({c.dossier, {}, c.sequence, c.notice});
        continue;
      }
      auto [it, added] = index.emplace(c.dossier, deliveries.size());
      if (added) deliveries.push_back({c.dossier, {}, 0});
      auto& d = deliveries[it->second];
      if (std::find(d.sections.begin(), d.sections.end(), c.section) == d.sections.end())
        d.sections.push_back(c.section);
      d.sequence = c.sequence;
    }
    outbox_.enqueue(partner.id, deliveries, page.next, core::nowUtc());
    cursor = page.next;
    if (!page.more) return;
  }
}

bool WebhookDispatcher::deliver(const store::WebhookDelivery& d, const policies::Partner& partner) {
  nlohmann::json sections = nlohmann::json::array();
  for (auto s : d.sections) sections.push_back(std::string(core::toString(s)));
  // Ids and section names only: the partner reads the content through the API, under the policy.
  // A notice carries itself and no dossier.
  const std::string body = d.notice ? nlohmann::json{{"delivery", d.id},
                                                     {"notice", nlohmann::json::parse(*d.notice)},
                                                     {"cursor", d.sequence}}
                                          .dump()
                                    : nlohmann::json{{"delivery", d.id},
                                                     {"dossier", d.dossier.str()},
                                                     {"sections", sections},
                                                     {"cursor", d.sequence}}
                                          .dump();
  const auto timestamp = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count());
  std::optional<int> status;
  std::string error;
  try {
    const Poco::URI uri(partner.webhook->url);
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (uri.getScheme() == "https")
      session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(),
                                                                clientContext(config_));
    else
      session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
    session->setTimeout(Poco::Timespan(config_.timeout_seconds, 0));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, uri.getPathAndQuery(),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.setContentType("application/json");
    request.setContentLength(static_cast<std::streamsize>(body.size()));
    request.set("X-Passerelle-Delivery", std::to_string(d.id));
    request.set("X-Passerelle-Timestamp", timestamp);
    request.set("X-Passerelle-Signature",
                webhookSignature(partner.webhook->secret, timestamp, body));
    session->sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    auto& in = session->receiveResponse(response);
    in.ignore(64 * 1024);
    status = static_cast<int>(response.getStatus());
    if (*status < 200 || *status > 299) error = "HTTP " + std::to_string(*status);
  } catch (const Poco::Exception& e) {
    error = e.displayText();  // connection refused, timeout, certificate...: no personal data
  } catch (const std::exception& e) {
    error = e.what();
  }
  const bool ok = error.empty();
  static auto& deliveries = core::metrics::registry().counter(
      "passerelle_webhook_deliveries_total",
      "Webhook delivery attempts by result: delivered, or failed (to be retried).", {"result"});
  deliveries.with({ok ? "delivered" : "failed"}).add();
  const auto exponent = std::min<std::int64_t>(d.attempts, 30);
  const auto delay =
      std::min<long long>(static_cast<long long>(config_.backoff_base_ms) << exponent,
                          config_.backoff_max_seconds * 1000LL);
  outbox_.recordAttempt(d.id, ok, status, error, core::nowUtc(),
                        ok ? core::nowUtc() : core::utcIn(delay));
  return ok;
}

}  // namespace passerelle::app
