#pragma once
// Validated settings of `crawl URLS`, read from the command line. Only this
// library reads argv; app/ turns the settings into each library's options.
#include "crawl/config/common_settings.hpp"
#include "crawl/config/shard_setting.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace crawl::config {

struct crawl_settings : common_settings {
  std::vector<std::string> inputs;  // URL lists (paths, "-" for standard input) and URLs (http://, https://)
  std::size_t concurrency = 512;
  std::size_t per_host = 8;
  std::chrono::milliseconds delay{0};  // --delay: between two starts on one host
  double rate = 0;                     // --rate: starts per second per host (0: no limit)
  bool back_off = true;                // slow a host down on 429, 503 and timeouts
  bool robots = true;                  // --robots obey (false: ignore)
  // Following links (--follow): from the pages of the inputs, within scope.
  bool follow = false;
  unsigned depth = 5;                    // links from a seed (depth 0) followed at most
  // host: the seeds' schemes and hosts; domain: their registrable domains (Public Suffix List)
  enum class scope { host, domain, any } follow_scope = scope::host;
  bool sitemaps = false;                 // --sitemaps: seeds from each site's sitemaps too
  std::vector<std::string> include, exclude;  // RE2 on the URL
  std::uint64_t max_pages = 0;           // URLs started in all (0: no limit)
  bool ignore_nofollow = false;
  std::chrono::milliseconds max_crawl_delay{30'000};  // a host asking more is skipped
  std::chrono::milliseconds robots_unreachable{24 * 3600 * 1000};  // robots.txt failing this long: the site is given up
  long max_redirects = 10;
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds timeout{30'000};
  std::chrono::seconds low_speed_time{15};
  long low_speed_limit = 1024;
  int retries = 3;
  std::chrono::milliseconds retry_delay{250};
  std::uint64_t max_size = 10 << 20;
  std::string user_agent;
  std::vector<std::string> headers;
  bool insecure = false;
  bool deny_private = false;  // --deny-private
  bool cookies = false;       // --cookies: one in-memory jar for the run
  std::string cookie_jar;     // --cookie-jar FILE: loaded first, saved at the end
  std::vector<std::string> resolve;  // --resolve HOST:PORT:ADDRESS
  std::string cacert;
  std::optional<std::string> proxy;
  std::string results;
  std::string token;
  bool keep_numbers = false;
  bool segment_chars = false;  // --segment char: each Han/Kana character a word (no ICU)
  std::chrono::milliseconds grace{5'000};
  std::string warc;   // .warc.zst archive of every page counted
  std::uint64_t warc_max_size = 1ull << 30;
  std::string state;  // SQLite file for incremental and resumable runs
  bool refresh = false;
  bool wait_lock = false;
  std::optional<std::chrono::milliseconds> deadline;
  shard_setting shard;  // only URLs of this shard's hosts are fetched
  std::string run_id;   // --run-id or the job array's; empty: the run makes one
  std::string outbox;   // --outbox DIR: with --follow, links to other shards' hosts as DIR/to-<shard>.urls
};

// Settings of `crawl count FILE...`: the word rule of `crawl`.
struct count_settings : common_settings {
  std::vector<std::string> files;  // paths, or "-" for standard input
  std::string token;
  bool keep_numbers = false;
  bool segment_chars = false;
  std::uint64_t max_size = 10 << 20;
};

// "90", "90s", "15m", "2h", "1h30m" as a duration; nullopt when malformed.
std::optional<std::chrono::milliseconds> parse_duration(const std::string& text);

// "crawl 0.1.0", for --version.
std::string version_string();
// "crawl/0.1.0": the default User-Agent and the WARC software field.
std::string product_token();

}  // namespace crawl::config
