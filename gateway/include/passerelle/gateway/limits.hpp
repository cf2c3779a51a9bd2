#pragma once

#include <cstddef>

namespace passerelle::gateway {

// Resource limits of the HTTP server. Defaults suit a Département's gateway; a dossier section
// is a few KB, so 1 MiB bodies leave room for the largest pathway histories.
struct Limits {
  std::size_t max_body_bytes = 1024 * 1024;
  // POST /v1/imports: a département's monthly CAF flux is tens of MB.
  std::size_t max_import_bytes = 512 * 1024 * 1024;
  int request_timeout_seconds = 30;  // longest wait for any one read or write on a connection
  // Deadlines of a connection's phases, each a total however the bytes trickle in
  // (connection_guard.hpp): the TLS handshake from accept (queueing for a thread included) ...
  int handshake_timeout_seconds = 10;
  // ... the whole header block from its first byte ...
  int header_timeout_seconds = 10;
  // ... the whole body, plus the time its Content-Length takes at the slowest rate allowed ...
  int body_timeout_seconds = 30;
  int min_body_bytes_per_second = 64 * 1024;
  // ... and the wait between two requests of a keep-alive connection (or before the first).
  int keep_alive_timeout_seconds = 5;
  // Connections open at once, in all and from one client address (IPv4 address, or IPv6
  // address in full): one more is closed at once, before any handshake or thread.
  int max_connections = 1024;
  int max_connections_per_address = 64;
  // Poco serves a keep-alive connection on one thread until it closes: this is how many
  // connections are served at once (the others wait in the queue), so it must cover the
  // partners' connection pools. An idle thread costs its stack only.
  int max_threads = 256;
  int max_queued = 1024;  // connections waiting for a thread before new ones are refused
};

}  // namespace passerelle::gateway
