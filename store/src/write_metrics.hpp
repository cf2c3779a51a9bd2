#pragma once

#include <chrono>

#include "passerelle/core/metrics.hpp"

namespace passerelle::store {

// Counts one write from its queueing to its durable commit or failure, on either backend: the
// write queue's depth and latency (docs/operations.md, "Metrics").
class TimedWrite {
 public:
  TimedWrite() { instruments().depth.add(1); }
  ~TimedWrite() {
    auto& m = instruments();
    m.depth.add(-1);
    m.latency.observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count());
  }
  TimedWrite(const TimedWrite&) = delete;
  TimedWrite& operator=(const TimedWrite&) = delete;

 private:
  struct Instruments {
    core::metrics::Gauge& depth;
    core::metrics::Histogram& latency;
  };
  static Instruments& instruments() {
    auto& r = core::metrics::registry();
    static Instruments m{r.gauge("passerelle_store_write_queue_depth",
                                 "Writes queued or committing in the store's databases.")
                             .with(),
                         r.histogram("passerelle_store_write_duration_seconds",
                                     "Time from a write's queueing to its commit (or failure).",
                                     core::metrics::latencyBuckets())
                             .with()};
    return m;
  }

  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace passerelle::store
