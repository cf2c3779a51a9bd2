#include "connection_guard.hpp"

#include <Poco/Logger.h>
#include <Poco/Net/SocketImpl.h>
#include <sys/socket.h>

#include <vector>

namespace passerelle::gateway {

namespace {

thread_local ConnectionClock* current_clock = nullptr;

Poco::Logger& logger() {
  return Poco::Logger::get("passerelle.http");
}

// How often the reaper looks at the deadlines: their precision.
constexpr std::chrono::milliseconds kReapEvery{100};

}  // namespace

void ConnectionClock::enter(Phase phase, std::chrono::steady_clock::duration allowed) {
  std::lock_guard lock(mutex_);
  phase_ = phase;
  deadline_ = std::chrono::steady_clock::now() + allowed;
}

std::chrono::steady_clock::duration ConnectionClock::remaining() const {
  std::lock_guard lock(mutex_);
  return deadline_ - std::chrono::steady_clock::now();
}

ConnectionClock* ConnectionClock::current() {
  return current_clock;
}

bool ConnectionClock::reap(std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (finished_) return true;
  if (expired_.load() || phase_ == Phase::processing || phase_ == Phase::body || now < deadline_)
    return false;
  expired_ = true;
  // The raw descriptor, not Poco's shutdown: that one writes a TLS close_notify, which is not
  // safe beside the thread that is reading on the same TLS session. The descriptor is still
  // this connection's: it is closed only after finish(), which waits for this lock.
  ::shutdown(socket_.impl()->sockfd(), SHUT_RDWR);
  // Cut before a thread took it: nobody will finish it; the thread that takes it later finds no
  // clock and closes it.
  return !taken_;
}

void ConnectionClock::finish() {
  std::lock_guard lock(mutex_);
  finished_ = true;
}

CurrentClock::CurrentClock(ConnectionClock* clock) : previous_(current_clock) {
  current_clock = clock;
}

CurrentClock::~CurrentClock() {
  current_clock = previous_;
}

class ConnectionGuard::Filter final : public Poco::Net::TCPServerConnectionFilter {
 public:
  explicit Filter(ConnectionGuard& guard) : guard_(guard) {}
  bool accept(const Poco::Net::StreamSocket& socket) override { return guard_.admit(socket); }

 private:
  ConnectionGuard& guard_;
};

ConnectionGuard::ConnectionGuard(const Limits& limits) : limits_(limits) {
  reaper_ = std::thread([this] { reapLoop(); });
}

ConnectionGuard::~ConnectionGuard() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  reaper_.join();
}

Poco::Net::TCPServerConnectionFilter::Ptr ConnectionGuard::filter() {
  return new Filter(*this);
}

bool ConnectionGuard::admit(const Poco::Net::StreamSocket& socket) {
  std::string address;
  try {
    address = socket.peerAddress().host().toString();
  } catch (const Poco::Exception&) {
    return false;  // already gone
  }
  std::lock_guard lock(mutex_);
  const char* refusal = nullptr;
  if (open_.size() >= static_cast<std::size_t>(limits_.max_connections))
    refusal = "the gateway's connection cap";
  else if (per_address_[address] >= limits_.max_connections_per_address)
    refusal = "a client address's connection cap";
  if (refusal != nullptr) {
    if (per_address_[address] == 0) per_address_.erase(address);
    const auto refused = refused_.fetch_add(1) + 1;
    // One line per burst, with its count: a flood must not flood the log too. The address is
    // a partner system's, not a person's.
    const auto now = std::chrono::steady_clock::now();
    if (now >= last_refusal_log_ + std::chrono::seconds(10)) {
      logger().warning("connections refused at %s (%s): %Lu since the last report", address,
                       std::string(refusal),
                       static_cast<unsigned long long>(refused - refused_logged_));
      refused_logged_ = refused;
      last_refusal_log_ = now;
    }
    return false;
  }
  auto clock = std::make_shared<ConnectionClock>(socket);
  clock->enter(ConnectionClock::Phase::handshake,
               std::chrono::seconds(limits_.handshake_timeout_seconds));
  open_[socket.impl()] = {std::move(clock), address};
  ++per_address_[address];
  return true;
}

std::shared_ptr<ConnectionClock> ConnectionGuard::take(const Poco::Net::StreamSocket& socket) {
  std::lock_guard lock(mutex_);
  const auto it = open_.find(socket.impl());
  if (it == open_.end()) return nullptr;
  auto clock = it->second.clock;
  std::lock_guard clock_lock(clock->mutex_);
  if (clock->expired_.load()) return nullptr;
  clock->taken_ = true;
  return clock;
}

void ConnectionGuard::release(const std::shared_ptr<ConnectionClock>& clock) {
  clock->finish();
  std::lock_guard lock(mutex_);
  const auto it = open_.find(clock->socket_.impl());
  if (it != open_.end() && it->second.clock == clock) forget(it->first, it->second.address);
}

void ConnectionGuard::forget(const void* key, const std::string& address) {
  // `address` may be the entry's own: counted down before the entry goes.
  if (--per_address_[address] <= 0) per_address_.erase(address);
  open_.erase(key);
}

void ConnectionGuard::reapLoop() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, kReapEvery, [this] { return stopping_; })) {
    const auto now = std::chrono::steady_clock::now();
    std::vector<std::pair<const void*, std::string>> done;
    for (auto& [key, entry] : open_)
      if (entry.clock->reap(now)) done.emplace_back(key, entry.address);
    for (const auto& [key, address] : done) forget(key, address);
  }
}

}  // namespace passerelle::gateway
