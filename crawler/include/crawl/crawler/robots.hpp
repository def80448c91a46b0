#pragma once
// robots.txt (RFC 9309): the parser and the matcher. Pure: no I/O, no
// libcurl; fetching and caching a site's file is someone else's job.
//
// Written here because no Debian package has a correct one (wget2's ignores
// Allow), and because the common ones got these wrong, each of which a test
// here checks:
// - consecutive User-agent lines form one group, and a blank line does not
//   end it; rules before any User-agent line are ignored;
// - the product token is matched whole and case-insensitively ("bot" is not
//   "mybot"); every group naming us is merged, else every "*" group, else
//   everything is allowed;
// - the longest pattern (in octets) wins, Allow wins a tie; an empty
//   Disallow matches nothing; /robots.txt is always allowed;
// - paths and patterns are compared after one percent-encoding
//   normalization (non-ASCII as %XX, hex in capitals, unreserved characters
//   decoded; %2F, %2A and %24 stay encoded);
// - '*' and a final '$' are matched without backtracking beyond O(n*m).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crawl::crawler {

// The percent-encoding normalization applied to paths and patterns alike.
// '*' and '$' (pattern syntax) are left as they are.
std::string normalize_robots_path(std::string_view path);

// Whether `pattern` (normalized; '*' any run, a final '$' the end) matches
// the start of `path` (normalized). Counts its steps into `*steps` when
// given: at most (pattern.size() + 1) * (path.size() + 1).
bool robots_pattern_matches(std::string_view pattern, std::string_view path, std::size_t* steps = nullptr);

struct robots_rule {
  std::string pattern;  // normalized
  bool allow = false;
};

// What a site's robots.txt says to one crawler.
class robots_policy {
 public:
  // Only this much of a file is read, as RFC 9309 allows.
  static constexpr std::size_t max_bytes = 500 * 1024;

  static robots_policy allow_all() { return robots_policy(); }
  static robots_policy disallow_all();
  // The rules of `text` (a UTF-8 byte order mark is skipped) for the
  // product token `product` (e.g. "crawl").
  static robots_policy parse(std::string_view text, std::string_view product);

  // `path` is the URL's path and query as requested ("/a/b?c=d"), not yet normalized.
  bool allowed(std::string_view path) const;
  // Crawl-delay of the group that applies, in seconds, if it gave one.
  std::optional<double> crawl_delay() const { return crawl_delay_; }
  // Every Sitemap: line of the file, whatever group it is in.
  const std::vector<std::string>& sitemaps() const { return sitemaps_; }
  const std::vector<robots_rule>& rules() const { return rules_; }

 private:
  std::vector<robots_rule> rules_;
  std::optional<double> crawl_delay_;
  std::vector<std::string> sitemaps_;
  bool disallow_all_ = false;
};

// The product token of a User-Agent header: its first run of letters,
// digits, '-' and '_' ("crawl/0.1.0 (+https://...)" -> "crawl").
std::string product_token_of(std::string_view user_agent);

}  // namespace crawl::crawler
