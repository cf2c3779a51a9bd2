// The web console's session (docs/console.md): POST /v1/console/session signs in with the
// partner's own credential, GET says whose session it is, DELETE signs out.
#include <Poco/Net/NameValueCollection.h>

#include "authenticator.hpp"
#include "passerelle/core/domain_error.hpp"
#include "routes.hpp"

namespace passerelle::gateway {

namespace {

using nlohmann::json;

struct ConsoleRouteServices {
  const dossiers::AccessGuard& guard;
  app::ConsoleSessions& sessions;
};

// The cookie's attributes: sent back over TLS only, never readable by a script, never sent
// with a request another site causes.
std::string cookie(const std::string& value, long long max_age) {
  return std::string(kSessionCookie) + "=" + value +
         "; Path=/; Max-Age=" + std::to_string(max_age) + "; Secure; HttpOnly; SameSite=Strict";
}

// The live session whose cookie came with the request; 404 for a caller without one.
app::ConsoleSessions::Live sessionOf(ConsoleRouteServices& services, ApiRequest& request,
                                     std::string* token = nullptr) {
  Poco::Net::NameValueCollection cookies;
  request.http().getCookies(cookies);
  const auto value = cookies.get(kSessionCookie, "");
  const auto session = value.empty() ? std::nullopt : services.sessions.find(value);
  if (!session) throw core::DomainError(core::ErrorKind::not_found, "no console session");
  if (token != nullptr) *token = value;
  return *session;
}

ApiResponse signIn(ConsoleRouteServices& services, ApiRequest& request) {
  const auto& partner = *request.caller().partner;
  const auto opened = services.sessions.open(partner);
  return {201,
          json{{"partner", partner.id.str()},
               {"kind", std::string(core::toString(partner.kind))},
               {"expires_at", opened.expires_at},
               {"csrf_token", opened.csrf_token}},
          {{"Set-Cookie", cookie(opened.token, opened.lifetime.count())}}};
}

ApiResponse sessionState(ConsoleRouteServices& services, ApiRequest& request) {
  const auto session = sessionOf(services, request);
  json capabilities = json::array();
  for (const auto c : policies::allCapabilities())
    if (services.guard.may(*session.partner, c)) capabilities.push_back(std::string(toString(c)));
  // The log's vocabulary in French, so that the console's filters follow the gateway's.
  json actions = json::array();
  for (const auto a : audit::allAuditActions())
    actions.push_back({{"action", std::string(audit::toString(a))},
                       {"label", std::string(audit::frenchLabel(a))}});
  return {200,
          json{{"partner", session.partner->id.str()},
               {"name", session.partner->name},
               {"kind", std::string(core::toString(session.partner->kind))},
               {"expires_at", session.expires_at},
               {"capabilities", capabilities},
               {"audit_actions", actions}},
          {}};
}

ApiResponse signOut(ConsoleRouteServices& services, ApiRequest& request) {
  std::string token;
  sessionOf(services, request, &token);
  services.sessions.close(token);
  return {204, std::nullopt, {{"Set-Cookie", cookie("", 0)}}};
}

}  // namespace

void addConsoleRoutes(Router& router, const dossiers::AccessGuard& guard,
                      app::ConsoleSessions& sessions) {
  const auto services =
      std::make_shared<ConsoleRouteServices>(ConsoleRouteServices{guard, sessions});
  router.add({"POST", "/v1/console/session", true, false, bindRoute(services, &signIn),
              audit::AuditAction::console_sign_in, false});
  router.add({"GET", "/v1/console/session", true, false, bindRoute(services, &sessionState),
              audit::AuditAction::console_session});
  router.add({"DELETE", "/v1/console/session", true, false, bindRoute(services, &signOut),
              audit::AuditAction::console_sign_out});
}

}  // namespace passerelle::gateway
