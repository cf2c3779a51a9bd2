#include "service_manager.hpp"

#include <systemd/sd-daemon.h>

#include <cstdint>

namespace passerelle::cli::service_manager {

namespace {

void notify(const std::string& state) {
  // Failures are the service manager's to see (a unit without NotifyAccess): nothing to do here.
  sd_notify(0, state.c_str());
}

}  // namespace

void ready(const std::string& status) {
  notify("READY=1\nSTATUS=" + status);
}

void reloading() {
  notify("RELOADING=1\nSTATUS=reloading the sharing policy");
}

void stopping() {
  notify("STOPPING=1\nSTATUS=stopping");
}

void status(const std::string& status) {
  notify("STATUS=" + status);
}

void alive() {
  notify("WATCHDOG=1");
}

std::optional<std::chrono::microseconds> keepAliveInterval() {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(usec / 2);
}

}  // namespace passerelle::cli::service_manager
