#pragma once

#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/TCPServer.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "passerelle/gateway/limits.hpp"

namespace passerelle::gateway {

// The deadline of the phase a connection is in. Deadlines are totals: a client that sends one
// byte at a time gains nothing, unlike a per-recv timeout, which each byte renews.
class ConnectionClock {
 public:
  enum class Phase {
    handshake,   // from accept to the end of the TLS handshake (waiting for a thread included)
    idle,        // between requests (keep-alive), or before the first one
    headers,     // from the first byte of a request to the end of its header block
    body,        // until the request body is read
    processing,  // the gateway's own work and the answer: no deadline
  };

  explicit ConnectionClock(Poco::Net::StreamSocket socket) : socket_(std::move(socket)) {}

  // Enters `phase`, which must end within `allowed` (ignored for processing).
  void enter(Phase phase, std::chrono::steady_clock::duration allowed);
  // Time left before the phase's deadline (negative once it passed).
  std::chrono::steady_clock::duration remaining() const;
  // Whether a deadline passed and the connection was cut. The body phase is not cut: its reader
  // bounds each wait by remaining() and answers 408 (a cut would break the TLS session that the
  // answer goes out on).
  bool expired() const { return expired_.load(); }

  // The clock of the connection served on this thread; null outside a connection. The request
  // body readers mark the end of the body phase through it.
  static ConnectionClock* current();

 private:
  friend class ConnectionGuard;
  friend class CurrentClock;

  // For the guard's reaper: cuts the connection if the deadline passed, unless it is finished.
  // Returns whether the clock is done with (finished, or expired before a thread took it).
  bool reap(std::chrono::steady_clock::time_point now);
  // The connection is closing: no cut from now on (its descriptor may be reused).
  void finish();

  mutable std::mutex mutex_;
  Poco::Net::StreamSocket socket_;
  Phase phase_ = Phase::handshake;
  std::chrono::steady_clock::time_point deadline_{};
  bool taken_ = false;  // a thread serves the connection
  bool finished_ = false;
  std::atomic<bool> expired_{false};
};

// Makes `clock` the current one on this thread while it lives.
class CurrentClock {
 public:
  explicit CurrentClock(ConnectionClock* clock);
  ~CurrentClock();
  CurrentClock(const CurrentClock&) = delete;
  CurrentClock& operator=(const CurrentClock&) = delete;

 private:
  ConnectionClock* previous_;
};

// Admission and deadlines of the server's connections (issue 21, §3). Admission happens in the
// accepting thread, before a connection waits for a request thread: a connection over the
// global cap, or over the cap of its client address, is closed at once (no handshake, no
// thread). Each admitted connection gets a clock; a reaper thread cuts those whose phase
// deadline passed (a raw shutdown of the descriptor, safe beside the thread blocked on it),
// so that a slow or idle client holds a thread no longer than the deadlines allow. Thread-safe.
class ConnectionGuard {
 public:
  explicit ConnectionGuard(const Limits& limits);
  ~ConnectionGuard();
  ConnectionGuard(const ConnectionGuard&) = delete;
  ConnectionGuard& operator=(const ConnectionGuard&) = delete;

  // For Poco's TCPServer (its connection filter): admits the connection or refuses it.
  Poco::Net::TCPServerConnectionFilter::Ptr filter();

  // The clock of an admitted connection, for the thread that serves it; null if the connection
  // was cut while it waited (the thread then closes it at once).
  std::shared_ptr<ConnectionClock> take(const Poco::Net::StreamSocket& socket);
  // The connection is closing; its place counts no more.
  void release(const std::shared_ptr<ConnectionClock>& clock);

  const Limits& limits() const { return limits_; }

 private:
  class Filter;
  bool admit(const Poco::Net::StreamSocket& socket);
  void forget(const void* key, const std::string& address);
  void reapLoop();

  const Limits limits_;
  mutable std::mutex mutex_;
  struct Entry {
    std::shared_ptr<ConnectionClock> clock;
    std::string address;
  };
  std::map<const void*, Entry> open_;  // by socket implementation
  std::map<std::string, int> per_address_;
  std::atomic<std::uint64_t> refused_{0};
  std::uint64_t refused_logged_ = 0;
  std::chrono::steady_clock::time_point last_refusal_log_{};
  bool stopping_ = false;
  std::condition_variable wake_;
  std::thread reaper_;
};

}  // namespace passerelle::gateway
