// The HTML text extractor on any bytes: no crash, the visible text does not
// depend on how the document is cut into pieces, and neither do the links
// read in the same pass; collecting links leaves the text as it was.
#include "crawl/pipeline/html_text.hpp"

#include "split.hpp"

#include <cstdlib>
#include <string>

namespace {

bool same(const crawl::pipeline::html_links& a, const crawl::pipeline::html_links& b) {
  if (a.links.size() != b.links.size() || a.base != b.base || a.page_nofollow != b.page_nofollow ||
      a.page_noindex != b.page_noindex || a.dropped != b.dropped)
    return false;
  for (std::size_t i = 0; i < a.links.size(); ++i)
    if (a.links[i].url != b.links[i].url || a.links[i].from != b.links[i].from ||
        a.links[i].nofollow != b.links[i].nofollow)
      return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  auto in = crawl::fuzz::split(bytes, size);
  crawl::pipeline::html_text whole, cut, plain;
  crawl::pipeline::html_links whole_links, cut_links;
  whole.collect_links(&whole_links);
  cut.collect_links(&cut_links);
  std::string a, b, c;
  whole.feed(in.data, a);
  whole.finish(a);
  for (auto piece : crawl::fuzz::pieces(in.data, in.piece)) cut.feed(piece, b);
  cut.finish(b);
  plain.feed(in.data, c);
  plain.finish(c);
  if (a != b || a != c || !same(whole_links, cut_links)) std::abort();
  for (const auto& link : whole_links.links)
    if (link.url.empty() || link.url.size() > crawl::pipeline::html_links::max_url) std::abort();
  return 0;
}
