#pragma once
// Validated settings of `crawl tail`, read from the command line.
#include "crawl/config/common_settings.hpp"
#include "crawl/config/shard_setting.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace crawl::config {

enum class tail_bucket { none, minute, hour, day };
enum class tail_input { auto_detect, plain, access, syslog, json, logfmt };
enum class where_op { equal, not_equal, less, less_equal, greater, greater_equal, matches };
enum class aggregate { count, sum, avg, min, max, quantile, distinct };

// --where 'FIELD OP VALUE'.
struct where_clause {
  std::string field;
  where_op op = where_op::equal;
  std::string value;
};
struct aggregate_option {
  aggregate kind = aggregate::count;
  std::string field;
  double q = 0;
};

// Reads 'FIELD OP VALUE' (OP one of = != < <= > >= =~, spaces around it
// optional); empty `error` when it is one.
where_clause parse_where(const std::string& text, std::string& error);
// "UTC", "Z", "+02:00", "-0530", "+02": seconds east of UTC, or nothing.
std::optional<std::int32_t> parse_utc_offset(const std::string& text);

struct tail_settings : common_settings {
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
  bool segment_chars = false;  // --segment char
  std::vector<std::string> match, exclude, groups;
  tail_bucket per = tail_bucket::none;
  std::string time_pattern;
  tail_input input = tail_input::auto_detect;
  std::vector<std::string> parse;  // --parse RE
  std::vector<std::string> by;
  std::vector<where_clause> where;
  std::vector<aggregate_option> aggregates;  // in the order: count, sum, avg, min, max, quantiles, distinct
  std::string sort;
  std::int32_t tz_offset = 0;
  std::size_t max_groups = 100'000;
  std::string summary_state;  // --summary-state FILE: the mergeable partial results

  // Whether lines are grouped or aggregated (then words are not counted).
  bool aggregates_lines() const { return !by.empty() || !groups.empty() || per != tail_bucket::none || !aggregates.empty(); }
  std::uint64_t max_line = 1 << 20;
  bool io_uring = true;
  shard_setting shard;  // only the files whose paths are this shard's are read
  std::string run_id;
};

}  // namespace crawl::config
