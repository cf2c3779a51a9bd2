#include "passerelle/audit/audit_log.hpp"

#include <Poco/Logger.h>

#include <algorithm>

#include "passerelle/core/metrics.hpp"
#include "passerelle/core/utc_time.hpp"

namespace passerelle::audit {

namespace {

constexpr int kMaxRenumbering = 8;

store::AuditRow rowOf(const AuditEntry& entry, std::string bytes, const crypto::Hash& leaf,
                      std::optional<std::string> sensitive) {
  const auto& e = entry.event;
  return {entry.index,
          std::move(bytes),
          hashHex(leaf),
          e.time,
          e.partner ? e.partner->str() : std::string(),
          e.purpose ? std::string(core::toString(*e.purpose)) : std::string(),
          std::string(toString(e.action)),
          e.person,
          std::string(toString(e.decision)),
          std::move(sensitive)};
}

}  // namespace

AuditLog::AuditLog(store::AuditStore& store, const crypto::Signer& signer, AuditLogOptions options)
    : store_(store), signer_(signer), options_(std::move(options)) {
  loadTree();
  last_checkpoint_at_ = std::chrono::steady_clock::now();
  // What the last run left unsigned is signed at once.
  if (durable_size_.load() > (latest_ ? latest_->tree_size : 0))
    last_checkpoint_at_ -= options_.checkpoint_interval;
  writer_.start();
}

AuditLog::~AuditLog() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  writer_.stop();  // after what was queued is written
}

// Opening reads the last size % 256 entries and at most 255 tiles a level, whatever the log's
// size; the rest of the log is read by `audit verify`, not at every start.
void AuditLog::loadTree() {
  buildMissingTiles(store_.size());
  openTree();
  const std::uint64_t size = durable_size_.load();
  if (const auto row = store_.latestCheckpoint()) {
    latest_ = Checkpoint::fromRow(*row);
    if (latest_->tree_size > size || tree_->root(latest_->tree_size) != latest_->root_hash)
      throw AuditFormatError("the audit log does not match its checkpoint of size " +
                             std::to_string(latest_->tree_size) +
                             "; run `passerelle audit verify`");
  }
}

std::vector<crypto::Hash> AuditLog::leavesBetween(std::uint64_t from, std::uint64_t to) const {
  std::vector<crypto::Hash> leaves;
  std::uint64_t expected = from;
  store_.forEachRow(from, [&](const store::AuditRow& row) {
    if (row.index >= to) return;  // appended by another node since `to` was read
    if (row.index != expected)
      throw AuditFormatError("the audit log has no entry #" + std::to_string(expected) +
                             "; run `passerelle audit verify`");
    leaves.push_back(hashFromHex(row.leaf_hash));
    ++expected;
  });
  if (expected != to)
    throw AuditFormatError("the audit log has no entry #" + std::to_string(expected) +
                           "; run `passerelle audit verify`");
  return leaves;
}

void AuditLog::openTree() {
  const std::uint64_t size = store_.size();
  auto last = leavesBetween(size - size % crypto::TiledMerkleTree::kTileWidth, size);
  std::unique_lock tree_lock(tree_mutex_);
  tree_.emplace([this](crypto::TileId id) { return store_.tile(id); }, size, std::move(last));
  durable_size_ = size;
}

void AuditLog::catchUp(std::uint64_t head) {
  if (head < durable_size_.load())
    throw AuditFormatError("the audit log's head went back; run `passerelle audit verify`");
  const auto leaves = leavesBetween(durable_size_.load(), head);
  std::unique_lock tree_lock(tree_mutex_);
  for (const auto& leaf : leaves) tree_->append(leaf);
  tree_->settle();  // the tiles these leaves filled are in the store: the other node wrote them
  durable_size_ = head;
}

