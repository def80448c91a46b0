#pragma once
// What a crawl run counts about itself, and its summary (text and JSON).
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace crawl::app {

// Latency percentiles in bounded memory: log-linear buckets with 16 steps
// per power of two (about 4% resolution), from 1 microsecond to ~1 hour.
class latency_histogram {
 public:
  void add(std::chrono::microseconds value);
  // The q-quantile (0 < q <= 1) as a bucket's upper bound; 0 when empty.
  std::chrono::microseconds quantile(double q) const;
  std::uint64_t count() const { return count_; }

 private:
  static constexpr int sub_buckets = 16;
  static constexpr int powers = 32;
  static std::size_t bucket_of(std::uint64_t us);
  static std::uint64_t upper_bound_of(std::size_t bucket);
  std::array<std::uint64_t, sub_buckets * powers> buckets_{};
  std::uint64_t count_ = 0;
};

struct run_stats {
  std::uint64_t lines_read = 0;  // URL lines taken from the list, bad ones included
  std::uint64_t bad_lines = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;
  std::uint64_t skipped = 0;
  std::uint64_t unfinished = 0;  // not fetched because the run was interrupted
  std::uint64_t bytes = 0;
  std::uint64_t words = 0;
  std::uint64_t distinct_words = 0;
  std::uint64_t retries = 0;
  std::uint64_t unchanged = 0;     // 304 Not Modified: stored counts reused
  std::uint64_t resumed_done = 0;  // done by the interrupted run this one resumed
  bool resumed = false;
  bool deadline_reached = false;
  std::map<std::string, std::uint64_t> failed_by_reason;
  std::map<std::string, std::uint64_t> skipped_by_reason;
  std::map<long, std::uint64_t> status_codes;
  latency_histogram latency;
  std::chrono::steady_clock::duration wall{};
  bool interrupted = false;
  int exit_status = 0;

  std::uint64_t done() const { return ok + failed + skipped; }
};

// The end-of-run report for stderr.
std::string format_summary_text(const run_stats& stats);
// The same as a JSON object.
std::string format_summary_json(const run_stats& stats);

}  // namespace crawl::app
