#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "passerelle/core/ids.hpp"
#include "passerelle/core/utc_time.hpp"

namespace passerelle::store {

// A console session as stored: whose it is and until when. Its cookie and CSRF token are kept
// as SHA-256 hashes only (app::ConsoleSessions makes and checks them).
struct ConsoleSession {
  std::string id_hash;
  core::PartnerId partner;
  std::string csrf_hash;
  core::UtcTime created_at;
  core::UtcTime expires_at;
};

// The console's server-side sessions, shared by every node of the store. Safe for concurrent
// use; errors as the store's (core::DomainError unavailable, conflict for an id reused).
class ConsoleSessionStore {
 public:
  virtual ~ConsoleSessionStore() = default;

  // Stores a new session, and removes those expired at `session.created_at` in the same write.
  virtual void open(const ConsoleSession& session) = 0;
  // The session of this id hash if it has not expired at `now`.
  virtual std::optional<ConsoleSession> find(const std::string& id_hash,
                                             const core::UtcTime& now) const = 0;
  // Ends the session; whether there was one.
  virtual bool close(const std::string& id_hash) = 0;
};

}  // namespace passerelle::store
