#pragma once

#include <sqlite3.h>

namespace passerelle::store {

// SQLite's own verdict on the last failure of a connection (an extended result code): the disk
// or the database file, not the request. Such a failure is `unavailable` (retry later).
inline bool isStorageFailure(int code) {
  switch (code & 0xff) {
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_NOMEM:
    case SQLITE_BUSY:
    case SQLITE_READONLY:
    case SQLITE_CORRUPT:
      return true;
    default:
      return false;
  }
}

}  // namespace passerelle::store
