#pragma once
// URL checks and normalization. Plain functions: no event loop needed.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crawl::crawler {

struct normalized_url {
  std::string url;   // scheme and host lowercased, default port and fragment dropped
  std::string host;  // lowercased host name, the key for per-host limits
};

struct url_check {
  std::optional<normalized_url> url;
  std::string error;  // why the text is refused, when url is empty
};

// Accepts only absolute http and https URLs.
url_check normalize_url(std::string_view text);

// A link `href` of the page at `base` (its final URL, or its <base href>
// resolved first) as a normalized absolute URL (RFC 3986 resolution: dot
// segments removed, the fragment dropped). An empty or fragment-only href is
// the base itself. Links to other schemes (javascript:, mailto:, data:, ...)
// are refused, naming the scheme.
url_check resolve_link(std::string_view base, std::string_view href);

// resolve_link() for the many links of one page: the base is parsed once,
// and a plain path ("/a/b.html", "c.html?x=1") is joined to it without
// parsing at all. Each object is used by one thread at a time.
class link_resolver {
 public:
  explicit link_resolver(std::string_view base);
  ~link_resolver();
  link_resolver(const link_resolver&) = delete;
  link_resolver& operator=(const link_resolver&) = delete;
  url_check resolve(std::string_view href) const;

 private:
  std::string base_;
  void* parsed_ = nullptr;  // the base as a CURLU handle; null when it is not a URL
  std::string origin_;      // of the normalized base, "http://h:1"; empty: no plain-path joins
  std::string directory_;   // its path up to the last '/'
  std::string host_;
};

// One line of a URL list after trimming: a URL, nothing (blank or comment),
// or an error naming what is wrong with it.
struct url_line {
  std::uint64_t line_no = 0;
  std::optional<normalized_url> url;
  std::string error;
};

inline constexpr std::size_t max_url_line = 8 * 1024;

// Parses one raw line (without its '\n'). A trailing '\r' and surrounding
// white space are dropped; blank lines and '#' comments give neither url nor
// error. A UTF-8 byte order mark is dropped on line 1.
url_line parse_url_line(std::string_view raw, std::uint64_t line_no);

// Whether `ip` (text, IPv4 or IPv6) is loopback, private (10/8, 172.16/12,
// 192.168/16), link-local (169.254/16, fe80::/10), unique-local (fc00::/7),
// unspecified (0/8, ::), or an IPv4-mapped IPv6 address of one of those.
// An address that does not parse counts as private: refused, not guessed.
bool is_private_address(std::string_view ip);

// The registrable domain of a host by the Public Suffix List (libpsl, with
// the list of Debian's publicsuffix package when present, else libpsl's
// built-in copy): "example.co.uk" for "www.example.co.uk", "example.test" for
// "a.b.example.test" (an unlisted suffix counts as one label). An IP address,
// a single label or a public suffix itself is its own domain.
std::string registrable_domain(std::string_view host);

// "http://h:8080" of "http://h:8080/a?b", or empty when the URL has no scheme.
std::string origin_of(const std::string& url);

// RFC 6761 reserves .invalid: such a name never resolves, so it is refused
// locally without asking any resolver.
bool is_reserved_invalid_host(std::string_view host);

}  // namespace crawl::crawler
