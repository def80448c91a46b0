#pragma once
// Each origin's robots.txt, fetched once before the first request to it and
// shared by every URL of it; the URLs that arrive meanwhile wait for that
// one fetch. What a status means (RFC 9309, section 2.3.1):
// - 2xx: the file's rules (its first 500 KiB); redirects followed up to 5;
// - 4xx (401 and 403 too): no rules, everything allowed;
// - 5xx, 429, a timeout or no connection (after the usual retries):
//   nothing allowed for now, and the file is asked for again a minute later.
//   (Several popular crawlers allow everything on a 5xx: a server too busy
//   to serve its robots.txt is told nothing.)
// Policies are kept for a day, for at most `max_origins` origins (the
// least recently used go first). A site whose robots.txt has failed for
// `unreachable` in a row (across runs, with a memory) is given up: its URLs
// are skipped. With a memory (the --state file), answers and failures are
// kept between runs: a later run within the day asks no robots.txt again.
// Used on the loop's thread only.
#include "crawl/crawler/fetch.hpp"
#include "crawl/crawler/multi_loop_pool.hpp"
#include "crawl/crawler/robots.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace crawl::crawler {

struct robots_verdict {
  bool allowed = true;
  std::string reason;  // when not allowed: "robots" or "robots-unavailable"
  std::string detail;  // for the log and --results
  std::optional<std::chrono::milliseconds> crawl_delay;
  // This call fetched the file, or waited while another did: the request
  // the scheduler granted has gone by, and the page needs a new turn.
  bool waited = false;
};

// The path and query of a URL, "/" when it has none.
std::string path_of(const std::string& url);

// What a robots.txt fetch found, kept between runs.
struct robots_record {
  long status = 0;                 // 0: no answer
  std::string text;                // the file (its first 500 KiB), when a 2xx
  std::int64_t fetched_at = 0;     // unix seconds
  std::int64_t failing_since = 0;  // unix seconds of the first failure in a row; 0: it answered
  std::string failure;             // the last failure
};

// Where the cache keeps its records between runs.
class robots_memory {
 public:
  virtual ~robots_memory() = default;
  virtual std::optional<robots_record> recall(const std::string& origin) = 0;
  virtual void remember(const std::string& origin, const robots_record& record) = 0;
};

class robots_cache {
 public:
  using clock = std::chrono::steady_clock;
  struct options {
    std::string product = "crawl";       // whose group applies
    std::chrono::seconds keep{24 * 3600};  // how long a policy is kept
    std::chrono::seconds retry_unavailable{60};
    std::size_t max_origins = 10'000;
    std::chrono::seconds unreachable{24 * 3600};  // failing this long in a row: the site is given up
    robots_memory* memory = nullptr;              // null: nothing kept between runs
    // The politeness observer of a host's requests: a robots.txt request
    // counts as a request to its host.
    std::function<attempt_observer(const std::string& host)> signals;
  };

  robots_cache(multi_loop_pool& loops, request_options request, retry_policy retry,
               boost::asio::steady_timer& shutdown, options o);

  // What the origin's robots.txt says of `url`, fetching it first if needed.
  boost::asio::awaitable<robots_verdict> check(const normalized_url& url);
  // The Sitemap: lines of the origin's robots.txt (none when it has none or
  // could not be read), fetching it first if needed.
  boost::asio::awaitable<std::vector<std::string>> sitemaps(const normalized_url& url);

 private:
  struct entry {
    std::optional<robots_policy> policy;  // none while fetching
    bool unavailable = false;
    std::string unavailable_why;
    std::string unavailable_reason;  // "robots-unavailable", "robots-unreachable" (given up), or the network's reason
    std::int64_t failing_since = 0;  // unix seconds
    clock::time_point expires{};
    std::shared_ptr<boost::asio::steady_timer> ready;  // cancelled when the fetch ends
    std::list<std::string>::iterator lru;
  };
  // The origin's entry once its policy is known (null when it was evicted
  // meanwhile); `waited`: this call fetched the file or waited for it.
  boost::asio::awaitable<const entry*> settled(const normalized_url& url, bool& waited);
  boost::asio::awaitable<void> fetch_into(const std::string& origin, const std::string& host);
  void touch(entry& e);
  // Sets the entry from an answer (2xx or 4xx) fetched `age` ago.
  void take_answer(entry& e, const robots_record& record, std::chrono::seconds age);
  void evict();
  robots_verdict verdict(const entry& e, const std::string& url) const;

  multi_loop_pool& loops_;
  request_options request_;
  retry_policy retry_;
  boost::asio::steady_timer& shutdown_;
  options options_;
  std::unordered_map<std::string, entry> entries_;
  std::list<std::string> lru_;  // front: least recently used
};

}  // namespace crawl::crawler
