#pragma once
// Validated settings of `crawl tail`, read from the command line.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace crawl::config {

enum class tail_format { table, json, tsv, csv };
enum class tail_bucket { none, minute, hour, day };

struct tail_settings {
  std::vector<std::string> files;  // paths, globs or "-"
  bool follow = false;
  std::chrono::milliseconds every{10'000};
  std::optional<std::uint64_t> last_lines;  // -n N
  bool per_file = false;
  std::string state;
  bool wait_lock = false;
  bool words = true;
  std::string token;
  bool keep_numbers = false;
  std::size_t top = 20;
  std::vector<std::string> match, exclude, groups;
  tail_bucket per = tail_bucket::none;
  std::string time_pattern;
  std::uint64_t max_line = 1 << 20;
  unsigned threads = 0;  // 0: one per core
  tail_format format = tail_format::table;
  std::string output;
  bool io_uring = true;
  bool quiet = false;
  bool verbose = false;
};

struct tail_parse_outcome {
  std::optional<tail_settings> settings;
  int exit_code = 0;
  std::string message;
};

// Parses `crawl tail [options] FILE...` (argv[0] is "crawl", argv[1] "tail").
tail_parse_outcome parse_tail_args(int argc, const char* const* argv);

}  // namespace crawl::config
