#pragma once
// Opening the project's SQLite files: created if missing, WAL journal, a
// busy timeout, and the caller's schema applied. Internal to storage/.
#include <sqlite3.h>

#include <string>

namespace crawl::storage {

// The last error of `db` (or `rc`, the failed call's result), named by the
// file; a full disk says so plainly.
inline std::string sqlite_error(sqlite3* db, const std::string& path, int rc = SQLITE_OK) {
  std::string message = sqlite3_errmsg(db);
  if ((rc & 0xff) == SQLITE_FULL || (sqlite3_extended_errcode(db) & 0xff) == SQLITE_FULL)
    return path + ": disk full (" + sqlite3_errstr(SQLITE_FULL) + ")";
  return path + ": " + message;
}

// nullptr, with `error` naming the path, when the file cannot be opened or
// the schema does not apply (it is not one of our files).
inline sqlite3* open_sqlite(const std::string& path, const char* schema, std::string& error) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    error = path + ": " + (db ? sqlite3_errmsg(db) : "cannot open");
    sqlite3_close(db);
    return nullptr;
  }
  sqlite3_busy_timeout(db, 5000);
  char* message = nullptr;
  std::string full = std::string("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;") + schema;
  if (sqlite3_exec(db, full.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    error = path + ": not a crawl state file: " + (message ? message : sqlite3_errmsg(db));
    sqlite3_free(message);
    sqlite3_close(db);
    return nullptr;
  }
  return db;
}

}  // namespace crawl::storage
