#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace passerelle::testing {

// A test-only SQLite VFS over the default one, modelled on SQLite's own crash tests (test6.c):
// it counts the writes and syncs made to the files under a watched directory, makes the Nth of
// them fail, and can simulate a power cut: from the Nth operation on, every write, sync,
// truncation and deletion fails, and when a file is closed what was written to it since its
// last sync is undone, as a disk that lost its cache would. Installed as SQLite's default VFS
// by instance(), for every connection opened afterwards in the process. Thread-safe.
class FaultVfs {
 public:
  enum class Mode {
    once,          // only the Nth operation fails
    until_healed,  // the Nth and every later write fail (a full disk) until heal()
    power_cut,     // the Nth and everything after fail; unsynced writes are undone at close
  };

  static FaultVfs& instance();

  // Counts (and may fail) operations on files under `dir` only; resets the count and the fault.
  void watch(const std::filesystem::path& dir);
  // Fails the `n`th operation counted from now on (1 = the next), with `code` for a write
  // (SQLITE_IOERR_WRITE, SQLITE_FULL...) and SQLITE_IOERR_FSYNC for a sync.
  void failAt(std::uint64_t n, int code, Mode mode);
  // No fault from now on (space was freed); a power cut's undo still happens at close.
  void heal();
  // Back to counting only, with no fault and nothing to undo.
  void reset();

  // Writes and syncs counted since watch() or failAt().
  std::uint64_t operations() const;
  // Whether the fault has happened.
  bool fired() const;
};

}  // namespace passerelle::testing
