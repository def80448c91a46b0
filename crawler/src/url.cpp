#include "crawl/crawler/url.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <libpsl.h>

#include <algorithm>

#include <cstdio>
#include <memory>

namespace crawl::crawler {
namespace {

struct url_deleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct string_deleter {
  void operator()(char* s) const { curl_free(s); }
};
using curl_string = std::unique_ptr<char, string_deleter>;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  return out;
}

curl_string get_part(CURLU* u, CURLUPart part, unsigned flags = 0) {
  char* value = nullptr;
  if (curl_url_get(u, part, &value, flags) != CURLUE_OK) return nullptr;
  return curl_string(value);
}

}  // namespace

bool is_private_address(std::string_view ip) {
  std::string text(ip);
  if (!text.empty() && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  unsigned char a[16];
  auto v4_private = [](const unsigned char* b) {
    return b[0] == 0 || b[0] == 10 || b[0] == 127 || (b[0] == 172 && (b[1] & 0xF0) == 16) ||
           (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254);
  };
  if (::inet_pton(AF_INET, text.c_str(), a) == 1) return v4_private(a);
  if (::inet_pton(AF_INET6, text.c_str(), a) != 1) return true;
  static constexpr unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  if (std::equal(a, a + 12, mapped)) return v4_private(a + 12);
  bool zero_to_14 = std::all_of(a, a + 15, [](unsigned char c) { return c == 0; });
  if (zero_to_14 && (a[15] == 0 || a[15] == 1)) return true;  // :: and ::1
  return (a[0] & 0xFE) == 0xFC || (a[0] == 0xFE && (a[1] & 0xC0) == 0x80);
}

bool is_reserved_invalid_host(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  return host == "invalid" || (host.size() > 8 && host.substr(host.size() - 8) == ".invalid");
}

namespace {
url_check normalize_once(std::string_view text);
}  // namespace

// libcurl decodes a percent-encoded host and only then, when the result is
// read again, takes it for an IPv4 number ("http://%32" gives "http://2/",
// which reads back as "http://0.0.0.2/"): URLs with a '%' get a second pass,
// so that a normalized URL always normalizes to itself (found by url_fuzz).
url_check normalize_url(std::string_view text) {
  url_check first = normalize_once(text);
  // Where the host ends is libcurl's call (it takes "https:///%31" too), so
  // any '%' in the text earns the second pass.
  if (!first.url || text.find('%') == std::string_view::npos) return first;
  return normalize_once(first.url->url);
}

namespace {

url_check normalize_once(std::string_view text) {
  auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0)
    return {std::nullopt, "not a URL (expected http:// or https://)"};
  std::string scheme = lower(text.substr(0, scheme_end));
  if (scheme != "http" && scheme != "https")
    return {std::nullopt, "scheme '" + scheme + "' refused (only http and https)"};
  std::unique_ptr<CURLU, url_deleter> u(curl_url());
  std::string copy(text);
  CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, copy.c_str(), CURLU_URLENCODE);
  if (rc != CURLUE_OK) return {std::nullopt, std::string("not a URL: ") + curl_url_strerror(rc)};
  auto host = get_part(u.get(), CURLUPART_HOST);
  if (!host || !*host.get()) return {std::nullopt, "not a URL: no host"};
  std::string host_lower = lower(host.get());
  curl_url_set(u.get(), CURLUPART_SCHEME, scheme.c_str(), 0);
  curl_url_set(u.get(), CURLUPART_HOST, host_lower.c_str(), 0);
  curl_url_set(u.get(), CURLUPART_FRAGMENT, nullptr, 0);
  auto full = get_part(u.get(), CURLUPART_URL, CURLU_NO_DEFAULT_PORT);
  if (!full) return {std::nullopt, "not a URL"};
  return {normalized_url{full.get(), std::move(host_lower)}, {}};
}

}  // namespace

namespace {

// The scheme of a reference ("mailto" of "mailto:x"), or empty when it has
// none (a relative reference: the first ':' comes after a '/', '?' or '#').
std::string scheme_of(std::string_view href) {
  auto colon = href.find(':');
  if (colon == std::string_view::npos || colon == 0) return {};
  for (std::size_t i = 0; i < colon; ++i) {
    char c = href[i];
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!letter && (i == 0 || !((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))) return {};
  }
  return lower(href.substr(0, colon));
}

}  // namespace

namespace {

// The checks every resolution starts with: a fragment-only reference, a
// scheme other than http(s), a control character. Empty when none applies.
std::optional<url_check> screen_link(std::string_view base, std::string_view href) {
  // libcurl 7.88 resolves "#frag" against "http://h/p?q" to "http://h/p",
  // losing the query: RFC 3986 keeps it, and so does this.
  if (href.empty() || href.front() == '#') return normalize_url(base);
  std::string scheme = scheme_of(href);
  if (!scheme.empty() && scheme != "http" && scheme != "https")
    return url_check{std::nullopt, "a " + scheme + ": link, not http or https"};
  for (char c : href)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return url_check{std::nullopt, "a control character in the link"};
  return std::nullopt;
}

url_check resolve_parsed(CURLU* base, std::string_view href) {
  std::unique_ptr<CURLU, url_deleter> u(curl_url_dup(base));
  std::string href_copy(href);
  // A URL set on a handle that holds one is resolved against it.
  CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, href_copy.c_str(), CURLU_URLENCODE);
  if (rc != CURLUE_OK) return {std::nullopt, std::string("not a URL: ") + curl_url_strerror(rc)};
  auto full = get_part(u.get(), CURLUPART_URL);
  if (!full) return {std::nullopt, "not a URL"};
  return normalize_url(full.get());
}

