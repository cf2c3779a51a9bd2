#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace passerelle::core::metrics {

// The process's operational measurements, written out in the Prometheus text format (0.0.4)
// for an operator's scraper (docs/operations.md, "Metrics"). A label value must never be a
// personal datum, a dossier id or anything a client chose: route patterns, status classes,
// outcomes and statuses from closed lists. Every type here is thread-safe; instruments are
// created once and live as long as the process.

// A count that only grows.
class Counter {
 public:
  void add(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// A value that goes up and down (a queue's depth), or is set when scraped.
class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double d);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Observations counted in fixed buckets (upper bounds, ascending), with their sum.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void observe(double v);

  struct Snapshot {
    std::vector<std::uint64_t> cumulative;  // one per bound, then +Inf
    double sum = 0;
  };
  Snapshot snapshot() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // bounds_.size() + 1
  std::atomic<double> sum_{0};
};

// Bucket bounds in seconds for request and commit latencies: 0.5 ms to 10 s.
std::vector<double> latencyBuckets();
// Bucket bounds for a count of things done together (a group commit): 1 to 256.
std::vector<double> sizeBuckets();

// One metric name and its series, one per combination of label values.
template <class Instrument>
class Family {
 public:
  Family(std::vector<std::string> label_names, std::function<std::unique_ptr<Instrument>()> make)
      : label_names_(std::move(label_names)), make_(std::move(make)) {}

  // The series of these label values (as many as the family's label names), created at first
  // use. The reference stays valid for the process's life.
  Instrument& with(const std::vector<std::string>& values = {});
  // Drops every series (an info metric whose value changed).
  void clear();

  const std::vector<std::string>& labelNames() const { return label_names_; }
  template <class F>
  void forEach(F&& f) const {
    std::lock_guard lock(mutex_);
    for (const auto& [values, instrument] : series_) f(values, *instrument);
  }

 private:
  std::vector<std::string> label_names_;
  std::function<std::unique_ptr<Instrument>()> make_;
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<Instrument>> series_;
};

// What a scrape runs before it renders: gauges read from the store (an outbox's depth). The
// hook is removed when this handle is destroyed, after any run of it in progress.
class ScrapeHook {
 public:
  ScrapeHook() = default;
  explicit ScrapeHook(std::uint64_t id) : id_(id) {}
  ~ScrapeHook();
  ScrapeHook(ScrapeHook&& other) noexcept : id_(std::exchange(other.id_, 0)) {}
  ScrapeHook& operator=(ScrapeHook&& other) noexcept;
  ScrapeHook(const ScrapeHook&) = delete;
  ScrapeHook& operator=(const ScrapeHook&) = delete;

 private:
  std::uint64_t id_ = 0;
};

// The metric names of one process. Registering a name twice returns the first family (its
// kind and labels must match, or std::logic_error).
class Registry {
 public:
  Family<Counter>& counter(const std::string& name, const std::string& help,
                           std::vector<std::string> label_names = {});
  Family<Gauge>& gauge(const std::string& name, const std::string& help,
                       std::vector<std::string> label_names = {});
  Family<Histogram>& histogram(const std::string& name, const std::string& help,
                               std::vector<double> bounds,
                               std::vector<std::string> label_names = {});

  // Runs `hook` at each scrape, until the handle is destroyed. A hook that throws leaves its
  // gauges as they were; the scrape goes on.
  [[nodiscard]] ScrapeHook onScrape(std::function<void()> hook);

  // Runs the hooks, then writes every family in the text format, names in order.
  std::string render();

  void removeHook(std::uint64_t id);

 private:
  struct Entry;
  std::mutex mutex_;   // the families' and hooks' maps
  std::mutex scrape_;  // one scrape at a time; a hook's removal waits for it
  std::map<std::string, std::shared_ptr<Entry>> families_;
  std::map<std::uint64_t, std::function<void()>> hooks_;
  std::uint64_t next_hook_ = 1;
};

// The process's registry.
Registry& registry();

template <class Instrument>
Instrument& Family<Instrument>::with(const std::vector<std::string>& values) {
  if (values.size() != label_names_.size())
    throw std::logic_error("metrics: wrong number of label values");
  std::lock_guard lock(mutex_);
  auto& slot = series_[values];
  if (!slot) slot = make_();
  return *slot;
}

template <class Instrument>
void Family<Instrument>::clear() {
  std::lock_guard lock(mutex_);
  series_.clear();
}

}  // namespace passerelle::core::metrics
