// The audit log's start and memory at a size (issue 23: tiles instead of an in-memory tree).
// Writes a log of N entries straight through the store (short synthetic entries, their tiles),
// then measures: opening it as the gateway does (the last leaves and the right edge's tiles),
// an inclusion proof of an old entry, and, for comparison, what the previous start did: every
// leaf hash read into an in-memory tree (64 bytes a leaf). Reports figures; asserts nothing.
// Run through bench/audit_open.sh.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "passerelle/audit/audit_entry.hpp"
#include "passerelle/audit/audit_log.hpp"
#include "passerelle/crypto/merkle_tree.hpp"
#include "passerelle/crypto/root_key.hpp"
#include "passerelle/store/audit_store.hpp"

namespace {

using namespace passerelle;
using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The process's resident memory, in MiB (VmRSS).
double residentMiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  return 0;
}

void write(store::AuditStore& store, std::uint64_t entries) {
  crypto::TiledMerkleTree tree([](crypto::TileId) -> std::vector<crypto::Hash> {
    throw std::logic_error("writing reads no tile");
  });
  constexpr std::uint64_t kBatch = 100000;
  for (std::uint64_t first = 0; first < entries; first += kBatch) {
    std::vector<store::AuditRow> rows;
    const auto mark = tree.mark();
    for (std::uint64_t i = first; i < std::min(entries, first + kBatch); ++i) {
      const std::string entry = "{\"index\":" + std::to_string(i) + "}";
      const auto leaf = crypto::leafHash(entry);
      tree.append(leaf);
      rows.push_back({i, entry, audit::hashHex(leaf), "2026-12-07T00:00:00Z", "caf",
                      "instruction_rsa", "section_read", "p-bench", "allow", std::nullopt});
    }
    store.append(rows, tree.tilesSince(mark), std::nullopt);
    tree.settle();
    std::fprintf(stderr, "\rwritten %llu", static_cast<unsigned long long>(first + rows.size()));
  }
  std::fprintf(stderr, "\n");
}

}  // namespace

// Each figure from a process of its own, so that one phase's heap does not hide the next one's.
int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: %s write N FILE | open FILE | whole FILE | pgwrite N URL | pgopen URL\n",
                 argv[0]);
    return 2;
  }
  std::string mode = argv[1];
  const std::string target = argv[argc - 1];
  const std::filesystem::path file = target;
  // The same log on PostgreSQL (bench/postgres.sh): `target` is the database's URL.
  const bool postgres = mode.rfind("pg", 0) == 0;
  if (postgres) mode = mode.substr(2);
  const auto open = [&](std::size_t readers) {
    return postgres ? store::openPostgresAuditStore({target, std::nullopt, true})
                    : store::openSqliteAuditStore({file, readers, 10000, std::nullopt});
  };
  if (mode == "write") {
    const std::uint64_t entries = std::stoull(argv[2]);
    auto store = open(1);
    const auto started = Clock::now();
    write(*store, entries);
    std::printf("| entries | %llu (written in %.0f s) |\n",
                static_cast<unsigned long long>(entries), secondsSince(started));
    return 0;
  }
  auto store = open(2);
  const auto entries = store->size();
  const double rss_before = residentMiB();
  const auto started = Clock::now();
  if (mode == "open") {
    const auto master = crypto::RootKey::generate();
    const crypto::Signer signer(master.derive(crypto::KeyUse::signing));
    audit::AuditLog log(*store, signer, audit::AuditLogOptions{"bench", std::chrono::hours(1)});
    const double open_s = secondsSince(started);
    const double rss_open = residentMiB() - rss_before;
    const auto proof_started = Clock::now();
    const auto proof = log.inclusionProof(entries / 3, entries);
    const double proof_ms = secondsSince(proof_started) * 1000;
    const auto root = log.rootAt(entries);
    const bool verified =
        crypto::verifyInclusion(proof.leaf_hash, entries / 3, entries, proof.path, root);
    std::printf("| open with tiles (last leaves, right edge) | %.3f s, +%.1f MiB resident |\n",
                open_s, rss_open);
    std::printf("| inclusion proof of entry %llu, tiles read from the store | %.2f ms, %s |\n",
                static_cast<unsigned long long>(entries / 3), proof_ms,
                verified ? "verifies" : "DOES NOT VERIFY");
    std::printf("| root | %s |\n", audit::hashHex(root).c_str());
    return 0;
  }
  // The previous start: every leaf hash read into a tree that keeps every level in memory.
  crypto::MerkleTree whole;
  store->forEachRow(
      0, [&](const store::AuditRow& row) { whole.append(audit::hashFromHex(row.leaf_hash)); });
  std::printf("| open before tiles (every leaf into memory) | %.3f s, +%.1f MiB resident |\n",
              secondsSince(started), residentMiB() - rss_before);
  std::printf("| root | %s |\n", audit::hashHex(whole.root()).c_str());
  return 0;
}
