#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "passerelle/audit/audit_entry.hpp"
#include "passerelle/audit/checkpoint.hpp"
#include "passerelle/core/domain_error.hpp"
#include "passerelle/core/worker.hpp"
#include "passerelle/crypto/signer.hpp"
#include "passerelle/crypto/tiled_merkle_tree.hpp"
#include "passerelle/store/audit_store.hpp"

namespace passerelle::audit {

struct AuditLogOptions {
  std::string log_id = "passerelle";
  // A checkpoint is signed at least this often while entries arrive.
  std::chrono::milliseconds checkpoint_interval{1000};
  // Most entries one durable write takes; 1 makes every entry its own write (for comparison).
  std::size_t max_batch = 4096;
  // After a failed write (full disk, I/O error), a due checkpoint is tried again after
  // `first_retry`, doubling up to `max_retry`: a failing disk is not hammered. Entries that
  // requests submit are always tried at once (their requests are waiting).
  std::chrono::milliseconds first_retry{100};
  std::chrono::milliseconds max_retry{30000};
  // Several nodes appending to one store (PostgreSQL): whether this node signs the periodic
  // checkpoints now (it holds the "checkpoints" lease, store/leases.hpp). The node that does
  // signs what every node appended, reading the store's head every `checkpoint_interval`; the
  // others sign only checkpoints asked for (checkpointNow). Empty: this process alone appends
  // and signs.
  std::function<bool()> signs_checkpoints = {};
};

// The entry's position and leaf hash, once it is durable.
struct Appended {
  std::uint64_t index = 0;
  crypto::Hash leaf_hash{};
};

struct InclusionProof {
  std::uint64_t index = 0;
  std::uint64_t tree_size = 0;
  crypto::Hash leaf_hash{};
  std::vector<crypto::Hash> path;
};

// The entry could not be made durable: the request must not return personal data.
class AuditUnavailable : public core::DomainError {
 public:
  explicit AuditUnavailable(const std::string& message)
      : core::DomainError(core::ErrorKind::audit_unavailable, message) {}
};

// The tamper-evident audit log (DESIGN §5): append-only entries in an RFC 9162 Merkle tree,
// group-committed by one writer thread (requests wait in parallel for the write that holds
// their entry), signed checkpoints at least every `checkpoint_interval` under load, and
// inclusion and consistency proofs. Thread-safe.
class AuditLog {
 public:
  // Loads the tree from the store. Throws AuditFormatError if the stored log is not a gap-free
  // sequence or does not match its latest checkpoint (run `passerelle audit verify`).
  AuditLog(store::AuditStore& store, const crypto::Signer& signer, AuditLogOptions options);
  // Writes what is pending, then stops the writer.
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Gives the event the next position and returns once it is durable. Throws AuditUnavailable
  // if it could not be written. `claims`: the audit outbox rows (store/pending_audit.hpp) of the
  // changes the event records, stored with it.
  Appended append(AuditEvent event, std::vector<std::string> claims = {});
  // The same without waiting: the future is ready once the entry is durable (or holds
  // AuditUnavailable). A bulk import submits many and waits for them together.
  std::future<Appended> submit(AuditEvent event, std::vector<std::string> claims = {});

  // Signs and stores a checkpoint covering every entry durable so far (and any written with it).
  Checkpoint checkpointNow();
  // The latest checkpoint this node signed or found at start.
  std::optional<Checkpoint> latestCheckpoint() const;
  // The latest checkpoint any node signed, with this node's tree brought up to it, so that
  // proofs up to its size can be served here (the log's own on a store of one process).
  // Throws AuditUnavailable if the store cannot be read.
  std::optional<Checkpoint> freshestCheckpoint();
  // On a store other nodes append to, brings this node's tree up to `tree_size` entries if the
  // store holds them (nothing to do otherwise): a proof asked of this node for a size another
  // node signed. Returns once the writer has read them, or could not.
  void catchUpTo(std::uint64_t tree_size);

  // Durable entries.
  std::uint64_t size() const { return durable_size_.load(); }

