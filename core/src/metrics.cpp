#include "passerelle/core/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <variant>

namespace passerelle::core::metrics {

namespace {

void addTo(std::atomic<double>& target, double d) {
  double old = target.load(std::memory_order_relaxed);
  while (!target.compare_exchange_weak(old, old + d, std::memory_order_relaxed)) {
  }
}

// The text format's numbers: shortest round-trip form, and its spellings of the infinities.
std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buffer[32];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, v).ptr;
  return std::string(buffer, end);
}

std::string escaped(const std::string& value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

// `{a="x",b="y"}`, with `extra` (the bucket's le) last; empty without labels.
std::string labels(const std::vector<std::string>& names, const std::vector<std::string>& values,
                   const std::string& extra = {}) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i)
    out += (out.empty() ? "" : ",") + names[i] + "=\"" + escaped(values[i]) + "\"";
  if (!extra.empty()) out += (out.empty() ? "" : ",") + extra;
  return out.empty() ? out : "{" + out + "}";
}

}  // namespace

void Gauge::add(double d) {
  addTo(value_, d);
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      counts_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {
  if (!std::is_sorted(bounds_.begin(), bounds_.end()))
    throw std::logic_error("metrics: histogram bounds must ascend");
}

void Histogram::observe(double v) {
  const auto bucket = static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) -
                                               bounds_.begin());
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  addTo(sum_, v);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

std::vector<double> latencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::vector<double> sizeBuckets() {
  return {1, 2, 4, 8, 16, 32, 64, 128, 256};
}

ScrapeHook::~ScrapeHook() {
  if (id_ != 0) registry().removeHook(id_);
}

ScrapeHook& ScrapeHook::operator=(ScrapeHook&& other) noexcept {
  if (this != &other) {
    if (id_ != 0) registry().removeHook(id_);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

struct Registry::Entry {
  std::string help;
  std::variant<std::monostate, Family<Counter>, Family<Gauge>, Family<Histogram>> family;
};

namespace {

template <class Instrument, class Entry>
Family<Instrument>& familyOf(std::map<std::string, std::shared_ptr<Entry>>& families,
                             const std::string& name, const std::string& help,
                             std::vector<std::string> label_names,
                             std::function<std::unique_ptr<Instrument>()> make) {
  auto& entry = families[name];
  if (!entry) {
    entry = std::make_shared<Entry>();
    entry->help = help;
    entry->family.template emplace<Family<Instrument>>(label_names, std::move(make));
  }
  auto* family = std::get_if<Family<Instrument>>(&entry->family);
  if (family == nullptr || family->labelNames() != label_names)
    throw std::logic_error("metrics: " + name + " registered twice, differently");
  return *family;
}

}  // namespace

Family<Counter>& Registry::counter(const std::string& name, const std::string& help,
                                   std::vector<std::string> label_names) {
  std::lock_guard lock(mutex_);
  auto& family = familyOf<Counter>(families_, name, help, label_names,
                                   [] { return std::make_unique<Counter>(); });
  if (label_names.empty()) family.with();  // shown as 0 before the first event
  return family;
}

Family<Gauge>& Registry::gauge(const std::string& name, const std::string& help,
                               std::vector<std::string> label_names) {
  std::lock_guard lock(mutex_);
  auto& family =
      familyOf<Gauge>(families_, name, help, label_names, [] { return std::make_unique<Gauge>(); });
  if (label_names.empty()) family.with();
  return family;
}

Family<Histogram>& Registry::histogram(const std::string& name, const std::string& help,
                                       std::vector<double> bounds,
                                       std::vector<std::string> label_names) {
  std::lock_guard lock(mutex_);
  auto& family = familyOf<Histogram>(families_, name, help, label_names,
                                     [bounds] { return std::make_unique<Histogram>(bounds); });
  if (label_names.empty()) family.with();
  return family;
}

ScrapeHook Registry::onScrape(std::function<void()> hook) {
  std::lock_guard lock(mutex_);
  const auto id = next_hook_++;
  hooks_.emplace(id, std::move(hook));
  return ScrapeHook(id);
}

void Registry::removeHook(std::uint64_t id) {
  std::lock_guard scrape(scrape_);
  std::lock_guard lock(mutex_);
  hooks_.erase(id);
}

std::string Registry::render() {
  std::lock_guard scrape(scrape_);
  std::vector<std::function<void()>> hooks;
  std::vector<std::pair<std::string, std::shared_ptr<Entry>>> families;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, hook] : hooks_) hooks.push_back(hook);
    families.assign(families_.begin(), families_.end());
  }
  for (const auto& hook : hooks) {
    try {
      hook();
    } catch (const std::exception&) {
      // The store may be unreachable: its gauges keep their last values, the rest is served.
    }
  }
  std::string out;
  for (const auto& [name, entry] : families) {
    out += "# HELP " + name + " " + entry->help + "\n";
    std::visit(
        [&, &name = name](const auto& family) {
          using F = std::decay_t<decltype(family)>;
          if constexpr (std::is_same_v<F, std::monostate>) {
            return;
          } else if constexpr (std::is_same_v<F, Family<Counter>>) {
            const auto& names = family.labelNames();
            out += "# TYPE " + name + " counter\n";
            family.forEach([&](const auto& values, const Counter& c) {
              out += name + labels(names, values) + " " + std::to_string(c.value()) + "\n";
            });
          } else if constexpr (std::is_same_v<F, Family<Gauge>>) {
            const auto& names = family.labelNames();
            out += "# TYPE " + name + " gauge\n";
            family.forEach([&](const auto& values, const Gauge& g) {
              out += name + labels(names, values) + " " + number(g.value()) + "\n";
            });
          } else if constexpr (std::is_same_v<F, Family<Histogram>>) {
            const auto& names = family.labelNames();
            out += "# TYPE " + name + " histogram\n";
            family.forEach([&](const auto& values, const Histogram& h) {
              const auto s = h.snapshot();
              for (std::size_t i = 0; i < s.cumulative.size(); ++i) {
                const auto le = i < h.bounds().size() ? number(h.bounds()[i]) : "+Inf";
                out += name + "_bucket" + labels(names, values, "le=\"" + le + "\"") + " " +
                       std::to_string(s.cumulative[i]) + "\n";
              }
              out += name + "_sum" + labels(names, values) + " " + number(s.sum) + "\n";
              out += name + "_count" + labels(names, values) + " " +
                     std::to_string(s.cumulative.back()) + "\n";
            });
          }
        },
        entry->family);
  }
  return out;
}

Registry& registry() {
  // Never destroyed: a hook's handle may outlive static destruction's order.
  static auto* instance = new Registry;
  return *instance;
}

}  // namespace passerelle::core::metrics
