#pragma once
// Validated settings of `crawl tail`, read from the command line.
#include "crawl/config/common_settings.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace crawl::config {

enum class tail_bucket { none, minute, hour, day };

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
  std::vector<std::string> match, exclude, groups;
  tail_bucket per = tail_bucket::none;
  std::string time_pattern;
  std::uint64_t max_line = 1 << 20;
  bool io_uring = true;
};

}  // namespace crawl::config
