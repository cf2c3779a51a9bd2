#pragma once

namespace passerelle::crypto::detail {

// Initialises libsodium once per process; throws if it cannot. Thread-safe.
void ensureSodium();

}  // namespace passerelle::crypto::detail
