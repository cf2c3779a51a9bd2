#include "fault_vfs.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace passerelle::testing {

namespace {

// What one write or truncation replaced, to put back if the power is cut before a sync.
struct Undo {
  sqlite3_int64 offset = 0;
  std::vector<char> bytes;     // the old content of [offset, offset + bytes.size())
  sqlite3_int64 old_size = 0;  // the file's size before
};

struct State {
  std::mutex mutex;
  std::string dir;  // watched prefix; empty: nothing watched
  std::uint64_t counted = 0;
  std::uint64_t fail_at = 0;  // 0: no fault
  int code = SQLITE_IOERR_WRITE;
  FaultVfs::Mode mode = FaultVfs::Mode::once;
  bool fired = false;
  bool healed = false;
  sqlite3_vfs* base = nullptr;
};

State& state() {
  static State s;
  return s;
}

struct FaultFile {
  sqlite3_file file;  // first: SQLite sees a FaultFile as a sqlite3_file
  sqlite3_file* real;
  bool watched;
  std::vector<Undo>* undos;  // since the last sync; only for watched files
};

sqlite3_file* realOf(sqlite3_file* f) {
  return reinterpret_cast<FaultFile*>(f)->real;
}

enum class Op { write, sync, other };

// Whether this operation on a watched file must fail; counts writes and syncs.
bool mustFail(Op op, int& code) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  if (op != Op::other) ++s.counted;
  if (s.fired && !s.healed && s.mode != FaultVfs::Mode::once) {
    if (s.mode == FaultVfs::Mode::until_healed && op != Op::write) return false;
    code = op == Op::sync ? SQLITE_IOERR_FSYNC : s.code;
    return true;
  }
  if (op == Op::other || s.fail_at == 0 || s.counted != s.fail_at || s.fired) return false;
  s.fired = true;
  code = op == Op::sync ? SQLITE_IOERR_FSYNC : s.code;
  return true;
}

bool powerCut() {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  return s.fired && s.mode == FaultVfs::Mode::power_cut;
}

void undoUnsynced(FaultFile* f) {
  for (auto it = f->undos->rbegin(); it != f->undos->rend(); ++it) {
    if (!it->bytes.empty())
      f->real->pMethods->xWrite(f->real, it->bytes.data(), static_cast<int>(it->bytes.size()),
                                it->offset);
    f->real->pMethods->xTruncate(f->real, it->old_size);
  }
  f->undos->clear();
}

int xClose(sqlite3_file* file) {
  auto* f = reinterpret_cast<FaultFile*>(file);
  if (f->watched) {
    if (powerCut()) undoUnsynced(f);
    delete f->undos;
  }
  return f->real->pMethods->xClose(f->real);
}

int xRead(sqlite3_file* f, void* out, int amount, sqlite3_int64 offset) {
  return realOf(f)->pMethods->xRead(realOf(f), out, amount, offset);
}

void recordUndo(FaultFile* f, sqlite3_int64 offset, sqlite3_int64 end) {
  sqlite3_int64 size = 0;
  f->real->pMethods->xFileSize(f->real, &size);
  Undo undo{offset, {}, size};
  if (offset < size) {
    undo.bytes.resize(static_cast<std::size_t>(std::min(end, size) - offset));
    f->real->pMethods->xRead(f->real, undo.bytes.data(), static_cast<int>(undo.bytes.size()),
                             offset);
  }
  f->undos->push_back(std::move(undo));
}

int xWrite(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  auto* f = reinterpret_cast<FaultFile*>(file);
  if (f->watched) {
    int code = 0;
    if (mustFail(Op::write, code)) return code;
    recordUndo(f, offset, offset + amount);
  }
  return f->real->pMethods->xWrite(f->real, data, amount, offset);
}

int xTruncate(sqlite3_file* file, sqlite3_int64 size) {
  auto* f = reinterpret_cast<FaultFile*>(file);
  if (f->watched) {
    int code = 0;
    if (mustFail(Op::other, code)) return SQLITE_IOERR_TRUNCATE;
    sqlite3_int64 old = 0;
    f->real->pMethods->xFileSize(f->real, &old);
    recordUndo(f, size, old);
  }
  return f->real->pMethods->xTruncate(f->real, size);
}

int xSync(sqlite3_file* file, int flags) {
  auto* f = reinterpret_cast<FaultFile*>(file);
  if (f->watched) {
    int code = 0;
    if (mustFail(Op::sync, code)) return code;
  }
  const int rc = f->real->pMethods->xSync(f->real, flags);
  if (rc == SQLITE_OK && f->watched) f->undos->clear();
  return rc;
}

int xFileSize(sqlite3_file* f, sqlite3_int64* size) {
  return realOf(f)->pMethods->xFileSize(realOf(f), size);
}
int xLock(sqlite3_file* f, int level) {
  return realOf(f)->pMethods->xLock(realOf(f), level);
}
int xUnlock(sqlite3_file* f, int level) {
  return realOf(f)->pMethods->xUnlock(realOf(f), level);
}
int xCheckReservedLock(sqlite3_file* f, int* out) {
  return realOf(f)->pMethods->xCheckReservedLock(realOf(f), out);
}
int xFileControl(sqlite3_file* f, int op, void* arg) {
  return realOf(f)->pMethods->xFileControl(realOf(f), op, arg);
}
int xSectorSize(sqlite3_file* f) {
  return realOf(f)->pMethods->xSectorSize(realOf(f));
}
int xDeviceCharacteristics(sqlite3_file* f) {
  return realOf(f)->pMethods->xDeviceCharacteristics(realOf(f));
}
int xShmMap(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  return realOf(f)->pMethods->xShmMap(realOf(f), page, size, extend, out);
}
int xShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return realOf(f)->pMethods->xShmLock(realOf(f), offset, n, flags);
}
void xShmBarrier(sqlite3_file* f) {
  realOf(f)->pMethods->xShmBarrier(realOf(f));
}
int xShmUnmap(sqlite3_file* f, int delete_flag) {
  return realOf(f)->pMethods->xShmUnmap(realOf(f), delete_flag);
}

