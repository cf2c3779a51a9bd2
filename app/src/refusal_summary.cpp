#include "passerelle/app/refusal_summary.hpp"

#include <map>
#include <tuple>

namespace passerelle::app {

namespace {

// "2026-12-07T23:16:50.123Z" -> "2026-12-07T23:00:00.000Z" or "2026-12-07T00:00:00.000Z".
std::string periodOf(const std::string& time, RefusalPeriod period) {
  if (time.size() < 24) return time;
  return period == RefusalPeriod::hour ? time.substr(0, 13) + ":00:00.000Z"
                                       : time.substr(0, 10) + "T00:00:00.000Z";
}

}  // namespace

RefusalSummary summarizeRefusals(const store::AuditStore& store, const std::string& from,
                                 const std::string& to, RefusalPeriod period,
                                 std::uint64_t max_entries) {
  using Key = std::tuple<std::string, std::string, std::string, std::string>;
  std::map<Key, std::uint64_t> counts;
  RefusalSummary out;
  std::uint64_t read = 0;
  for (const char* decision : {"deny", "invalid"}) {
    store::AuditQuery q;
    q.decision = decision;
    q.from = from;
    q.to = to;
    q.limit = 1000;
    while (!out.truncated) {
      const auto rows = store.search(q);
      for (const auto& row : rows) {
        if (read++ == max_entries) {
          out.truncated = true;
          break;
        }
        ++counts[{periodOf(row.time, period), row.partner, row.action, row.decision}];
      }
      if (rows.size() < q.limit) break;
      q.after = rows.back().index;
    }
  }
  for (const auto& [key, count] : counts) {
    const auto& [p, partner, action, decision] = key;
    out.counts.push_back({p, partner, action, decision, count});
    out.total += count;
  }
  return out;
}

}  // namespace passerelle::app
