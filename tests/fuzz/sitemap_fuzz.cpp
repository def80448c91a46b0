// Sitemaps (XML, text, gzip): any bytes are read without a crash, within
// the protocol's limits, and feeding the file in pieces finds the same
// locations as feeding it whole.
#include "crawl/crawler/sitemap.hpp"
#include "split.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

struct reading {
  std::vector<std::string> locs;
  bool ok = false;
  std::string error;
};

reading read_in(const std::vector<std::string_view>& parts) {
  crawl::crawler::sitemap_reader reader;
  reading r;
  for (auto part : parts) {
    bool more = reader.feed(part);
    for (auto& loc : reader.take()) r.locs.push_back(std::move(loc));
    if (!more) break;
  }
  r.ok = reader.finish();
  for (auto& loc : reader.take()) r.locs.push_back(std::move(loc));
  r.error = reader.error();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  using crawl::crawler::sitemap_reader;
  auto input = crawl::fuzz::split(bytes, size);
  reading whole = read_in({input.data});
  reading pieces = read_in(crawl::fuzz::pieces(input.data, input.piece));
  if (whole.locs.size() > sitemap_reader::max_urls) std::abort();
  for (const auto& loc : whole.locs)
    if (loc.empty() || loc.size() > sitemap_reader::max_loc) std::abort();
  if (whole.locs != pieces.locs || whole.ok != pieces.ok) std::abort();
  if (!whole.ok && whole.error.empty()) std::abort();
  return 0;
}
