#include "link_follower.hpp"

#include "diagnostics.hpp"

#include "crawl/crawler/robots_cache.hpp"
#include "crawl/crawler/url.hpp"

#include <algorithm>

namespace crawl::app {

link_follower::link_follower(const config::crawl_settings& s, storage::frontier& frontier)
    : s_(s), frontier_(frontier) {
  for (const auto& p : s.include) include_.emplace_back(p);
  for (const auto& p : s.exclude) exclude_.emplace_back(p);
}

bool link_follower::seed(const crawler::normalized_url& url) {
  seed_origins_.insert(crawler::origin_of(url.url));
  std::string error;
  bool fresh = frontier_.claim(storage::frontier_url{url.url, url.host, 0, {}}, error);
  if (!error.empty()) log_line("error", error);
  if (fresh) ++started_;
  return fresh;
}

bool link_follower::in_scope(const std::string& url) const {
  return s_.follow_scope == config::crawl_settings::scope::any || seed_origins_.contains(crawler::origin_of(url));
}

// Empty when the URL is followed; else why not.
std::string link_follower::why_not(const crawler::normalized_url& url) const {
  if (!in_scope(url.url)) return "scope";
  auto found = [&](const pipeline::line_pattern& p) { return p.found_in(url.url); };
  if (!include_.empty() && std::none_of(include_.begin(), include_.end(), found)) return "not-included";
  if (std::any_of(exclude_.begin(), exclude_.end(), found)) return "excluded";
  return {};
}

bool link_follower::page_done(const crawler::scheduled_url& page, const std::string& final_url,
                              const pipeline::html_links& links, std::string& error) {
  found_ += links.links.size() + links.dropped;
  if (links.dropped) not_followed_["too-many"] += links.dropped;
  if (links.links.empty()) return true;
  if (links.page_nofollow && !s_.ignore_nofollow) {
    not_followed_["nofollow"] += links.links.size();
    return true;
  }
  if (page.depth >= s_.depth) {
    not_followed_["depth"] += links.links.size();
    return true;
  }
  std::vector<storage::frontier_url> found;
  // Links resolve against <base href>, itself resolved against the page's final URL.
  std::string base = final_url.empty() ? page.url.url : final_url;
  if (!links.base.empty())
    if (auto resolved = crawler::resolve_link(base, links.base); resolved.url) base = resolved.url->url;
  for (const auto& link : links.links) {
    if (link.nofollow && !s_.ignore_nofollow) {
      ++not_followed_["nofollow"];
      continue;
    }
    auto resolved = crawler::resolve_link(base, link.url);
    if (!resolved.url) {
      ++not_followed_["not-http"];
      continue;
    }
    if (std::string why = why_not(*resolved.url); !why.empty()) {
      ++not_followed_[why];
      continue;
    }
    found.push_back(storage::frontier_url{std::move(resolved.url->url), std::move(resolved.url->host), page.depth + 1,
                                          page.url.url});
  }
  queued_ += frontier_.add(found, error);
  return error.empty();
}

std::vector<crawler::scheduled_url> link_follower::next(std::size_t n, std::string& error) {
  if (s_.max_pages) n = static_cast<std::size_t>(std::min<std::uint64_t>(n, s_.max_pages - std::min(s_.max_pages, started_)));
  std::vector<crawler::scheduled_url> out;
  if (n == 0) return out;
  for (auto& u : frontier_.take(n, std::max<std::size_t>(s_.per_host, 1), error)) {
    crawler::scheduled_url url;
    url.url = crawler::normalized_url{std::move(u.url), std::move(u.host)};
    url.depth = u.depth;
    url.referrer = std::move(u.referrer);
    out.push_back(std::move(url));
  }
  started_ += out.size();
  return out;
}

}  // namespace crawl::app
