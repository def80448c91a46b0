#pragma once
// The URLs a crawl has discovered, on disk (SQLite), so that memory does not
// grow with their number: one row per URL ever seen (the primary key is the
// duplicate check), each queued, taken, done or skipped, with its host,
// depth, referrer and how it was found. URLs are taken host by host in turn, a few from each, so one
// host with a million queued URLs does not crowd out the others.
//
// STYLE.md names crawler/ as the frontier's home; its queues live in
// SQLite, which only storage/ includes, so the store is here and the crawl's
// use of it (scope, depth, what is followed) is in app/.
//
// Not thread-safe: one thread uses it.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace crawl::storage {

struct frontier_url {
  std::string url;       // normalized
  std::string host;
  std::uint32_t depth = 0;
  std::string referrer;  // the page (or sitemap) it was found on; empty for a seed
  std::string via;       // "link" or "sitemap"; empty for a seed
};

class frontier {
 public:
  // A frontier in the SQLite file at `path` (the --state file, or a file of
  // its own). URLs a killed run had taken but not finished are queued again.
  static std::unique_ptr<frontier> open(const std::string& path, std::string& error);
  ~frontier();

  // Queues the URLs not seen before (or only skipped before: a link that was
  // not followed from one page may be followed from another), in one
  // transaction; returns how many were queued.
  std::size_t add(const std::vector<frontier_url>& urls, std::string& error);
  // Records links that were not followed, so that each is reported once:
  // returns those not seen before, in order. A later add() may still queue them.
  std::vector<std::size_t> skip(const std::vector<frontier_url>& urls, std::string& error);
  // Records URLs taken from elsewhere (seeds, lists) as taken, so a link to
  // them is not queued again. Returns false when one of them was seen before.
  bool claim(const frontier_url& url, std::string& error);
  // Takes up to `n` queued URLs: `per_host` of each host in turn, round
  // after round (the next call goes on where this one stopped).
  std::vector<frontier_url> take(std::size_t n, std::size_t per_host, std::string& error);
  // A taken URL has ended (fetched, failed or skipped).
  bool done(const std::string& url, std::string& error);
  // Queues every URL again, done ones too (not skipped ones): a resumed crawl
  // goes through them all, the done ones answered from the state without a request.
  bool requeue_all(std::string& error);
  // Forgets everything: a new crawl (not a resumed one) starts from its seeds.
  bool clear(std::string& error);

  std::uint64_t queued() const { return queued_; }
  std::uint64_t seen() const;

 private:
  bool exec(const char* sql, std::string& error);
  // Inserts `u` in `state` unless known: 1 when new, 0 when known, -1 on failure.
  int insert(sqlite3_stmt* st, const frontier_url& u, int state, std::string& error);
  std::uint64_t count_queued() const;
  std::uint64_t count(const char* sql) const;  // the one number a SELECT count(*) gives
  sqlite3* db_ = nullptr;
  std::string path_;
  sqlite3_stmt* insert_ = nullptr;
  sqlite3_stmt* insert_skipped_ = nullptr;
  sqlite3_stmt* next_host_ = nullptr;
  sqlite3_stmt* of_host_ = nullptr;
  sqlite3_stmt* mark_ = nullptr;
  std::uint64_t queued_ = 0;
  std::string last_host_;  // where the last take() stopped, for the round
  // URLs known to be queued, taken or done, by 64-bit fingerprint in a
  // direct-mapped table of fixed size: most links a crawl meets are known
  // (on one site nearly all), and this answers for them without a SQLite
  // lookup. A slot holds the last URL that landed in it; a miss only means
  // asking SQLite. Two URLs sharing a slot and all 64 bits would lose the
  // second one: about one chance in 2^64 per link.
  static constexpr std::size_t known_slots = 1 << 17;  // 1 MiB
  std::vector<std::uint64_t> known_;
  bool known(const std::string& url, std::uint64_t& fingerprint) const;
};

}  // namespace crawl::storage
