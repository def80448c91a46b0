// The HTML text extractor on any bytes: no crash, and the visible text does
// not depend on how the document is cut into pieces.
#include "crawl/pipeline/html_text.hpp"

#include "split.hpp"

#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  auto in = crawl::fuzz::split(bytes, size);
  crawl::pipeline::html_text whole, cut;
  std::string a, b;
  whole.feed(in.data, a);
  whole.finish(a);
  for (auto piece : crawl::fuzz::pieces(in.data, in.piece)) cut.feed(piece, b);
  cut.finish(b);
  if (a != b) std::abort();
  return 0;
}
