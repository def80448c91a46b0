#pragma once
// What a crawl run counts about itself, and its summary (text and JSON).
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string_view>
#include <string>
#include <utility>
#include <vector>

#include "crawl/pipeline/run_parts.hpp"
#include "crawl/pipeline/sketch.hpp"

namespace crawl::app {

// --sitemaps: what the sitemaps of the seeds' sites gave.
struct sitemap_figures {
  std::uint64_t files = 0;   // sitemap files read (indexes included)
  std::uint64_t failed = 0;  // could not be fetched or read
  std::uint64_t urls = 0;    // page locations found
  std::uint64_t queued = 0;  // of them, new and in scope
};

struct run_stats {
  std::uint64_t lines_read = 0;  // URL lines taken from the list, bad ones included
  std::uint64_t bad_lines = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t other_shard = 0;  // lines whose hosts are another shard's (--shard): left to it
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
  // --follow: links read on pages, queued as URLs (new ones), and not
  // followed by reason (scope, depth, nofollow, excluded, not-http, ...);
  // pages whose words were not counted (noindex).
  bool following = false;
  std::uint64_t links_found = 0, links_queued = 0, noindex_pages = 0;
  std::map<std::string, std::uint64_t> links_not_followed;
  // --sitemaps: files read, and the page locations they gave.
  bool reading_sitemaps = false;
  sitemap_figures sitemaps;
  // Per host, for the busiest in the summary: kept for the first
  // max_tracked_hosts hosts seen (memory stays bounded with any host count).
  struct host_figures {
    std::uint64_t pages = 0, errors = 0;
    double latency_ms_sum = 0;
    std::uint64_t timed = 0;
    double gap_s = 0;  // the politeness gap when the summary was made
  };
  static constexpr std::size_t max_tracked_hosts = 10'000;
  std::map<std::string, host_figures> hosts;
  std::uint64_t back_offs = 0;  // times a host was slowed down (429, 503, timeouts)
  pipeline::quantile_sketch latency_ms;  // of pages fetched, in milliseconds
  std::chrono::steady_clock::duration wall{};
  bool interrupted = false;
  int exit_status = 0;
  // Which parts of which runs this covers (one for a run; a merged summary
  // covers its inputs'): crawl merge tells shards and runs apart by them.
  std::vector<pipeline::run_part> parts;
  // false in a summary merged without the word counts: the distinct words
  // of several runs are not the sum of theirs (written as null).
  bool distinct_words_known = true;

  std::uint64_t done() const { return ok + failed + skipped; }
};

// The `n` hosts with the most pages and errors, most first.
std::vector<std::pair<std::string, run_stats::host_figures>> busiest_hosts(const run_stats& stats, std::size_t n);

// The end-of-run report for stderr.
std::string format_summary_text(const run_stats& stats);
// The same as a JSON object.
std::string format_summary_json(const run_stats& stats);
// Back from that JSON (crawl merge); nothing, with `error`, when it is not
// one (a member missing or of the wrong type is named).
std::optional<run_stats> parse_summary_json(std::string_view text, std::string& error);
// Adds `other`'s counters to `into`: counts and maps summed, latency
// sketches merged, the longest wall time, the worst exit status, the parts
// of both. The per-host figures keep the busiest of each.
void merge_stats(run_stats& into, const run_stats& other);

// What the progress line shows.
struct progress_numbers {
  std::uint64_t done = 0;        // URLs ended
  std::uint64_t lines_read = 0;  // lines of the list read so far
  std::uint64_t list_offset = 0, list_size = 0;  // bytes; list_size 0: unknown (a pipe)
  double seconds = 0;
  std::uint64_t bytes = 0;  // body bytes received
  std::size_t in_flight = 0;
  std::uint64_t errors = 0;
  std::uint64_t waiting = 0;  // URLs the scheduler holds for their hosts (a cap or a gap)
  std::uint64_t hosts = 0;    // hosts the scheduler holds URLs or recent starts for
  std::uint64_t queued = 0;   // --follow: URLs in the frontier
};
// "crawl: 487 done of 1792 lines read (27% of the list, ETA 12s), 250 pages/s, 3.1 MB/s, 300 in flight, 2 errors",
// then ", 40 waiting on 12 hosts" and ", 9000 queued" when there are any.
// The percent and ETA need the list's size: the lines it holds are
// estimated from the lines read so far and the bytes they took.
std::string format_progress(const progress_numbers& n);

}  // namespace crawl::app