void AuditLog::buildMissingTiles(std::uint64_t size) {
  constexpr auto kWidth = crypto::TiledMerkleTree::kTileWidth;
  if (store_.tileCount(0) >= size / kWidth) return;
  // Leaves only, never a stored tile, are read: the tree being built reads nothing back.
  crypto::TiledMerkleTree build([](crypto::TileId) -> std::vector<crypto::Hash> {
    throw std::logic_error("building tiles reads no tile");
  });
  std::vector<std::uint64_t> stored;  // full tiles already stored, by level
  const auto store = [&] {
    std::vector<crypto::Tile> missing;
    for (auto& t : build.tilesSince({{}, {}, 0})) {
      while (stored.size() <= t.id.level)
        stored.push_back(store_.tileCount(static_cast<std::uint8_t>(stored.size())));
      if (t.id.index >= stored[t.id.level]) missing.push_back(std::move(t));
    }
    if (!missing.empty()) store_.append({}, missing, std::nullopt);
    build.settle();
  };
  std::uint64_t expected = 0;
  store_.forEachRow(0, [&](const store::AuditRow& row) {
    if (row.index != expected)
      throw AuditFormatError("the audit log has no entry #" + std::to_string(expected) +
                             "; run `passerelle audit verify`");
    build.append(hashFromHex(row.leaf_hash));
    if (++expected % (kWidth * kWidth) == 0) store();
  });
  store();
  Poco::Logger::get("passerelle.audit")
      .notice("audit log: tiles built for the %Lu entries written before tiles",
              static_cast<unsigned long long>(expected));
}

namespace {

// The audit writer's measurements (docs/operations.md, "Metrics").
struct AuditMetrics {
  core::metrics::Counter& appended;
  core::metrics::Counter& failed;
  core::metrics::Histogram& latency;
  core::metrics::Histogram& batch;

  static AuditMetrics& get() {
    auto& r = core::metrics::registry();
    static AuditMetrics m{
        r.counter("passerelle_audit_appends_total", "Audit entries made durable.").with(),
        r.counter("passerelle_audit_append_failures_total",
                  "Audit entries that could not be written (the request was refused).")
            .with(),
        r.histogram("passerelle_audit_append_duration_seconds",
                    "Time from an entry's submission to its durable commit.",
                    core::metrics::latencyBuckets())
            .with(),
        r.histogram("passerelle_audit_batch_size", "Entries committed together by the writer.",
                    core::metrics::sizeBuckets())
            .with()};
    return m;
  }
};

}  // namespace

Appended AuditLog::append(AuditEvent event, std::vector<std::string> claims) {
  return submit(std::move(event), std::move(claims)).get();
}

std::future<Appended> AuditLog::submit(AuditEvent event, std::vector<std::string> claims) {
  std::future<Appended> done;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) throw AuditUnavailable("the audit log is closing");
    queue_.push_back({std::move(event), std::move(claims), {}});
    done = queue_.back().done.get_future();
  }
  writer_.wake();
  return done;
}

Checkpoint AuditLog::checkpointNow() {
  std::future<Checkpoint> done;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) throw AuditUnavailable("the audit log is closing");
    checkpoint_requests_.emplace_back();
    done = checkpoint_requests_.back().get_future();
  }
  writer_.wake();
  return done.get();
}

std::optional<Checkpoint> AuditLog::latestCheckpoint() const {
  std::lock_guard lock(mutex_);
  return latest_;
}

std::optional<Checkpoint> AuditLog::freshestCheckpoint() {
  if (!options_.signs_checkpoints) return latestCheckpoint();
  std::optional<store::AuditCheckpointRow> row;
  try {
    row = store_.latestCheckpoint();
  } catch (const std::exception& e) {
    throw AuditUnavailable(std::string("the audit log's checkpoints cannot be read: ") + e.what());
  }
  if (!row) return latestCheckpoint();
  auto head = Checkpoint::fromRow(*row);
  catchUpTo(head.tree_size);
  return head;
}

void AuditLog::catchUpTo(std::uint64_t tree_size) {
  if (!options_.signs_checkpoints || tree_size <= size()) return;
  // A size beyond the store's head asks nothing of the writer (which takes the head's lock).
  try {
    if (tree_size > store_.size()) return;
  } catch (const std::exception& e) {
    throw AuditUnavailable(std::string("the audit log's head cannot be read: ") + e.what());
  }
  std::future<void> done;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    catch_up_requests_.emplace_back();
    done = catch_up_requests_.back().get_future();
  }
  writer_.wake();
  done.get();
}

bool AuditLog::checkpointDue(std::chrono::steady_clock::time_point now) const {
  const auto signed_size = latest_ ? latest_->tree_size : 0;
  return durable_size_.load() + queue_.size() > signed_size &&
         now >= last_checkpoint_at_ + options_.checkpoint_interval;
}

