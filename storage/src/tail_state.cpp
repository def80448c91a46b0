#include "crawl/storage/tail_state.hpp"

#include "sqlite_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace crawl::storage {

std::unique_ptr<tail_state> tail_state::open(const std::string& path, std::string& error) {
  auto state = std::unique_ptr<tail_state>(new tail_state());
  state->path_ = path;
  state->db_ = open_sqlite(path,
                           "CREATE TABLE IF NOT EXISTS tail_files ("
                           " path TEXT PRIMARY KEY, dev INTEGER, ino INTEGER, fingerprint BLOB,"
                           " offset INTEGER, size INTEGER, mtime_ns INTEGER);"
                           "CREATE TABLE IF NOT EXISTS tail_staged ("
                           " path TEXT PRIMARY KEY, dev INTEGER, ino INTEGER, fingerprint BLOB,"
                           " offset INTEGER, size INTEGER, mtime_ns INTEGER);"
                           "CREATE TABLE IF NOT EXISTS tail_output ("
                           " id INTEGER PRIMARY KEY CHECK (id = 1), temp_path TEXT, path TEXT, dev INTEGER, ino INTEGER);",
                           error);
  if (!state->db_) return nullptr;
  return state;
}

tail_state::~tail_state() {
  if (db_) sqlite3_close(db_);
}

std::optional<file_mark> tail_state::get(const std::string& path) const {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT dev, ino, fingerprint, offset, size, mtime_ns FROM tail_files WHERE path = ?",
                         -1, &st, nullptr) != SQLITE_OK)
    return std::nullopt;
  sqlite3_bind_text(st, 1, path.c_str(), static_cast<int>(path.size()), SQLITE_TRANSIENT);
  std::optional<file_mark> mark;
  if (sqlite3_step(st) == SQLITE_ROW) {
    file_mark m;
    m.path = path;
    m.dev = static_cast<std::uint64_t>(sqlite3_column_int64(st, 0));
    m.ino = static_cast<std::uint64_t>(sqlite3_column_int64(st, 1));
    const void* fp = sqlite3_column_blob(st, 2);
    m.fingerprint.assign(static_cast<const char*>(fp), static_cast<std::size_t>(sqlite3_column_bytes(st, 2)));
    m.offset = static_cast<std::uint64_t>(sqlite3_column_int64(st, 3));
    m.size = static_cast<std::uint64_t>(sqlite3_column_int64(st, 4));
    m.mtime_ns = sqlite3_column_int64(st, 5);
    mark = std::move(m);
  }
  sqlite3_finalize(st);
  return mark;
}

bool tail_state::fail(const char* what, std::string& error) {
  error = sqlite_error(db_, path_) + " (" + what + ")";
  sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  return false;
}

bool tail_state::exec(const char* sql, const char* what, std::string& error) {
  return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK || fail(what, error);
}

bool tail_state::stage(const std::vector<file_mark>& marks, const staged_output& output, std::string& error) {
  if (!exec("BEGIN IMMEDIATE; DELETE FROM tail_staged; DELETE FROM tail_output;", "stage", error)) return false;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_,
                         "INSERT INTO tail_staged (path, dev, ino, fingerprint, offset, size, mtime_ns)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?)",
                         -1, &st, nullptr) != SQLITE_OK)
    return fail("prepare", error);
  for (const auto& m : marks) {
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, m.path.c_str(), static_cast<int>(m.path.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, static_cast<sqlite3_int64>(m.dev));
    sqlite3_bind_int64(st, 3, static_cast<sqlite3_int64>(m.ino));
    sqlite3_bind_blob(st, 4, m.fingerprint.data(), static_cast<int>(m.fingerprint.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 5, static_cast<sqlite3_int64>(m.offset));
    sqlite3_bind_int64(st, 6, static_cast<sqlite3_int64>(m.size));
    sqlite3_bind_int64(st, 7, m.mtime_ns);
    if (sqlite3_step(st) != SQLITE_DONE) {
      sqlite3_finalize(st);
      return fail("write", error);
    }
  }
  sqlite3_finalize(st);
  if (sqlite3_prepare_v2(db_, "INSERT INTO tail_output (id, temp_path, path, dev, ino) VALUES (1, ?, ?, ?, ?)", -1,
                         &st, nullptr) != SQLITE_OK)
    return fail("prepare", error);
  sqlite3_bind_text(st, 1, output.temp_path.c_str(), static_cast<int>(output.temp_path.size()), SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, output.path.c_str(), static_cast<int>(output.path.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 3, static_cast<sqlite3_int64>(output.dev));
  sqlite3_bind_int64(st, 4, static_cast<sqlite3_int64>(output.ino));
  bool ok = sqlite3_step(st) == SQLITE_DONE;
  sqlite3_finalize(st);
  if (!ok) return fail("write", error);
  return exec("COMMIT", "commit", error);
}

bool tail_state::promote(std::string& error) {
  return exec("BEGIN IMMEDIATE;"
              " INSERT OR REPLACE INTO tail_files SELECT * FROM tail_staged;"
              " DELETE FROM tail_staged; DELETE FROM tail_output;"
              " COMMIT;",
              "promote", error);
}

bool tail_state::discard_staged(std::string& error) {
  return exec("BEGIN IMMEDIATE; DELETE FROM tail_staged; DELETE FROM tail_output; COMMIT;", "discard", error);
}

bool tail_state::save(const std::vector<file_mark>& marks, std::string& error) {
  return stage(marks, staged_output{}, error) && promote(error);
}

bool tail_state::recover(std::string& error) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT temp_path, path, dev, ino FROM tail_output WHERE id = 1", -1, &st, nullptr) !=
      SQLITE_OK) {
    error = sqlite_error(db_, path_) + " (recover)";
    return false;
  }
  bool staged = sqlite3_step(st) == SQLITE_ROW;
  staged_output output;
  if (staged) {
    auto text = [&](int col) {
      auto* p = sqlite3_column_text(st, col);
      return p ? std::string(reinterpret_cast<const char*>(p)) : std::string();
    };
    output.temp_path = text(0);
    output.path = text(1);
    output.dev = static_cast<std::uint64_t>(sqlite3_column_int64(st, 2));
    output.ino = static_cast<std::uint64_t>(sqlite3_column_int64(st, 3));
  }
  sqlite3_finalize(st);
  if (!staged) return true;
  // Delivered when the destination is the very file that was staged, or
  // when the finished temporary file is gone: the rename is what removes
  // its name, and a consumer may have moved the output away since (found
  // by the 30-runs test, which takes each output as it appears: judged by
  // the destination alone, the lines were read again and counted twice).
  // recover() runs before this run's outputs are opened, so nothing of
  // ours has removed a leftover temporary file yet.
  struct ::stat at_path {}, at_temp {};
  bool in_place = ::stat(output.path.c_str(), &at_path) == 0 &&
                  static_cast<std::uint64_t>(at_path.st_dev) == output.dev &&
                  static_cast<std::uint64_t>(at_path.st_ino) == output.ino;
  bool renamed = ::lstat(output.temp_path.c_str(), &at_temp) != 0 && errno == ENOENT;
  bool delivered = !output.temp_path.empty() && (in_place || renamed);
  if (delivered) return promote(error);
  if (!output.temp_path.empty()) ::unlink(output.temp_path.c_str());
  return discard_staged(error);
}

}  // namespace crawl::storage
