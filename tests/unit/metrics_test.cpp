// core::metrics: the text format's details that a scraper relies on.
#include "passerelle/core/metrics.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace passerelle::core::metrics {
namespace {

bool has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(MetricsTest, HistogramBucketsAreCumulativeAndBoundsInclusive) {
  Registry r;
  auto& h = r.histogram("test_latency_seconds", "A test.", {0.1, 1}).with();
  h.observe(0.1);  // on the bound: counted in le="0.1"
  h.observe(0.5);
  h.observe(7);
  const auto text = r.render();
  EXPECT_TRUE(has(text, "# TYPE test_latency_seconds histogram")) << text;
  EXPECT_TRUE(has(text, R"(test_latency_seconds_bucket{le="0.1"} 1)")) << text;
  EXPECT_TRUE(has(text, R"(test_latency_seconds_bucket{le="1"} 2)")) << text;
  EXPECT_TRUE(has(text, R"(test_latency_seconds_bucket{le="+Inf"} 3)")) << text;
  EXPECT_TRUE(has(text, "test_latency_seconds_sum 7.6")) << text;
  EXPECT_TRUE(has(text, "test_latency_seconds_count 3")) << text;
}

TEST(MetricsTest, LabelValuesAreEscaped) {
  Registry r;
  r.counter("test_total", "A test.", {"route"}).with({"a\"b\\c\nd"}).add(2);
  EXPECT_TRUE(has(r.render(), R"(test_total{route="a\"b\\c\nd"} 2)")) << r.render();
}

TEST(MetricsTest, UnlabelledSeriesShowZeroBeforeAnyEvent) {
  Registry r;
  r.counter("test_total", "A test.");
  r.gauge("test_depth", "A test.");
  EXPECT_TRUE(has(r.render(), "test_total 0"));
  EXPECT_TRUE(has(r.render(), "test_depth 0"));
}

TEST(MetricsTest, ANameRegisteredTwiceDifferentlyIsRefused) {
  Registry r;
  r.counter("test_total", "A test.", {"a"});
  EXPECT_NO_THROW(r.counter("test_total", "A test.", {"a"}));
  EXPECT_THROW(r.counter("test_total", "A test.", {"b"}), std::logic_error);
  EXPECT_THROW(r.gauge("test_total", "A test.", {"a"}), std::logic_error);
  EXPECT_THROW(r.counter("test_total", "A test.", {"a"}).with({"x", "y"}), std::logic_error);
}

TEST(MetricsTest, CountsFromManyThreadsAddUp) {
  Registry r;
  auto& c = r.counter("test_total", "A test.").with();
  auto& g = r.gauge("test_depth", "A test.").with();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.add();
        g.add(1);
        g.add(-1);
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value(), 40000u);
  EXPECT_EQ(g.value(), 0);
}

TEST(MetricsTest, HooksRunAtEachScrapeUntilTheirHandleGoes) {
  auto& gauge = registry().gauge("test_hooked", "A test.").with();
  int runs = 0;
  {
    const auto hook = registry().onScrape([&] { gauge.set(++runs); });
    EXPECT_TRUE(has(registry().render(), "test_hooked 1"));
    EXPECT_TRUE(has(registry().render(), "test_hooked 2"));
  }
  registry().render();
  EXPECT_EQ(runs, 2);
  const auto failing = registry().onScrape([] { throw std::runtime_error("store down"); });
  EXPECT_TRUE(has(registry().render(), "test_hooked 2")) << "a failing hook spoils nothing";
}

}  // namespace
}  // namespace passerelle::core::metrics
