#pragma once
// Validated settings of `crawl URLS`, read from the command line. Only this
// library reads argv; app/ turns the settings into each library's options.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace crawl::config {

struct crawl_settings {
  std::string input;  // a path, or "-" for standard input
  std::size_t concurrency = 512;
  std::size_t per_host = 8;
  unsigned threads = 0;  // 0: one per core
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
  std::string cacert;
  std::optional<std::string> proxy;
  std::size_t top = 20;
  std::string output;
  std::string results;
  std::string summary;
  std::string token;
  bool keep_numbers = false;
  bool quiet = false;
  bool verbose = false;
  bool log_json = false;  // --log-format json
  std::chrono::milliseconds grace{5'000};
  std::string warc;   // .warc.zst archive of every page counted
  std::uint64_t warc_max_size = 1ull << 30;
  std::string state;  // SQLite file for incremental and resumable runs
  bool refresh = false;
  bool wait_lock = false;
  std::optional<std::chrono::milliseconds> deadline;
};

// Settings of `crawl count FILE...`: the outputs and word rule of `crawl`.
struct count_settings {
  std::vector<std::string> files;
  std::size_t top = 20;
  std::string output;
  std::string token;
  bool keep_numbers = false;
  std::uint64_t max_size = 10 << 20;
  std::string summary;  // JSON summary, as crawl's --summary
  bool quiet = false;
};

struct count_parse_outcome {
  std::optional<count_settings> settings;
  int exit_code = 0;
  std::string message;
};

// Parses `crawl count [options] FILE...` (argv[1] is "count").
count_parse_outcome parse_count_args(int argc, const char* const* argv);

// "90", "90s", "15m", "2h", "1h30m" as a duration; nullopt when malformed.
std::optional<std::chrono::milliseconds> parse_duration(const std::string& text);

struct parse_outcome {
  std::optional<crawl_settings> settings;  // empty: exit with exit_code after printing message
  int exit_code = 0;
  std::string message;  // for stdout when exit_code is 0 (help, version), else for stderr
};

// Parses `crawl [options] URLS` (options also from --config FILE and
// CRAWL_<NAME> variables: the command line wins over the environment, which
// wins over the file). Errors name the option, or the file, line and key,
// and give exit code 2. With `describe`, appends each effective value and
// its source, for `crawl config --print`.
parse_outcome parse_crawl_args(int argc, const char* const* argv, std::string* describe = nullptr);

// "crawl 0.1.0", for --version.
std::string version_string();
// "crawl/0.1.0": the default User-Agent and the WARC software field.
std::string product_token();

}  // namespace crawl::config
