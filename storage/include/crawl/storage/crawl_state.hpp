#pragma once
// What `crawl --state` remembers between runs, in SQLite (WAL): per URL its
// validators, status, content hash, fetch time and word counts (compressed),
// and which run last finished it, so an interrupted run can be resumed.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace crawl::storage {

struct page_record {
  std::string url;
  std::string etag;
  std::string last_modified;
  long status = 0;                // 0 when the fetch failed before a response
  std::uint64_t content_hash = 0;
  std::int64_t fetched_at = 0;    // unix seconds
  std::uint64_t words = 0;
  std::string counts;             // opaque to storage: compressed word counts
  bool failed = false;
};

// A site's robots.txt as last fetched (or failed), kept for the next runs.
struct robots_row {
  std::string origin;              // "https://host[:port]"
  long status = 0;                 // 0: no answer
  std::string text;                // the file, when it was read
  std::int64_t fetched_at = 0;     // unix seconds
  std::int64_t failing_since = 0;  // unix seconds of the first of the failures in a row; 0: none
  std::string failure;             // what the last failure was
};

struct run_info {
  std::int64_t id = 0;
  bool resumed = false;          // an unfinished run of the same list goes on
  std::uint64_t done_before = 0; // URLs that run had finished
};

// Not thread-safe: one thread uses it.
class crawl_state {
 public:
  static std::unique_ptr<crawl_state> open(const std::string& path, std::string& error);
  ~crawl_state();

  // Resumes the newest unfinished run of `list_key`, or starts a new one.
  run_info begin_run(const std::string& list_key);
  // The record of `url`, and whether the current run already finished it.
  std::optional<page_record> get(const std::string& url, bool& done_in_run);
  // Records a finished URL in the current run, committed at once.
  bool put(const page_record& record, std::string& error);
  // The run is complete: a later run of the same list starts afresh.
  bool finish_run(std::string& error);

  std::optional<robots_row> robots(const std::string& origin);
  bool put_robots(const robots_row& row, std::string& error);

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
  std::int64_t run_id_ = 0;
  sqlite3_stmt* get_ = nullptr;
  sqlite3_stmt* put_ = nullptr;
};

}  // namespace crawl::storage
