// URL lines: no crash, an accepted URL is http(s) with a lowercase host and
// no control characters, and normalizing it again changes nothing. Links:
// an input with a NUL is a base and a link, and link_resolver (which joins
// plain paths without parsing) must agree with resolve_link (libcurl's
// parser every time).
#include "crawl/crawler/url.hpp"

#include <cstdlib>
#include <string>

namespace {
void check_link(std::string_view base, std::string_view href) {
  auto reference = crawl::crawler::resolve_link(base, href);
  auto quick = crawl::crawler::link_resolver(base).resolve(href);
  if (reference.url.has_value() != quick.url.has_value()) std::abort();
  if (reference.url && (reference.url->url != quick.url->url || reference.url->host != quick.url->host)) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(bytes), size);
  if (auto nul = raw.find('\0'); nul != std::string_view::npos) {
    check_link(raw.substr(0, nul), raw.substr(nul + 1));
    return 0;
  }
  auto line = crawl::crawler::parse_url_line(raw, 1);
  if (!line.url) return 0;
  const auto& url = *line.url;
  if (url.url.rfind("http://", 0) != 0 && url.url.rfind("https://", 0) != 0) std::abort();
  for (char c : url.url)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) std::abort();
  for (char c : url.host)
    if (c >= 'A' && c <= 'Z') std::abort();
  auto again = crawl::crawler::normalize_url(url.url);
  if (!again.url || again.url->url != url.url || again.url->host != url.host) std::abort();
  return 0;
}
