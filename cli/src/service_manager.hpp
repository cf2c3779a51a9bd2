#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace passerelle::cli {

// What `passerelle serve` tells systemd when it runs as a Type=notify unit (sd_notify(3)):
// readiness, reloads, stopping, a status line and the watchdog's keep-alive. Every call does
// nothing when the process was not started by systemd (no NOTIFY_SOCKET).
namespace service_manager {

void ready(const std::string& status);
void reloading();
void stopping();
void status(const std::string& status);
// Tells the watchdog that the serving loop is alive.
void alive();
// How often alive() must be called: half the unit's WatchdogSec, or nothing without a watchdog.
std::optional<std::chrono::microseconds> keepAliveInterval();

}  // namespace service_manager

}  // namespace passerelle::cli
