#include "passerelle/app/console_sessions.hpp"

#include <sodium.h>

#include "passerelle/crypto/bytes.hpp"
#include "passerelle/crypto/digest.hpp"

namespace passerelle::app {

namespace {

// 256 random bits, as hex: a cookie value or a CSRF token.
std::string newToken() {
  return crypto::toHex(crypto::randomBytes(32));
}

}  // namespace

ConsoleSessions::ConsoleSessions(store::ConsoleSessionStore& store,
                                 const policies::PartnerRegistry& registry,
                                 const dossiers::AccessGuard& guard, std::chrono::minutes lifetime)
    : store_(store), registry_(registry), guard_(guard), lifetime_(lifetime) {}

ConsoleSessions::Opened ConsoleSessions::open(const policies::Partner& partner) {
  guard_.require(partner, policies::Capability::console, "sign in to the console");
  Opened opened{newToken(), newToken(), core::utcIn(lifetime_.count() * 60'000LL),
                std::chrono::duration_cast<std::chrono::seconds>(lifetime_)};
  store_.open({crypto::sha256Hex(opened.token), partner.id, crypto::sha256Hex(opened.csrf_token),
               core::nowUtc(), opened.expires_at});
  return opened;
}

std::optional<ConsoleSessions::Live> ConsoleSessions::find(const std::string& token) const {
  // A cookie of any other shape cannot be one of ours: no lookup for it.
  if (token.size() != 64 || token.find_first_not_of("0123456789abcdef") != std::string::npos)
    return std::nullopt;
  const auto session = store_.find(crypto::sha256Hex(token), core::nowUtc());
  if (!session) return std::nullopt;
  const auto* partner = registry_.byId(session->partner);
  if (partner == nullptr || !guard_.may(*partner, policies::Capability::console))
    return std::nullopt;
  return Live{partner, session->id_hash, session->csrf_hash, session->expires_at};
}

bool ConsoleSessions::csrfMatches(const Live& session, const std::string& csrf_token) {
  const auto hash = crypto::sha256Hex(csrf_token);
  return hash.size() == session.csrf_hash.size() &&
         sodium_memcmp(hash.data(), session.csrf_hash.data(), hash.size()) == 0;
}

bool ConsoleSessions::close(const std::string& token) {
  return store_.close(crypto::sha256Hex(token));
}

}  // namespace passerelle::app
