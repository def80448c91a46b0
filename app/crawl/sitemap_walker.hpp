#pragma once
// `crawl --follow --sitemaps`: the sitemaps of every seed's site are read
// once, and the pages they list become seeds (depth 0) within scope. A
// site's sitemaps are those its robots.txt names (Sitemap: lines) and
// /sitemap.xml; an index file's entries are read in turn. Each file is
// fetched in its host's turn (the politeness gap holds), after its robots.txt
// allows it, and read as it arrives: locations go to the frontier in
// batches, so memory does not grow with the file. At most max_files
// sitemap files per site. Used on the network thread only.
#include "link_follower.hpp"
#include "run_stats.hpp"

#include "crawl/crawler/fetch.hpp"
#include "crawl/crawler/host_scheduler.hpp"
#include "crawl/crawler/multi_loop_pool.hpp"
#include "crawl/crawler/robots_cache.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/unordered/unordered_flat_set.hpp>

#include <cstdint>
#include <functional>
#include <string>

namespace crawl::app {

class sitemap_walker {
 public:
  static constexpr std::uint64_t max_files = 1000;

  struct context {
    crawler::multi_loop_pool& loops;
    crawler::request_options request;  // the crawl's; a sitemap may be larger than a page
    crawler::retry_policy retry;
    boost::asio::steady_timer& stop;    // expires in the past when the run stops
    crawler::robots_cache* robots;      // null with --robots ignore
    crawler::host_scheduler& scheduler;
    link_follower& follower;
    std::function<void()> found_more;   // URLs were queued
    // The politeness observer of a host's requests (a sitemap counts as a request).
    std::function<crawler::attempt_observer(const std::string& host)> signals;
    // For --results: locations not taken (out of scope, excluded), each
    // reported once; null when nobody wants them.
    std::function<void(std::vector<skipped_link>&)> report_skipped;
  };
  explicit sitemap_walker(context c);

  // Whether the seed's site is new to the walk: then read_site() is due for it.
  bool first_seen(const crawler::normalized_url& seed);
  // Reads the site's sitemaps to the end (or until the run stops). false:
  // the frontier could not be written (`error`).
  boost::asio::awaitable<bool> read_site(crawler::normalized_url seed, std::string& error);

  const sitemap_figures& figures() const { return figures_; }

 private:
  struct file;
  boost::asio::awaitable<bool> read_file(file& f, std::vector<std::string>& nested, std::string& error);
  bool stopped() const;
  boost::asio::awaitable<bool> wait_turn(const std::string& host);

  context c_;
  boost::unordered_flat_set<std::string> sites_;
  sitemap_figures figures_;
};

}  // namespace crawl::app