// Version 2: shared memory for WAL, no memory-mapped reads (so every access goes through here).
const sqlite3_io_methods kMethods = {2,
                                     xClose,
                                     xRead,
                                     xWrite,
                                     xTruncate,
                                     xSync,
                                     xFileSize,
                                     xLock,
                                     xUnlock,
                                     xCheckReservedLock,
                                     xFileControl,
                                     xSectorSize,
                                     xDeviceCharacteristics,
                                     xShmMap,
                                     xShmLock,
                                     xShmBarrier,
                                     xShmUnmap,
                                     nullptr,
                                     nullptr};

bool isWatched(const char* name) {
  if (name == nullptr) return false;
  auto& s = state();
  std::lock_guard lock(s.mutex);
  return !s.dir.empty() && std::strncmp(name, s.dir.c_str(), s.dir.size()) == 0;
}

int vfsOpen(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  auto* f = reinterpret_cast<FaultFile*>(file);
  f->real = reinterpret_cast<sqlite3_file*>(f + 1);
  f->file.pMethods = nullptr;
  const int rc = state().base->xOpen(state().base, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK) return rc;
  f->watched = isWatched(name);
  f->undos = f->watched ? new std::vector<Undo>() : nullptr;
  f->file.pMethods = &kMethods;
  return SQLITE_OK;
}

int vfsDelete(sqlite3_vfs*, const char* name, int sync_dir) {
  if (isWatched(name)) {
    int code = 0;
    if (mustFail(Op::other, code) || powerCut()) return SQLITE_IOERR_DELETE;
  }
  return state().base->xDelete(state().base, name, sync_dir);
}

int vfsAccess(sqlite3_vfs*, const char* name, int flags, int* out) {
  return state().base->xAccess(state().base, name, flags, out);
}
int vfsFullPathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return state().base->xFullPathname(state().base, name, n, out);
}
void* vfsDlOpen(sqlite3_vfs*, const char* name) {
  return state().base->xDlOpen(state().base, name);
}
void vfsDlError(sqlite3_vfs*, int n, char* out) {
  state().base->xDlError(state().base, n, out);
}
void (*vfsDlSym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
  return state().base->xDlSym(state().base, handle, symbol);
}
void vfsDlClose(sqlite3_vfs*, void* handle) {
  state().base->xDlClose(state().base, handle);
}
int vfsRandomness(sqlite3_vfs*, int n, char* out) {
  return state().base->xRandomness(state().base, n, out);
}
int vfsSleep(sqlite3_vfs*, int micros) {
  return state().base->xSleep(state().base, micros);
}
int vfsCurrentTime(sqlite3_vfs*, double* out) {
  return state().base->xCurrentTime(state().base, out);
}
int vfsGetLastError(sqlite3_vfs*, int n, char* out) {
  return state().base->xGetLastError ? state().base->xGetLastError(state().base, n, out) : 0;
}
int vfsCurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) {
  return state().base->xCurrentTimeInt64(state().base, out);
}

}  // namespace

FaultVfs& FaultVfs::instance() {
  static FaultVfs self;
  static std::once_flag installed;
  std::call_once(installed, [] {
    static sqlite3_vfs vfs{};
    auto* base = sqlite3_vfs_find(nullptr);
    if (base == nullptr) throw std::runtime_error("SQLite has no default VFS");
    state().base = base;
    vfs.iVersion = 2;
    vfs.szOsFile = static_cast<int>(sizeof(FaultFile)) + base->szOsFile;
    vfs.mxPathname = base->mxPathname;
    vfs.zName = "passerelle-fault";
    vfs.xOpen = vfsOpen;
    vfs.xDelete = vfsDelete;
    vfs.xAccess = vfsAccess;
    vfs.xFullPathname = vfsFullPathname;
    vfs.xDlOpen = vfsDlOpen;
    vfs.xDlError = vfsDlError;
    vfs.xDlSym = vfsDlSym;
    vfs.xDlClose = vfsDlClose;
    vfs.xRandomness = vfsRandomness;
    vfs.xSleep = vfsSleep;
    vfs.xCurrentTime = vfsCurrentTime;
    vfs.xGetLastError = vfsGetLastError;
    vfs.xCurrentTimeInt64 = vfsCurrentTimeInt64;
    if (sqlite3_vfs_register(&vfs, 1) != SQLITE_OK)
      throw std::runtime_error("cannot register the fault VFS");
  });
  return self;
}

void FaultVfs::watch(const std::filesystem::path& dir) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  s.dir = std::filesystem::weakly_canonical(dir).string() + "/";
  s.counted = 0;
  s.fail_at = 0;
  s.fired = false;
  s.healed = false;
}

void FaultVfs::failAt(std::uint64_t n, int code, Mode mode) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  s.counted = 0;
  s.fail_at = n;
  s.code = code;
  s.mode = mode;
  s.fired = false;
  s.healed = false;
}

void FaultVfs::heal() {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  s.healed = true;
  s.fail_at = 0;
}

void FaultVfs::reset() {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  s.fail_at = 0;
  s.fired = false;
  s.healed = false;
}

std::uint64_t FaultVfs::operations() const {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  return s.counted;
}

bool FaultVfs::fired() const {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  return s.fired;
}

}  // namespace passerelle::testing
