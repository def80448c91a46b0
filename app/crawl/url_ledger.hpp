#pragma once
// Where every URL's end is written down: the run's counters, --results,
// the --state record and the --warc archive. The driver decides what runs;
// the ledger only records what came of it. Network thread only.
#include "crawl_outputs.hpp"
#include "link_follower.hpp"
#include "page_workers.hpp"
#include "run_stats.hpp"

#include "crawl/config/crawl_settings.hpp"
#include "crawl/crawler/cookie_store.hpp"
#include "crawl/crawler/fetch.hpp"
#include "crawl/crawler/url_feed.hpp"
#include "crawl/pipeline/word_counts.hpp"
#include "crawl/storage/crawl_state.hpp"
#include "crawl/storage/frontier.hpp"
#include "crawl/storage/warc.hpp"

#include <chrono>

namespace crawl::app {

class outbox;

// What a run writes to besides its counters; null pointers are absent options.
struct run_targets {
  crawl_outputs& outputs;
  storage::crawl_state* state = nullptr;  // --state
  storage::warc_writer* warc = nullptr;   // --warc
  storage::frontier* frontier = nullptr;  // --follow
  crawler::cookie_store* cookies = nullptr;  // --cookies: the jar every transfer shares
  class outbox* links_out = nullptr;          // --outbox: links to other shards' hosts
};

class url_ledger {
 public:
  // `sources` names each input, for the messages about its lines.
  url_ledger(const config::crawl_settings& s, run_targets targets, std::vector<std::string> sources)
      : s_(s), sources_(std::move(sources)), targets_(targets) {}

  // Counts a batch of list lines; bad lines are reported with their number.
  void count_lines(const crawler::url_batch& batch);
  // Writes a counted page's exchange to the archive, then lets go of the raw bytes.
  void archive(const crawler::normalized_url& url, crawler::fetch_result& r);
  // A page the state answers for (unchanged, or done by the run this one
  // resumes): its stored counts join the totals.
  page_outcome reuse(const storage::page_record& stored);
  // Commits the URL's outcome to the state at once. false the first time
  // the state cannot be written (reported): the run should stop.
  bool remember(const crawler::normalized_url& url, const crawler::fetch_result& r, const page_outcome& outcome);
  // Counts the outcome and writes its --results line. Interrupted transfers
  // are unfinished: neither their status code nor a line is recorded.
  void record(const crawler::scheduled_url& url, const crawler::fetch_result& r,
              std::chrono::steady_clock::duration elapsed, const page_outcome& outcome);

  // A link --follow did not follow, reported once: a --results line only
  // (it is not a URL of the run, and no counter changes).
  void record_skipped_link(const skipped_link& link);
  bool wants_results() const { return targets_.outputs.wants_results(); }

  run_stats& stats() { return stats_; }
  pipeline::word_counts& restored() { return restored_; }
  bool state_failed() const { return state_failed_; }
  // The state (or the frontier in it) could not be written: `error` is logged, and the run stops starting transfers.
  void state_write_failed(const std::string& error);

 private:
  const config::crawl_settings& s_;
  std::vector<std::string> sources_;
  run_targets targets_;
  run_stats stats_;
  pipeline::word_counts restored_;  // counts of pages taken from the state
  bool state_failed_ = false;
  bool warc_failed_ = false;
};

}  // namespace crawl::app
