#include "crawl/storage/frontier.hpp"

#include "sqlite_file.hpp"

#include <algorithm>
#include <functional>

namespace crawl::storage {

namespace {
constexpr int queued_state = 0, taken_state = 1, done_state = 2, skipped_state = 3;

void bind_text(sqlite3_stmt* st, int i, const std::string& s) {
  sqlite3_bind_text(st, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
}

std::string column_text(sqlite3_stmt* st, int col) {
  auto* p = sqlite3_column_text(st, col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(st, col)))
           : std::string();
}
}  // namespace

std::unique_ptr<frontier> frontier::open(const std::string& path, std::string& error) {
  auto f = std::unique_ptr<frontier>(new frontier());
  f->path_ = path;
  f->known_.assign(known_slots, 0);
  f->db_ = open_sqlite(path,
                       "CREATE TABLE IF NOT EXISTS frontier ("
                       " id INTEGER PRIMARY KEY, url TEXT UNIQUE NOT NULL, host TEXT NOT NULL,"
                       " depth INTEGER NOT NULL, referrer TEXT, state INTEGER NOT NULL, via TEXT);"
                       "CREATE INDEX IF NOT EXISTS frontier_queue ON frontier (state, host, id);",
                       error);
  if (!f->db_) return nullptr;
  // A frontier written before links carried how they were found.
  sqlite3_stmt* probe = nullptr;
  bool has_via = sqlite3_prepare_v2(f->db_, "SELECT via FROM frontier LIMIT 0", -1, &probe, nullptr) == SQLITE_OK;
  sqlite3_finalize(probe);
  if (!has_via && !f->exec("ALTER TABLE frontier ADD COLUMN via TEXT;", error)) return nullptr;
  // The page cache is what the frontier holds in memory, whatever its size.
  if (!f->exec("PRAGMA cache_size = -2048;", error)) return nullptr;
  // A URL only skipped so far is taken up when it is found again.
  sqlite3_prepare_v2(f->db_,
                     "INSERT INTO frontier (url, host, depth, referrer, state, via) VALUES (?, ?, ?, ?, ?, ?)"
                     " ON CONFLICT (url) DO UPDATE SET depth = excluded.depth, referrer = excluded.referrer,"
                     " state = excluded.state, via = excluded.via WHERE frontier.state = 3",
                     -1, &f->insert_, nullptr);
  sqlite3_prepare_v2(f->db_,
                     "INSERT OR IGNORE INTO frontier (url, host, depth, referrer, state, via) VALUES (?, ?, ?, ?, ?, ?)", -1,
                     &f->insert_skipped_, nullptr);
  sqlite3_prepare_v2(f->db_, "SELECT host FROM frontier WHERE state = 0 AND host > ? ORDER BY host LIMIT 1", -1,
                     &f->next_host_, nullptr);
  sqlite3_prepare_v2(f->db_,
                     "SELECT url, depth, referrer, via FROM frontier WHERE state = 0 AND host = ? ORDER BY id LIMIT ?", -1,
                     &f->of_host_, nullptr);
  sqlite3_prepare_v2(f->db_, "UPDATE frontier SET state = ? WHERE url = ?", -1, &f->mark_, nullptr);
  // What a killed run had taken and not finished is queued again.
  if (!f->exec("UPDATE frontier SET state = 0 WHERE state = 1;", error)) return nullptr;
  f->queued_ = f->count_queued();
  return f;
}

frontier::~frontier() {
  for (sqlite3_stmt* st : {insert_, insert_skipped_, next_host_, of_host_, mark_}) sqlite3_finalize(st);
  if (db_) sqlite3_close(db_);
}

bool frontier::exec(const char* sql, std::string& error) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK) return true;
  error = sqlite_error(db_, path_);
  return false;
}

int frontier::insert(sqlite3_stmt* st, const frontier_url& u, int state, std::string& error) {
  sqlite3_reset(st);
  bind_text(st, 1, u.url);
  bind_text(st, 2, u.host);
  sqlite3_bind_int64(st, 3, u.depth);
  bind_text(st, 4, u.referrer);
  sqlite3_bind_int(st, 5, state);
  bind_text(st, 6, u.via);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_DONE) return sqlite3_changes(db_);
  error = sqlite_error(db_, path_, rc);
  return -1;
}

std::size_t frontier::add(const std::vector<frontier_url>& urls, std::string& error) {
  if (urls.empty()) return 0;
  if (!exec("BEGIN IMMEDIATE", error)) return 0;
  std::size_t added = 0;
  std::vector<std::pair<std::size_t, std::uint64_t>> seen;  // slots to fill once committed
  for (const auto& u : urls) {
    std::uint64_t fingerprint;
    if (known(u.url, fingerprint)) continue;
    int changed = insert(insert_, u, queued_state, error);
    if (changed < 0) {
      std::string ignored;
      exec("ROLLBACK", ignored);
      return 0;
    }
    added += static_cast<std::size_t>(changed);
    seen.emplace_back(fingerprint & (known_slots - 1), fingerprint);
  }
  if (!exec("COMMIT", error)) return 0;
  for (auto [slot, fingerprint] : seen) known_[slot] = fingerprint;
  queued_ += added;
  return added;
}

