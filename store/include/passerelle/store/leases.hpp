#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace passerelle::store {

// Which background work (retention, webhook deliveries, the audit outbox's recovery) this node
// may do now: each named lease is held by one node at a time. With one process on a SQLite
// store, that process holds them all; with several nodes on PostgreSQL, a lease is a session
// advisory lock on a connection of its own, released by the server when the holder's
// connection ends: at once when the process dies, within about 15 s (TCP keepalives) when its
// host or network does. Thread-safe.
class Leases {
 public:
  virtual ~Leases() = default;
  // Whether this node holds `name` now, taking it if it is free. Asked before each round of
  // the work: a node whose connection was lost holds nothing, and says so. Never throws.
  virtual bool hold(std::string_view name) = 0;
};

// The leases of the one process that owns a SQLite store: every one, always.
std::unique_ptr<Leases> soleProcessLeases();

// Leases shared by the nodes of one PostgreSQL database (`url`, a libpq connection string).
// Throws core::DomainError(configuration) if the server cannot be reached at open.
std::unique_ptr<Leases> openPostgresLeases(const std::string& url);

}  // namespace passerelle::store
