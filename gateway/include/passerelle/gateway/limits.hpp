#pragma once

#include <cstddef>

namespace passerelle::gateway {

// Resource limits of the HTTP server. Defaults suit a Département's gateway; a dossier section
// is a few KB, so 1 MiB bodies leave room for the largest pathway histories.
struct Limits {
  std::size_t max_body_bytes = 1024 * 1024;
  // POST /v1/imports: a département's monthly CAF flux is tens of MB.
  std::size_t max_import_bytes = 512 * 1024 * 1024;
  int request_timeout_seconds = 30;  // socket I/O timeout while reading a request or TLS handshake
  int keep_alive_timeout_seconds = 15;
  // Poco serves a keep-alive connection on one thread until it closes: this is how many
  // connections are served at once (the others wait in the queue), so it must cover the
  // partners' connection pools. An idle thread costs its stack only.
  int max_threads = 256;
  int max_queued = 256;  // connections waiting for a thread before new ones are refused
};

}  // namespace passerelle::gateway