// A path reference libcurl would return unchanged: letters, digits and
// "-._~/" (a query of those and "=&" after one '?'), no "." segment, no
// "//", not ending in '?'; anything after a '#' is dropped anyway. Such a
// link resolves by concatenation, which saves three URL parses a link.
bool plain_path(std::string_view ref) {
  ref = ref.substr(0, ref.find('#'));
  if (ref.empty() || ref.find("/.") != std::string_view::npos || ref.find("//") != std::string_view::npos ||
      ref.front() == '.' || ref.back() == '?')
    return false;
  bool in_query = false;
  for (char c : ref) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                 c == '.' || c == '_' || c == '~' || c == '/';
    if (c == '?' && !in_query) in_query = true;
    else if (!plain && !(in_query && (c == '=' || c == '&'))) return false;
  }
  return true;
}

}  // namespace

url_check resolve_link(std::string_view base, std::string_view href) {
  if (auto screened = screen_link(base, href)) return *screened;
  std::unique_ptr<CURLU, url_deleter> u(curl_url());
  std::string base_copy(base);
  if (curl_url_set(u.get(), CURLUPART_URL, base_copy.c_str(), CURLU_URLENCODE) != CURLUE_OK)
    return {std::nullopt, "the page's own URL is not a URL"};
  return resolve_parsed(u.get(), href);
}

link_resolver::link_resolver(std::string_view base) : base_(base) {
  CURLU* u = curl_url();
  if (u && curl_url_set(u, CURLUPART_URL, base_.c_str(), CURLU_URLENCODE) == CURLUE_OK) parsed_ = u;
  else curl_url_cleanup(u);
  // For plain paths: the base's origin and directory, when the base is
  // normalized already (as page URLs are). A base libcurl would change
  // (a fragment, which libcurl 7.88 does not drop before resolving; case;
  // encoding) leaves every link to libcurl.
  auto normalized = normalize_url(base_);
  if (!normalized.url || normalized.url->url != base_) return;
  const std::string& url = normalized.url->url;
  std::string path = url.substr(url.find('/', url.find("://") + 3));
  if (path.find("/.") != std::string::npos || path.find("//") != std::string::npos) return;
  origin_ = normalized.url->url.substr(0, normalized.url->url.size() - path.size());
  directory_ = path.substr(0, path.find_first_of("?#"));
  directory_.resize(directory_.rfind('/') + 1);
  host_ = std::move(normalized.url->host);
}

link_resolver::~link_resolver() { curl_url_cleanup(static_cast<CURLU*>(parsed_)); }

url_check link_resolver::resolve(std::string_view href) const {
  if (auto screened = screen_link(base_, href)) return *screened;
  if (!parsed_) return {std::nullopt, "the page's own URL is not a URL"};
  if (!origin_.empty() && href.front() != '?' && plain_path(href)) {
    std::string url = origin_ + (href.front() == '/' ? std::string() : directory_);
    url.append(href.substr(0, href.find('#')));
    return {normalized_url{std::move(url), host_}, {}};
  }
  return resolve_parsed(static_cast<CURLU*>(parsed_), href);
}

url_line parse_url_line(std::string_view raw, std::uint64_t line_no) {
  url_line line;
  line.line_no = line_no;
  if (line_no == 1 && raw.substr(0, 3) == "\xEF\xBB\xBF") raw.remove_prefix(3);
  if (raw.size() > max_url_line) {
    line.error = "line longer than 8 KiB";
    return line;
  }
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; };
  while (!raw.empty() && is_space(raw.back())) raw.remove_suffix(1);
  while (!raw.empty() && is_space(raw.front())) raw.remove_prefix(1);
  if (raw.empty() || raw.front() == '#') return line;
  // A NUL would end the C string libcurl sees, so a different URL would be
  // fetched; no control character belongs in a URL.
  for (std::size_t i = 0; i < raw.size(); ++i) {
    auto c = static_cast<unsigned char>(raw[i]);
    if (c < 0x20 || c == 0x7F) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", c);
      line.error = std::string("control character ") + hex + " at column " + std::to_string(i + 1);
      return line;
    }
  }
  url_check check = normalize_url(raw);
  if (check.url) line.url = std::move(check.url);
  else line.error = std::move(check.error);
  return line;
}

std::string registrable_domain(std::string_view host) {
  // Loaded once: the newest list on the system (the publicsuffix package's
  // file), or the one built into libpsl. Read-only afterwards.
  static const psl_ctx_t* list = [] {
    const psl_ctx_t* latest = psl_latest(nullptr);
    return latest ? latest : psl_builtin();
  }();
  std::string name = lower(host);
  if (name.empty() || name.front() == '[') return name;  // an IPv6 literal
  in_addr v4{};
  if (inet_pton(AF_INET, name.c_str(), &v4) == 1) return name;
  const char* domain = list ? psl_registrable_domain(list, name.c_str()) : nullptr;
  return domain ? std::string(domain) : name;
}

std::string origin_of(const std::string& url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return {};
  return url.substr(0, url.find_first_of("/?#", scheme_end + 3));
}

}  // namespace crawl::crawler
