#pragma once
// The files and streams a crawl writes: --results lines as URLs end, and at
// the end the counts (-o), the table on stdout, the summary on stderr and
// --summary. Every file is written beside its destination and renamed into
// place on commit; JSON comes from one writer (nlohmann), with invalid UTF-8
// replaced by U+FFFD.
#include "command_outputs.hpp"
#include "run_stats.hpp"

#include "crawl/config/crawl_settings.hpp"
#include "crawl/crawler/fetch.hpp"
#include "crawl/crawler/host_scheduler.hpp"
#include "crawl/pipeline/word_counts.hpp"
#include "crawl/storage/atomic_file.hpp"

#include <chrono>

namespace crawl::app {

class crawl_outputs {
 public:
  explicit crawl_outputs(const config::crawl_settings& s) : s_(s), outputs_(s) {}

  // Opens every output the settings name. false: an error naming the file was logged.
  bool open();
  // One --results line; `note` replaces the error (a page skipped as binary).
  void write_result(const crawler::scheduled_url& url, const crawler::fetch_result& r, std::uint64_t words,
                    std::chrono::steady_clock::duration elapsed, const char* note);
  bool wants_results() const { return results_.is_open(); }
  // Writes and commits the counts and results, prints the table, and
  // returns false when any of them failed (logged).
  bool write_counts(const pipeline::word_counts& totals);
  // The summary on stderr (unless quiet) and in --summary. false when the file failed.
  bool write_summary(const run_stats& stats);

  // For a run that cannot start: only --summary, carrying its exit status.
  static void write_failed_start(const config::crawl_settings& s, const std::string& run_id, int status);

 private:
  const config::crawl_settings& s_;
  storage::atomic_file results_;
  command_outputs outputs_;  // -o, stdout, --summary
};

}  // namespace crawl::app
