#pragma once
// One run of `crawl URLS` on the driver's thread: the driver (read the list,
// start what the host scheduler allows) and one coroutine per URL, from fetch
// to counted words. It ends when every URL taken from the list has ended;
// the shutdown awaitable, run beside it, can stop it early.
#include "loop_event.hpp"
#include "page_sink.hpp"
#include "page_workers.hpp"
#include "run_stats.hpp"
#include "shutdown.hpp"
#include "url_ledger.hpp"

#include "crawl/config/crawl_settings.hpp"
#include "crawl/crawler/fetch.hpp"
#include "crawl/crawler/host_scheduler.hpp"
#include "crawl/crawler/robots_cache.hpp"
#include "link_follower.hpp"
#include "sitemap_walker.hpp"
#include "crawl/crawler/multi_loop_pool.hpp"
#include "crawl/crawler/url_feed.hpp"

#include <boost/asio/io_context.hpp>

#include <exception>

namespace crawl::app {

// What crawl reads URLs from, in order, and how to name each in messages.
struct crawl_inputs {
  std::vector<crawler::url_source> sources;
  std::vector<std::string> names;  // a list's path ("-": standard input), or the URL itself
  std::uint64_t list_bytes = 0;    // of the lists that are regular files (0: unknown), for the progress line
};

// --state keeps each site's robots.txt (or its failures) between runs.
class state_robots_memory final : public crawler::robots_memory {
 public:
  explicit state_robots_memory(storage::crawl_state& state) : state_(state) {}
  std::optional<crawler::robots_record> recall(const std::string& origin) override;
  void remember(const std::string& origin, const crawler::robots_record& record) override;

 private:
  storage::crawl_state& state_;
  bool failed_ = false;  // said once
};

class crawl_run final : public stoppable {
 public:
  // `inputs`: the URL lists (their descriptors owned; 0 is standard input,
  // left open) and URLs given as such.
  crawl_run(const config::crawl_settings& s, std::size_t concurrency, unsigned threads, crawl_inputs inputs,
            boost::asio::io_context& net, run_targets targets);

  // The whole run. Completes when every URL taken from the list has ended,
  // normally or cut short by the shutdown.
  boost::asio::awaitable<void> run();
  // After run() and once the io_context has stopped: joins the workers and
  // returns the counters; totals() then holds every word counted.
  run_stats finish();
  pipeline::word_counts& totals() { return totals_; }
  // An exception escaped a coroutine or a worker (a bug): the run was
  // stopped, and the caller reports it.
  std::exception_ptr internal_error() const { return internal_error_; }
  // Writing to --state failed (logged): the run was stopped.
  bool state_failed() const { return ledger_.state_failed(); }

  void stop_starting(stop_cause cause) override;
  void abort_in_flight() override;
  std::size_t transfers_in_flight() const override { return fetching_; }

 private:
  boost::asio::awaitable<void> read_list();
  boost::asio::awaitable<void> drive();
  boost::asio::awaitable<void> wait_for_event();
  crawler::attempt_observer politeness_signals(const std::string& host);
  crawler::attempt_observer politeness_signals(const std::string& host, const crawler::multi_loop_pool::lane_ref& lane);
  crawler::multi_loop_pool::lane_ref lane_for(const std::string& host);
  boost::asio::awaitable<void> fetch_one(crawler::scheduled_url url);
  struct transferred {
    crawler::fetch_result result;
    std::chrono::steady_clock::duration elapsed{};
    bool counting = false;  // the page went to a worker, whose report ends the URL
  };
  boost::asio::awaitable<transferred> transfer(crawler::multi_loop_pool::lane_ref lane, const crawler::scheduled_url& url,
                                               std::shared_ptr<page_sink> sink, const crawler::validators* known,
                                               const crawler::attempt_observer& observe,
                                               std::chrono::steady_clock::time_point t0);
  void hand_over(const crawler::scheduled_url& url, page_sink& sink, transferred& t);
  // With --state: what the last run stored of a URL, and the validators of a conditional request.
  struct earlier_fetch {
    storage::page_record stored;
    crawler::validators known;
  };
  bool finished_before(const crawler::scheduled_url& url, std::unique_ptr<const earlier_fetch>& earlier);
  std::shared_ptr<page_sink> make_sink(const crawler::scheduled_url& url, const crawler::multi_loop_pool::lane_ref& lane);
  void end_transfer(const crawler::scheduled_url& url, transferred& t, const earlier_fetch* earlier);
  boost::asio::awaitable<void> show_progress();
  void start(crawler::scheduled_url url);
  void take(crawler::url_batch& batch);
  void stop_reading();
  bool finished() const;
  void fail_internally(std::exception_ptr e);
  void finish_from_state(const crawler::scheduled_url& url, const storage::page_record& stored);
  // robots.txt and Crawl-delay: false when the URL was skipped (and finished) for them.
  boost::asio::awaitable<bool> obey_robots(const crawler::scheduled_url& url);
  void finish_unfetched(const crawler::scheduled_url& url, crawler::fetch_status status, const std::string& reason,
                        const std::string& detail);
  void finish_url(const crawler::scheduled_url& url, const crawler::fetch_result& r,
                  std::chrono::steady_clock::duration elapsed, const page_outcome& outcome, bool store);
  // With --follow, once the inputs are read: URLs from the frontier while
  // the scheduler has room, until nothing is queued and nothing in flight
  // can find more.
  boost::asio::awaitable<void> read_frontier();
  // With --sitemaps: reads the sitemaps of a seed's site (the first seed of each site).
  void read_sitemaps(const crawler::normalized_url& seed);
  // Links --follow did not follow: their --results lines.
  void report_skipped(std::vector<skipped_link>& links);

  const config::crawl_settings& s_;
  storage::crawl_state* state_;  // --state, or null
  url_ledger ledger_;
  boost::asio::io_context& net_;
  crawler::multi_loop_pool loops_;
  worker_pool workers_;
  crawler::url_feed feed_;
  crawler::host_scheduler scheduler_;
  crawler::request_options request_;
  crawler::retry_policy retry_;
  std::shared_ptr<const pipeline::token_rules> rules_;
  loop_event wake_;  // the driver looks again: a URL ended or lines arrived
  boost::asio::steady_timer due_;  // or a host's politeness gap is over
  loop_event room_;  // the scheduler may take more lines
  // Expires (is set to the past) when the run stops: waits between retries
  // end, and no further attempt starts.
  boost::asio::steady_timer retry_stop_;
  std::optional<state_robots_memory> robots_memory_;  // --robots obey with --state
  std::optional<crawler::robots_cache> robots_;       // --robots obey
  std::optional<link_follower> follow_;          // --follow
  std::optional<sitemap_walker> sitemaps_;       // --sitemaps
  std::size_t reading_sitemaps_ = 0;             // sites whose sitemaps are being read
  bool progress_;
  std::uint64_t list_size_ = 0;    // of a regular file, for the progress line's percent
  std::uint64_t list_offset_ = 0;  // bytes of the list read so far
  static constexpr std::size_t spread_hosts = 16;
  bool spread_ = false;  // hosts go to their own lanes (lane_for)
  bool input_done_ = false;
  bool stopping_ = false;
  std::size_t fetching_ = 0;         // fetch_one coroutines running
  std::size_t pending_commits_ = 0;  // pages fetched whose words are still being counted
  std::exception_ptr internal_error_;
  std::chrono::steady_clock::time_point started_;
  pipeline::word_counts totals_;
};

}  // namespace crawl::app
