#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "passerelle/core/utc_time.hpp"
#include "passerelle/dossiers/access_guard.hpp"
#include "passerelle/policies/partner_registry.hpp"
#include "passerelle/store/console_session_store.hpp"

namespace passerelle::app {

// The web console's server-side sessions (docs/console.md): a partner whose kind the policy
// grants `console` signs in once with its own credential and gets a session cookie and a CSRF
// token; later calls with the cookie are that partner's, under the same policy, until the
// session ends (a fixed lifetime, sign-out, or the capability taken away by a policy reload).
// Only hashes of the tokens are stored. Thread-safe; store errors as the store's.
class ConsoleSessions {
 public:
  ConsoleSessions(store::ConsoleSessionStore& store, const policies::PartnerRegistry& registry,
                  const dossiers::AccessGuard& guard,
                  std::chrono::minutes lifetime = std::chrono::minutes(15));

  struct Opened {
    std::string token;       // the cookie's value: shown once, never stored
    std::string csrf_token;  // to send back in X-CSRF-Token with every state-changing call
    core::UtcTime expires_at;
    std::chrono::seconds lifetime;
  };
  // Opens a session for `partner`. core::DomainError(forbidden) unless its kind has `console`.
  Opened open(const policies::Partner& partner);

  struct Live {
    const policies::Partner* partner;
    std::string id_hash;  // for the logs: names the session, opens nothing
    std::string csrf_hash;
    core::UtcTime expires_at;
  };
  // The live session of this cookie value: not expired, its partner still registered and still
  // granted `console`. Nothing otherwise.
  std::optional<Live> find(const std::string& token) const;
  // Whether `csrf_token` is the session's (compared in constant time).
  static bool csrfMatches(const Live& session, const std::string& csrf_token);
  // Ends the session of this cookie value; whether there was one.
  bool close(const std::string& token);

 private:
  store::ConsoleSessionStore& store_;
  const policies::PartnerRegistry& registry_;
  const dossiers::AccessGuard& guard_;
  std::chrono::minutes lifetime_;
};

}  // namespace passerelle::app
