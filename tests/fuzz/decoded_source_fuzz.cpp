// Any bytes through the detect -> decode loop (plain, gzip or zstd by their
// first bytes): no crash, pieces within the bound, and the same bytes out
// whatever the raw block size.
#include "crawl/storage/decoded_source.hpp"

#include "split.hpp"

#include <cstdlib>
#include <string>

namespace {
std::string decode(std::string_view data, std::size_t block, std::string& error) {
  crawl::storage::decoded_source source(4096);
  std::string out;
  std::string_view piece;
  for (auto raw : crawl::fuzz::pieces(data, block)) {
    source.feed(raw);
    while (source.next(piece)) {
      if (piece.size() > 4096) std::abort();
      out.append(piece);
      if (out.size() > (64u << 20)) return out;  // a bomb: bounded pieces were checked
    }
    if (!source.error().empty()) break;
  }
  source.end();
  while (source.next(piece)) out.append(piece);
  error = source.error();
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  auto in = crawl::fuzz::split(bytes, size);
  std::string e1, e2;
  auto whole = decode(in.data, in.data.size() + 1, e1);
  auto cut = decode(in.data, in.piece, e2);
  if (whole.size() <= (64u << 20) && cut.size() <= (64u << 20) && e1.empty() != e2.empty()) std::abort();
  if (e1.empty() && e2.empty() && whole != cut) std::abort();
  return 0;
}
