#pragma once
// `crawl --follow`: which links of a page become URLs of the crawl, and
// handing them out from the frontier on disk. A link is followed when the
// page may be followed (no <meta name=robots nofollow>) and the link too (no
// rel=nofollow), unless --ignore-nofollow; when it resolves to an http(s)
// URL within the scope (host: the scheme and host of a seed; domain: the
// registrable domain of a seed's host, either scheme; any), passes
// --include and --exclude, and is no deeper than --depth; and when it has
// not been seen before (the frontier's own check). --max-pages caps the
// URLs started, seeds included. Used on the network thread only.
#include "crawl/config/crawl_settings.hpp"
#include "crawl/crawler/host_scheduler.hpp"
#include "crawl/crawler/shard.hpp"
#include "crawl/pipeline/html_text.hpp"
#include "crawl/pipeline/line_pattern.hpp"
#include "crawl/storage/frontier.hpp"
#include "page_workers.hpp"

#include <boost/unordered/unordered_flat_set.hpp>

#include <map>
#include <string>
#include <vector>

namespace crawl::app {

class outbox;

// A link not followed, for --results: the URL it resolved to, the page
// (or sitemap) it was found on, the depth it would have had, and why.
struct skipped_link {
  std::string url;
  std::string referrer;
  std::uint32_t depth = 0;
  std::string reason;  // scope, not-included, excluded, depth, nofollow
};

// A page's links resolved against its final URL (or its <base href>, itself
// resolved against that): pure, run by the page's worker.
std::shared_ptr<const std::vector<resolved_link>> resolve_page_links(const pipeline::html_links& links,
                                                                     const std::string& page_url);

class link_follower {
 public:
  // With a shard, links to other shards' hosts are not followed here: they
  // go to `out` (--outbox) when there is one.
  link_follower(const config::crawl_settings& s, storage::frontier& frontier, outbox* out = nullptr);

  // A URL from the inputs (depth 0): known from now on, and its scheme and
  // host in scope. false: the frontier knew it already (it is not started).
  bool seed(const crawler::normalized_url& url);
  // A seed of another shard: not fetched here, but its host is in scope, so
  // links to it go to the outbox as they would be followed in one run.
  void scope_seed(const crawler::normalized_url& url);
  // A page ended: its links, resolved against `final_url` (or its <base>),
  // are queued at once (one transaction), before the page is recorded as
  // done, so a crawl killed in between loses none of them. With `skipped`,
  // the links not followed that were never reported before are added to it
  // (this resolves every link, so it is asked only for --results). false:
  // the frontier could not be written (`error`).
  bool page_done(const crawler::scheduled_url& page, const std::string& final_url, const pipeline::html_links& links,
                 const std::vector<resolved_link>* resolved, std::vector<skipped_link>* skipped, std::string& error);
  // Whether a page at `depth` has links to resolve: it may be followed, or they are reported.
  bool wants_links_of(std::uint32_t depth, bool reporting) const { return depth < s_.depth || reporting; }
  // Page locations from a sitemap: those in scope are queued as seeds
  // (depth 0). Returns how many were queued; `error` when the frontier failed.
  std::size_t from_sitemap(const std::string& sitemap_url, const std::vector<std::string>& locs,
                           std::vector<skipped_link>* skipped, std::string& error);
  // Takes up to `n` URLs, a few per host in turn. Empty with `error` set
  // when the frontier failed.
  std::vector<crawler::scheduled_url> next(std::size_t n, std::string& error);
  // Nothing queued and nothing found waiting to be queued.
  bool exhausted() const { return frontier_.queued() == 0; }
  bool at_max_pages() const { return s_.max_pages && started_ >= s_.max_pages; }
  std::uint64_t queued() const { return frontier_.queued(); }

  std::uint64_t links_found() const { return found_; }
  std::uint64_t links_queued() const { return queued_; }
  // Links not followed, by reason: scope, depth, nofollow, excluded, scheme, ...
  const std::map<std::string, std::uint64_t>& not_followed() const { return not_followed_; }

 private:
  bool in_scope(const crawler::normalized_url& url) const;
  // The URLs of one page or sitemap: to follow, or not (and why, kept when reported).
  struct link_batch {
    std::vector<storage::frontier_url> found, passed_over;
    std::vector<std::string> reasons;
  };
  // false with `error`: the outbox failed.
  bool sort_into(link_batch& batch, storage::frontier_url url, std::string why, bool report, std::string& error);
  // Queues the batch's URLs to follow and records the others as skipped.
  std::size_t enqueue(const link_batch& batch, std::vector<skipped_link>* skipped, std::string& error);
  std::string why_not(const crawler::normalized_url& url) const;

  const config::crawl_settings& s_;
  storage::frontier& frontier_;
  std::vector<pipeline::line_pattern> include_, exclude_;
  boost::unordered_flat_set<std::string> seed_origins_;  // "scheme://host[:port]" of every seed
  boost::unordered_flat_set<std::string> seed_domains_;  // --scope domain: their registrable domains
  crawler::shard shard_;
  outbox* outbox_;
  std::uint64_t started_ = 0, found_ = 0, queued_ = 0;
  std::map<std::string, std::uint64_t> not_followed_;
};

}  // namespace crawl::app
