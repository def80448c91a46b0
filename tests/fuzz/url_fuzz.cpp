// URL lines: no crash, an accepted URL is http(s) with a lowercase host and
// no control characters, and normalizing it again changes nothing.
#include "crawl/crawler/url.hpp"

#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(bytes), size);
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
