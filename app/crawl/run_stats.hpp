#pragma once
// What a crawl run counts about itself, and its summary (text and JSON).
#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "crawl/pipeline/sketch.hpp"

namespace crawl::app {

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
  pipeline::quantile_sketch latency_ms;  // of pages fetched, in milliseconds
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
