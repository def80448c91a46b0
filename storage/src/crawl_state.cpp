#include "crawl/storage/crawl_state.hpp"

#include "sqlite_file.hpp"

#include <ctime>

namespace crawl::storage {
std::unique_ptr<crawl_state> crawl_state::open(const std::string& path, std::string& error) {
  auto state = std::unique_ptr<crawl_state>(new crawl_state());
  state->path_ = path;
  state->db_ = open_sqlite(path,
                           "CREATE TABLE IF NOT EXISTS crawl_runs ("
                           " id INTEGER PRIMARY KEY, list_key TEXT, started INTEGER, finished INTEGER);"
                           "CREATE TABLE IF NOT EXISTS crawl_pages ("
                           " url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, status INTEGER, content_hash INTEGER,"
                           " fetched_at INTEGER, words INTEGER, counts BLOB, failed INTEGER, run_id INTEGER);"
                           "CREATE TABLE IF NOT EXISTS crawl_robots ("
                           " origin TEXT PRIMARY KEY, status INTEGER, body BLOB, fetched_at INTEGER,"
                           " failing_since INTEGER, failure TEXT);",
                           error);
  if (!state->db_) return nullptr;
  sqlite3_prepare_v2(state->db_,
                     "SELECT etag, last_modified, status, content_hash, fetched_at, words, counts, failed, run_id"
                     " FROM crawl_pages WHERE url = ?",
                     -1, &state->get_, nullptr);
  sqlite3_prepare_v2(state->db_,
                     "INSERT OR REPLACE INTO crawl_pages (url, etag, last_modified, status, content_hash,"
                     " fetched_at, words, counts, failed, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     -1, &state->put_, nullptr);
  return state;
}

crawl_state::~crawl_state() {
  sqlite3_finalize(get_);
  sqlite3_finalize(put_);
  if (db_) sqlite3_close(db_);
}

run_info crawl_state::begin_run(const std::string& list_key) {
  run_info info;
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db_, "SELECT id FROM crawl_runs WHERE list_key = ? AND finished IS NULL ORDER BY id DESC LIMIT 1",
                     -1, &st, nullptr);
  sqlite3_bind_text(st, 1, list_key.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(st) == SQLITE_ROW) {
    info.id = sqlite3_column_int64(st, 0);
    info.resumed = true;
  }
  sqlite3_finalize(st);
  if (info.resumed) {
    sqlite3_prepare_v2(db_, "SELECT count(*) FROM crawl_pages WHERE run_id = ?", -1, &st, nullptr);
    sqlite3_bind_int64(st, 1, info.id);
    if (sqlite3_step(st) == SQLITE_ROW) info.done_before = static_cast<std::uint64_t>(sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
  } else {
    sqlite3_prepare_v2(db_, "INSERT INTO crawl_runs (list_key, started) VALUES (?, ?)", -1, &st, nullptr);
    sqlite3_bind_text(st, 1, list_key.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, static_cast<sqlite3_int64>(std::time(nullptr)));
    sqlite3_step(st);
    sqlite3_finalize(st);
    info.id = sqlite3_last_insert_rowid(db_);
  }
  run_id_ = info.id;
  return info;
}

std::optional<page_record> crawl_state::get(const std::string& url, bool& done_in_run) {
  done_in_run = false;
  sqlite3_bind_text(get_, 1, url.c_str(), static_cast<int>(url.size()), SQLITE_TRANSIENT);
  // Reset on the way out: a statement left on its row holds a read
  // transaction open, and a later write on this connection, after the
  // frontier's connection has written, fails at once with "database is
  // locked" (SQLITE_BUSY_SNAPSHOT), whatever the busy timeout.
  struct reset_after {
    sqlite3_stmt* st;
    ~reset_after() { sqlite3_reset(st); }
  } reset{get_};
  if (sqlite3_step(get_) != SQLITE_ROW) return std::nullopt;
  auto text = [&](int col) {
    auto* p = sqlite3_column_text(get_, col);
    return p ? std::string(reinterpret_cast<const char*>(p)) : std::string();
  };
  page_record r;
  r.url = url;
  r.etag = text(0);
  r.last_modified = text(1);
  r.status = static_cast<long>(sqlite3_column_int64(get_, 2));
  r.content_hash = static_cast<std::uint64_t>(sqlite3_column_int64(get_, 3));
  r.fetched_at = sqlite3_column_int64(get_, 4);
  r.words = static_cast<std::uint64_t>(sqlite3_column_int64(get_, 5));
  const void* blob = sqlite3_column_blob(get_, 6);
  r.counts.assign(static_cast<const char*>(blob), static_cast<std::size_t>(sqlite3_column_bytes(get_, 6)));
  r.failed = sqlite3_column_int64(get_, 7) != 0;
  done_in_run = sqlite3_column_int64(get_, 8) == run_id_;
  return r;
}

// Each record is its own transaction: once put() returns, a crash (even
// SIGKILL) cannot make the next run fetch that URL again. In WAL mode with
// synchronous=NORMAL a commit is an append to the log, not an fsync.
bool crawl_state::put(const page_record& r, std::string& error) {
  sqlite3_reset(put_);
  sqlite3_bind_text(put_, 1, r.url.c_str(), static_cast<int>(r.url.size()), SQLITE_TRANSIENT);
  sqlite3_bind_text(put_, 2, r.etag.c_str(), static_cast<int>(r.etag.size()), SQLITE_TRANSIENT);
  sqlite3_bind_text(put_, 3, r.last_modified.c_str(), static_cast<int>(r.last_modified.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(put_, 4, r.status);
  sqlite3_bind_int64(put_, 5, static_cast<sqlite3_int64>(r.content_hash));
  sqlite3_bind_int64(put_, 6, r.fetched_at);
  sqlite3_bind_int64(put_, 7, static_cast<sqlite3_int64>(r.words));
  sqlite3_bind_blob(put_, 8, r.counts.data(), static_cast<int>(r.counts.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(put_, 9, r.failed ? 1 : 0);
  sqlite3_bind_int64(put_, 10, run_id_);
  int rc = sqlite3_step(put_);
  if (rc == SQLITE_DONE) return true;
  error = sqlite_error(db_, path_, rc);
  return false;
}

bool crawl_state::finish_run(std::string& error) {
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db_, "UPDATE crawl_runs SET finished = ? WHERE id = ?", -1, &st, nullptr);
  sqlite3_bind_int64(st, 1, static_cast<sqlite3_int64>(std::time(nullptr)));
  sqlite3_bind_int64(st, 2, run_id_);
  bool ok = sqlite3_step(st) == SQLITE_DONE;
  sqlite3_finalize(st);
  if (!ok) error = sqlite_error(db_, path_);
  return ok;
}

std::optional<robots_row> crawl_state::robots(const std::string& origin) {
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db_, "SELECT status, body, fetched_at, failing_since, failure FROM crawl_robots WHERE origin = ?",
                     -1, &st, nullptr);
  sqlite3_bind_text(st, 1, origin.data(), static_cast<int>(origin.size()), SQLITE_TRANSIENT);
  std::optional<robots_row> row;
  if (sqlite3_step(st) == SQLITE_ROW) {
    row.emplace();
    row->origin = origin;
    row->status = static_cast<long>(sqlite3_column_int64(st, 0));
    if (const void* body = sqlite3_column_blob(st, 1))
      row->text.assign(static_cast<const char*>(body), static_cast<std::size_t>(sqlite3_column_bytes(st, 1)));
    row->fetched_at = sqlite3_column_int64(st, 2);
    row->failing_since = sqlite3_column_int64(st, 3);
    if (const unsigned char* failure = sqlite3_column_text(st, 4)) row->failure = reinterpret_cast<const char*>(failure);
  }
  sqlite3_finalize(st);
  return row;
}

bool crawl_state::put_robots(const robots_row& row, std::string& error) {
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db_,
                     "INSERT OR REPLACE INTO crawl_robots (origin, status, body, fetched_at, failing_since, failure)"
                     " VALUES (?, ?, ?, ?, ?, ?)",
                     -1, &st, nullptr);
  sqlite3_bind_text(st, 1, row.origin.data(), static_cast<int>(row.origin.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 2, row.status);
  sqlite3_bind_blob(st, 3, row.text.data(), static_cast<int>(row.text.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 4, row.fetched_at);
  sqlite3_bind_int64(st, 5, row.failing_since);
  sqlite3_bind_text(st, 6, row.failure.data(), static_cast<int>(row.failure.size()), SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc == SQLITE_DONE) return true;
  error = sqlite_error(db_, path_, rc);
  return false;
}

}  // namespace crawl::storage