std::optional<core::Worker::Clock::time_point> AuditLog::writeRound() {
  const bool shared = static_cast<bool>(options_.signs_checkpoints);
  const auto now = std::chrono::steady_clock::now();
  // On a shared store the lease is a round trip to the server: asked once a checkpoint
  // interval, not at every batch (this thread only), and before taking the mutex.
  if (shared && now >= signs_asked_at_ + options_.checkpoint_interval) {
    signs_ = options_.signs_checkpoints();
    signs_asked_at_ = now;
  }
  const bool signs = !shared || signs_;
  std::unique_lock lock(mutex_);
  // A due checkpoint waits out the backoff of a failed write: otherwise, with the disk full,
  // the writer would retry it at once, forever, and log each failure.
  const auto signed_size = latest_ ? latest_->tree_size : 0;
  bool due = signs && checkpointDue(now) && now >= retry_at_;
  const bool idle = queue_.empty() && checkpoint_requests_.empty() && catch_up_requests_.empty();
  if (shared && signs && idle && !due &&
      now >= last_checkpoint_at_ + options_.checkpoint_interval && now >= retry_at_) {
    // The signing node signs what the other nodes appended too.
    lock.unlock();
    std::uint64_t head = 0;
    try {
      head = store_.size();
    } catch (const std::exception&) {
      // Read again at the next round; a failing store shows in the writes and readiness.
    }
    lock.lock();
    due = head > signed_size;
    if (!due) last_checkpoint_at_ = now;  // nothing new: look again after an interval
  }
  if (queue_.empty() && checkpoint_requests_.empty() && catch_up_requests_.empty() && !due) {
    // With several nodes, the lease and the head are looked at again after an interval.
    if (shared) return std::max(now + options_.checkpoint_interval, retry_at_);
    if (durable_size_.load() > signed_size)
      return std::max(last_checkpoint_at_ + options_.checkpoint_interval, retry_at_);
    return std::nullopt;  // until an entry or a checkpoint is asked for
  }
  std::vector<Pending> batch;
  while (!queue_.empty() && batch.size() < options_.max_batch) {
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  auto requests = std::move(checkpoint_requests_);
  checkpoint_requests_.clear();
  auto catch_ups = std::move(catch_up_requests_);
  catch_up_requests_.clear();
  lock.unlock();
  // A batch first takes the head and reads what other nodes appended: a catch-up is one too,
  // empty (its failure is the next proof's to report).
  writeBatch(batch, requests, due || !requests.empty());
  for (auto& c : catch_ups) c.set_value();
  return core::Worker::now();  // what queued meanwhile, at once
}

void AuditLog::writeBatch(std::vector<Pending>& batch,
                          std::vector<std::promise<Checkpoint>>& requests, bool checkpoint,
                          int attempt) {
  // The right to append first: with several nodes, the head's lock, held until this batch
  // commits, so that the database orders the nodes. A node behind reads the tree again and
  // numbers after the others' entries.
  try {
    const auto head = store_.reserveAppend();
    if (head != durable_size_.load()) catchUp(head);
  } catch (const std::exception& e) {
    store_.abandonAppend();
    failBatch(batch, requests, e.what());
    return;
  }
  // Only this thread changes the tree and durable_size_, so reading them unlocked is safe.
  const std::uint64_t first = durable_size_.load();
  const auto mark = tree_->mark();
  std::vector<store::AuditRow> rows;
  std::vector<Appended> results;
  rows.reserve(batch.size());
  try {
    for (std::size_t i = 0; i < batch.size(); ++i) {
      AuditEntry entry{first + i, batch[i].event};  // a copy: a retry numbers it anew
      auto sensitive = sealSensitivePart(entry);
      auto bytes = canonicalBytes(entry);
      const auto leaf = crypto::leafHash(bytes);
      rows.push_back(rowOf(entry, std::move(bytes), leaf, std::move(sensitive)));
      rows.back().claims = batch[i].claims;
      results.push_back({entry.index, leaf});
    }
    {
      std::unique_lock tree_lock(tree_mutex_);
      for (const auto& r : results) tree_->append(r.leaf_hash);
    }
    const std::uint64_t size = first + rows.size();
    std::optional<Checkpoint> signed_head;
    bool new_head = false;
    if (checkpoint && latest_ && latest_->tree_size == size) {
      signed_head = latest_;  // nothing new to sign
    } else if (checkpoint) {
      signed_head =
          Checkpoint::sign(signer_, options_.log_id, size, tree_->root(size), core::nowUtc());
      new_head = true;
    }
    if (!rows.empty() || new_head) {
      store_.append(rows, tree_->tilesSince(mark),
                    new_head ? std::optional(signed_head->toRow()) : std::nullopt);
      commits_.fetch_add(1);
      noteWrite(true, 0, {});
    } else {
      store_.abandonAppend();  // nothing to write: the reservation goes
    }
    {
      std::unique_lock tree_lock(tree_mutex_);
      tree_->settle();  // the tiles filled are the store's now
    }
    {
      std::lock_guard lock(mutex_);
      durable_size_ = size;
      if (new_head) {
        latest_ = signed_head;
        last_checkpoint_at_ = std::chrono::steady_clock::now();
      }
    }
    if (!batch.empty()) {
      auto& metrics = AuditMetrics::get();
      const auto now = std::chrono::steady_clock::now();
      metrics.appended.add(batch.size());
      metrics.batch.observe(static_cast<double>(batch.size()));
      for (const auto& p : batch)
        metrics.latency.observe(std::chrono::duration<double>(now - p.queued).count());
    }
    for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done.set_value(results[i]);
    for (auto& r : requests) r.set_value(*signed_head);
  } catch (const std::exception& e) {
    store_.abandonAppend();  // if the append did not end the reservation
    {
      std::unique_lock tree_lock(tree_mutex_);
      tree_->restore(mark);
    }
    // Another node appended first (PostgreSQL): read the tree again and number the batch after
    // its entries. A few attempts; a node that keeps losing reports the log unavailable.
    if (dynamic_cast<const store::AuditHeadMoved*>(&e) != nullptr && attempt < kMaxRenumbering) {
      try {
        openTree();
        writeBatch(batch, requests, checkpoint, attempt + 1);
        return;
      } catch (const std::exception&) {
        // Reported below as this batch's failure.
      }
    }
    failBatch(batch, requests, e.what());
  }
}

void AuditLog::failBatch(std::vector<Pending>& batch,
                         std::vector<std::promise<Checkpoint>>& requests,
                         const std::string& cause) {
  // The store's message names no value (everything is bound); the operator needs it.
  noteWrite(false, batch.size(), cause);
  AuditMetrics::get().failed.add(batch.size());
  const auto failure =
      std::make_exception_ptr(AuditUnavailable("the audit log could not be written"));
  for (auto& p : batch) p.done.set_exception(failure);
  for (auto& r : requests) r.set_exception(failure);
}

void AuditLog::noteWrite(bool ok, std::size_t entries, const std::string& cause) {
  auto& logger = Poco::Logger::get("passerelle.audit");
  std::lock_guard lock(mutex_);
  if (ok) {
    if (!writable_.load())
      logger.notice("audit log writes succeed again, %Lu entries refused meanwhile",
                    static_cast<unsigned long long>(refused_));
    writable_ = true;
    refused_ = 0;
    backoff_ = std::chrono::milliseconds(0);
    retry_at_ = {};
    return;
  }
  if (writable_.load()) logger.error("audit log writes failing: %s", cause);
  writable_ = false;
  refused_ += entries;
  backoff_ = std::clamp(backoff_ * 2, options_.first_retry, options_.max_retry);
  retry_at_ = std::chrono::steady_clock::now() + backoff_;
}

bool AuditLog::probeWritable() {
  if (writable_.load()) return true;
  const bool ok = store_.probeWritable();
  if (ok) {
    noteWrite(true, 0, {});
    writer_.wake();  // a checkpoint that waited out its backoff can be signed now
  }
  return ok;
}

InclusionProof AuditLog::inclusionProof(std::uint64_t index, std::uint64_t tree_size) const {
  if (tree_size > size()) throw std::out_of_range("tree size beyond the durable log");
  std::shared_lock lock(tree_mutex_);
  return {index, tree_size, tree_->leaf(index), tree_->inclusionProof(index, tree_size)};
}

std::vector<crypto::Hash> AuditLog::consistencyProof(std::uint64_t from, std::uint64_t to) const {
  if (to > size()) throw std::out_of_range("tree size beyond the durable log");
  std::shared_lock lock(tree_mutex_);
  return tree_->consistencyProof(from, to);
}

crypto::Hash AuditLog::rootAt(std::uint64_t tree_size) const {
  if (tree_size > size()) throw std::out_of_range("tree size beyond the durable log");
  std::shared_lock lock(tree_mutex_);
  return tree_->root(tree_size);
}

}  // namespace passerelle::audit