  // Throw std::out_of_range unless index < tree_size <= size() (from <= to <= size()).
  InclusionProof inclusionProof(std::uint64_t index, std::uint64_t tree_size) const;
  std::vector<crypto::Hash> consistencyProof(std::uint64_t from, std::uint64_t to) const;
  crypto::Hash rootAt(std::uint64_t tree_size) const;

  const std::string& logId() const { return options_.log_id; }
  const std::string& publicKeyHex() const { return signer_.publicKeyHex(); }
  const store::AuditStore& store() const { return store_; }

  // Whether the last write succeeded: false from a failed write (full disk, I/O error) until
  // one succeeds. Each change of state is one line in the application log, the recovery's with
  // the number of entries refused meanwhile.
  bool writable() const { return writable_.load(); }
  // Commits a write to the log's file (no entry) unless the log is writable, and says whether
  // the log takes writes now: the readiness probe. A success ends a failing state.
  bool probeWritable();

  // Durable writes made so far (each holds one or more entries): for the benchmark.
  std::uint64_t commits() const { return commits_.load(); }

 private:
  struct Pending {
    AuditEvent event;
    std::vector<std::string> claims;
    std::promise<Appended> done;
    std::chrono::steady_clock::time_point queued = std::chrono::steady_clock::now();
  };

  void loadTree();
  // Builds and stores the tiles of a log written before tiles (once, one pass over it).
  void buildMissingTiles(std::uint64_t size);
  // One round of the writer: a batch of entries, a due checkpoint, or nothing; says when next.
  std::optional<core::Worker::Clock::time_point> writeRound();
  // `attempt` counts the times another node appended first (the store refused the batch's
  // first index as a conflict): the tree is then read again from the store and the batch
  // numbered anew.
  void writeBatch(std::vector<Pending>& batch, std::vector<std::promise<Checkpoint>>& requests,
                  bool checkpoint_due, int attempt = 0);
  // Tells the batch's writers and checkpoint requesters that it could not be written.
  void failBatch(std::vector<Pending>& batch, std::vector<std::promise<Checkpoint>>& requests,
                 const std::string& cause);
  // The tree as the store holds it now: the last size % 256 leaves and the right edge's tiles.
  void openTree();
  // Appends to the tree the entries other nodes stored since this node's last batch, up to
  // `head` (read under the head's lock): only those rows are read.
  void catchUp(std::uint64_t head);
  // The leaf hashes of entries [from, to), which must all be stored (AuditFormatError names the
  // first missing one).
  std::vector<crypto::Hash> leavesBetween(std::uint64_t from, std::uint64_t to) const;
  bool checkpointDue(std::chrono::steady_clock::time_point now) const;
  // Called by the writer after each write attempt: logs a change of state, sets the backoff.
  void noteWrite(bool ok, std::size_t entries, const std::string& cause);

  store::AuditStore& store_;
  const crypto::Signer& signer_;
  const AuditLogOptions options_;

  // Guards tree_ (the writer appends, proofs read). The tree keeps its right edge in memory and
  // reads older hashes from the store's tiles.
  mutable std::shared_mutex tree_mutex_;
  std::optional<crypto::TiledMerkleTree> tree_;

  // The writer thread's own: whether this node held the checkpoints lease when last asked.
  bool signs_ = false;
  std::chrono::steady_clock::time_point signs_asked_at_{};

  mutable std::mutex mutex_;  // guards everything below
  std::deque<Pending> queue_;
  std::vector<std::promise<Checkpoint>> checkpoint_requests_;
  std::vector<std::promise<void>> catch_up_requests_;
  std::optional<Checkpoint> latest_;
  std::chrono::steady_clock::time_point last_checkpoint_at_;
  bool stopping_ = false;
  // Backoff of due checkpoints after a failed write (see AuditLogOptions::first_retry).
  std::chrono::milliseconds backoff_{0};
  std::chrono::steady_clock::time_point retry_at_{};
  std::uint64_t refused_ = 0;  // entries refused since writes began failing
  std::atomic<bool> writable_{true};

  std::atomic<std::uint64_t> durable_size_{0};
  std::atomic<std::uint64_t> commits_{0};
  core::Worker writer_{[this] { return writeRound(); }, core::Worker::OnStop::finish};
};

}  // namespace passerelle::audit