std::vector<std::size_t> frontier::skip(const std::vector<frontier_url>& urls, std::string& error) {
  std::vector<std::size_t> fresh;
  if (urls.empty() || !exec("BEGIN IMMEDIATE", error)) return fresh;
  for (std::size_t i = 0; i < urls.size(); ++i) {
    int changed = insert(insert_skipped_, urls[i], skipped_state, error);
    if (changed < 0) {
      std::string ignored;
      exec("ROLLBACK", ignored);
      return {};
    }
    if (changed > 0) fresh.push_back(i);
  }
  if (!exec("COMMIT", error)) return {};
  return fresh;
}

bool frontier::claim(const frontier_url& u, std::string& error) {
  std::uint64_t fingerprint;
  known(u.url, fingerprint);  // a seed is asked of SQLite whatever: its answer says whether it is new
  int changed = insert(insert_, u, taken_state, error);
  if (changed >= 0) known_[fingerprint & (known_slots - 1)] = fingerprint;
  return changed > 0;
}

bool frontier::known(const std::string& url, std::uint64_t& fingerprint) const {
  fingerprint = std::hash<std::string>{}(url) | 1;  // never 0, an empty slot
  return known_[fingerprint & (known_slots - 1)] == fingerprint;
}

std::vector<frontier_url> frontier::take(std::size_t n, std::size_t per_host, std::string& error) {
  std::vector<frontier_url> out;
  if (queued_ == 0 || !exec("BEGIN IMMEDIATE", error)) return out;
  // A round goes over every host with queued URLs; the first may have begun
  // in an earlier call. A whole round that finds nothing ends the take.
  bool whole_round = last_host_.empty(), found_in_round = false;
  while (out.size() < n) {
    sqlite3_reset(next_host_);
    bind_text(next_host_, 1, last_host_);
    if (sqlite3_step(next_host_) != SQLITE_ROW) {
      if (whole_round && !found_in_round) break;
      last_host_.clear();
      whole_round = true;
      found_in_round = false;
      continue;
    }
    std::string host = column_text(next_host_, 0);
    last_host_ = host;
    sqlite3_reset(of_host_);
    bind_text(of_host_, 1, host);
    sqlite3_bind_int64(of_host_, 2, static_cast<sqlite3_int64>(std::min(per_host, n - out.size())));
    std::size_t before = out.size();
    while (sqlite3_step(of_host_) == SQLITE_ROW)
      out.push_back(frontier_url{column_text(of_host_, 0), host, static_cast<std::uint32_t>(sqlite3_column_int64(of_host_, 1)),
                                 column_text(of_host_, 2), column_text(of_host_, 3)});
    for (std::size_t i = before; i < out.size(); ++i) {
      sqlite3_reset(mark_);
      sqlite3_bind_int(mark_, 1, taken_state);
      bind_text(mark_, 2, out[i].url);
      sqlite3_step(mark_);
    }
    found_in_round = found_in_round || out.size() > before;
  }
  if (!exec("COMMIT", error)) return {};
  queued_ -= std::min<std::uint64_t>(queued_, out.size());
  return out;
}

bool frontier::done(const std::string& url, std::string& error) {
  sqlite3_reset(mark_);
  sqlite3_bind_int(mark_, 1, done_state);
  bind_text(mark_, 2, url);
  if (sqlite3_step(mark_) == SQLITE_DONE) return true;
  error = sqlite_error(db_, path_);
  return false;
}

bool frontier::requeue_all(std::string& error) {
  if (!exec("UPDATE frontier SET state = 0 WHERE state != 3;", error)) return false;
  queued_ = count_queued();
  last_host_.clear();
  return true;
}

bool frontier::clear(std::string& error) {
  if (!exec("DELETE FROM frontier;", error)) return false;
  std::fill(known_.begin(), known_.end(), 0);
  queued_ = 0;
  last_host_.clear();
  return true;
}

std::uint64_t frontier::count(const char* sql) const {
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db_, sql, -1, &st, nullptr);
  std::uint64_t n = sqlite3_step(st) == SQLITE_ROW ? static_cast<std::uint64_t>(sqlite3_column_int64(st, 0)) : 0;
  sqlite3_finalize(st);
  return n;
}

std::uint64_t frontier::count_queued() const { return count("SELECT count(*) FROM frontier WHERE state = 0"); }

std::uint64_t frontier::seen() const { return count("SELECT count(*) FROM frontier"); }

}  // namespace crawl::storage
