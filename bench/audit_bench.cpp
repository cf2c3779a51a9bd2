// Audit log benchmark (issue #4): appends per second with group commit against one durable write
// per entry, and what recording the entry adds to a dossier read. Reports figures; asserts
// nothing. Run through bench/audit.sh.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "passerelle/app/application.hpp"
#include "passerelle/audit/audit_log.hpp"
#include "passerelle/crypto/root_key.hpp"
#include "passerelle/demo/demo.hpp"
#include "passerelle/dossiers/identifiers.hpp"
#include "passerelle/testdata/synthetic_dossiers.hpp"

namespace {

using namespace passerelle;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

struct Figures {
  double per_second = 0;
  double p50_ms = 0;
  double p99_ms = 0;
};

// Runs `work` from `threads` threads for `seconds`; each call's latency is kept.
template <class Work>
Figures measure(int threads, double seconds, Work work) {
  std::vector<std::vector<double>> latencies(threads);
  std::atomic<bool> stop{false};
  std::vector<std::thread> pool;
  const auto started = Clock::now();
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (int i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        const auto a = Clock::now();
        work(t, i);
        latencies[t].push_back(std::chrono::duration<double, std::milli>(Clock::now() - a).count());
      }
    });
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& th : pool) th.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  Figures f;
  f.per_second = static_cast<double>(all.size()) / elapsed;
  if (!all.empty()) {
    f.p50_ms = all[all.size() / 2];
    f.p99_ms = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  }
  return f;
}

audit::AuditEvent sampleEvent(int t, int i) {
  audit::AuditEvent e;
  e.time = core::nowUtc();
  e.partner = core::PartnerId("mission-locale");
  e.credential = "cert:0123456789abcdef";
  e.purpose = core::Purpose::accompagnement;
  e.action = audit::AuditAction::dossier_read;
  e.person = "p0123456789abcdef0123456789abcdef";
  e.disclosed = {"/identite/nom_naissance", "/identite/prenoms", "/contact/email",
                 "/contact/telephone", "/parcours/date_entree"};
  e.withheld = {{"/identite/nir", "not_in_policy"}, {"/sante/difficultes", "not_in_policy"}};
  e.decision = audit::AuditDecision::partial;
  e.policy_version = "2026-11-1+bench";
  e.rules = {"ml-lecture"};
  e.request_id = core::RequestId("bench-" + std::to_string(t) + "-" + std::to_string(i));
  e.status = 200;
  return e;
}

void appends(const fs::path& dir, double seconds) {
  std::printf("\n### Appends (durable, SQLite WAL synchronous=FULL)\n\n");
  std::printf(
      "| threads | one write per entry: appends/s | p99 ms | group commit: appends/s "
      "| p99 ms | entries per write |\n|---|---|---|---|---|---|\n");
  const auto master = crypto::RootKey::generate();
  const crypto::Signer signer(master.derive(crypto::KeyUse::signing));
  for (int threads : {1, 8, 64}) {
    Figures by_mode[2];
    double per_write = 0;
    for (int mode = 0; mode < 2; ++mode) {
      const auto file =
          dir / ("appends-" + std::to_string(threads) + "-" + std::to_string(mode) + ".sqlite");
      auto store = store::openSqliteAuditStore({file, 1, 10000, std::nullopt});
      audit::AuditLog log(*store, signer,
                          {"bench", std::chrono::milliseconds(1000), mode == 0 ? 1u : 4096u});
      by_mode[mode] =
          measure(threads, seconds, [&](int t, int i) { log.append(sampleEvent(t, i)); });
      if (mode == 1)
        per_write = static_cast<double>(log.size()) / std::max<double>(1, log.commits());
    }
    std::printf("| %d | %.0f | %.2f | %.0f | %.2f | %.1f |\n", threads, by_mode[0].per_second,
                by_mode[0].p99_ms, by_mode[1].per_second, by_mode[1].p99_ms, per_write);
  }
}

void readCost(const fs::path& dir, double seconds) {
  std::printf("\n### What the audit entry adds to a dossier read (in process, no HTTP)\n\n");
  auto config = demo::prepareDemoDirectory({dir / "demo", 0, 200});
  app::Application gw(config);
  demo::loadDemoDossiers(gw, 200);
  std::vector<core::DossierId> ids;
  for (const auto& person : testdata::syntheticDossiers(200))
    for (const auto& identifier :
         dossiers::identifiersOf(core::Section::identite, person["identite"]))
      if (auto id = gw.store().findByIdentifier(identifier)) ids.push_back(*id);
  if (ids.empty()) throw std::runtime_error("the demo dossiers were not found");
  const auto& dept = *gw.registry().byId(core::PartnerId("departement"));
  const dossiers::Caller caller{dept, core::Purpose::accompagnement};
  std::printf(
      "| threads | read only: reads/s | p50 ms | p99 ms | read + audit entry: reads/s "
      "| p50 ms | p99 ms |\n|---|---|---|---|---|---|---|\n");
  for (int threads : {1, 16}) {
    const auto plain = measure(threads, seconds, [&](int, int i) {
      gw.dossiers().read(caller, ids[static_cast<std::size_t>(i) % ids.size()]);
    });
    const auto audited = measure(threads, seconds, [&](int t, int i) {
      const auto& id = ids[static_cast<std::size_t>(i) % ids.size()];
      const auto view = gw.dossiers().read(caller, id);
      auto event = sampleEvent(t, i);
      event.person = gw.pseudonyms().of(id);
      event.disclosed = view.decision.fields;
      gw.auditLog().append(std::move(event));
    });
    std::printf("| %d | %.0f | %.2f | %.2f | %.0f | %.2f | %.2f |\n", threads, plain.per_second,
                plain.p50_ms, plain.p99_ms, audited.per_second, audited.p50_ms, audited.p99_ms);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::stod(argv[1]) : 3.0;
  const fs::path dir =
      fs::temp_directory_path() / ("passerelle-audit-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::printf("Each figure: %.1f s of load.\n", seconds);
  appends(dir, seconds);
  readCost(dir, seconds);
  fs::remove_all(dir);
  return 0;
}
