#include "link_follower.hpp"

#include "diagnostics.hpp"
#include "outbox.hpp"

#include "crawl/crawler/url.hpp"

#include <algorithm>

namespace crawl::app {

link_follower::link_follower(const config::crawl_settings& s, storage::frontier& frontier, outbox* out)
    : s_(s), frontier_(frontier), outbox_(out) {
  if (s.shard.set()) shard_ = crawler::shard{s.shard.index, s.shard.count};
  for (const auto& p : s.include) include_.emplace_back(p);
  for (const auto& p : s.exclude) exclude_.emplace_back(p);
}

bool link_follower::seed(const crawler::normalized_url& url) {
  scope_seed(url);
  std::string error;
  bool fresh = frontier_.claim(storage::frontier_url{url.url, url.host, 0, {}, {}}, error);
  if (!error.empty()) log_line("error", error);
  if (fresh) ++started_;
  return fresh;
}

void link_follower::scope_seed(const crawler::normalized_url& url) {
  seed_origins_.insert(crawler::origin_of(url.url));
  if (s_.follow_scope == config::crawl_settings::scope::domain) seed_domains_.insert(crawler::registrable_domain(url.host));
}

bool link_follower::in_scope(const crawler::normalized_url& url) const {
  switch (s_.follow_scope) {
    case config::crawl_settings::scope::any: return true;
    case config::crawl_settings::scope::domain: return seed_domains_.contains(crawler::registrable_domain(url.host));
    case config::crawl_settings::scope::host: break;
  }
  return seed_origins_.contains(crawler::origin_of(url.url));
}

// Empty when the URL is followed; else why not.
std::string link_follower::why_not(const crawler::normalized_url& url) const {
  if (!in_scope(url)) return "scope";
  auto found = [&](const pipeline::line_pattern& p) { return p.found_in(url.url); };
  if (!include_.empty() && std::none_of(include_.begin(), include_.end(), found)) return "not-included";
  if (std::any_of(exclude_.begin(), exclude_.end(), found)) return "excluded";
  return {};
}

std::shared_ptr<const std::vector<resolved_link>> resolve_page_links(const pipeline::html_links& links,
                                                                     const std::string& page_url) {
  std::string base = page_url;
  if (!links.base.empty())
    if (auto resolved = crawler::resolve_link(base, links.base); resolved.url) base = resolved.url->url;
  crawler::link_resolver resolver(base);
  auto out = std::make_shared<std::vector<resolved_link>>();
  out->reserve(links.links.size());
  for (const auto& link : links.links) out->push_back(resolved_link{resolver.resolve(link.url).url, link.nofollow});
  return out;
}

bool link_follower::page_done(const crawler::scheduled_url& page, const std::string& final_url,
                              const pipeline::html_links& links, const std::vector<resolved_link>* resolved,
                              std::vector<skipped_link>* skipped, std::string& error) {
  // Resolved by the worker, the links are no longer kept as written.
  std::size_t count = resolved ? resolved->size() : links.links.size();
  found_ += count + links.dropped;
  if (links.dropped) not_followed_["too-many"] += links.dropped;
  if (count == 0) return true;
  bool page_nofollow = links.page_nofollow && !s_.ignore_nofollow;
  bool too_deep = page.depth >= s_.depth;
  if ((page_nofollow || too_deep) && !skipped) {  // none followed, and none to report: no need to resolve them
    not_followed_[page_nofollow ? "nofollow" : "depth"] += count;
    return true;
  }
  std::shared_ptr<const std::vector<resolved_link>> here;
  if (!resolved) {  // not resolved by the worker
    here = resolve_page_links(links, final_url.empty() ? page.url.url : final_url);
    resolved = here.get();
  }
  link_batch batch;
  for (const auto& link : *resolved) {
    std::string why = page_nofollow || (link.nofollow && !s_.ignore_nofollow) ? "nofollow" : too_deep ? "depth" : "";
    if (!why.empty() && !skipped) {
      ++not_followed_[why];
      continue;
    }
    if (!link.url) {
      ++not_followed_["not-http"];
      continue;
    }
    if (why.empty()) why = why_not(*link.url);
    if (!sort_into(batch, storage::frontier_url{link.url->url, link.url->host, page.depth + 1, page.url.url, "link"},
                   std::move(why), skipped != nullptr, error))
      return false;
  }
  enqueue(batch, skipped, error);
  return error.empty();
}

std::size_t link_follower::from_sitemap(const std::string& sitemap_url, const std::vector<std::string>& locs,
                                        std::vector<skipped_link>* skipped, std::string& error) {
  link_batch batch;
  for (const auto& loc : locs) {
    auto checked = crawler::normalize_url(loc);
    if (!checked.url) {
      ++not_followed_["not-http"];
      continue;
    }
    std::string why = why_not(*checked.url);
    if (!sort_into(batch,
                   storage::frontier_url{std::move(checked.url->url), std::move(checked.url->host), 0, sitemap_url,
                                         "sitemap"},
                   std::move(why), skipped != nullptr, error))
      return 0;
  }
  return enqueue(batch, skipped, error);
}

bool link_follower::sort_into(link_batch& batch, storage::frontier_url url, std::string why, bool report,
                              std::string& error) {
  if (why.empty() && !crawler::owns_host(shard_, url.host)) {
    // Another shard's host: that shard fetches it, in the next round when it is in the outbox.
    if (outbox_ && !outbox_->add(url.url, crawler::shard_of_host(url.host, shard_.count), error)) return false;
    why = "other-shard";
  }
  if (why.empty()) {
    batch.found.push_back(std::move(url));
    return true;
  }
  ++not_followed_[why];
  if (!report) return true;
  batch.passed_over.push_back(std::move(url));
  batch.reasons.push_back(std::move(why));
  return true;
}

std::size_t link_follower::enqueue(const link_batch& batch, std::vector<skipped_link>* skipped, std::string& error) {
  std::size_t added = frontier_.add(batch.found, error);
  queued_ += added;
  if (!error.empty() || !skipped) return added;
  for (std::size_t i : frontier_.skip(batch.passed_over, error)) {
    const auto& u = batch.passed_over[i];
    skipped->push_back(skipped_link{u.url, u.referrer, u.depth, batch.reasons[i]});
  }
  return added;
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
    url.via = std::move(u.via);
    out.push_back(std::move(url));
  }
  started_ += out.size();
  return out;
}

}  // namespace crawl::app
