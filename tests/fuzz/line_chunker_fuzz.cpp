// Cutting a byte stream into chunks of whole lines: no crash, every byte
// is handed out or reported skipped, chunks end at a newline, and no line
// passes the cap.
#include "crawl/pipeline/line_chunker.hpp"

#include "split.hpp"

#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  auto in = crawl::fuzz::split(bytes, size);
  constexpr std::size_t max_line = 64, chunk_bytes = 128;
  crawl::pipeline::line_chunker chunker(max_line, chunk_bytes);
  std::uint64_t out_bytes = 0, skipped = 0;
  bool ended = false;
  auto sink = [&](crawl::pipeline::line_chunker::chunk&& c) {
    out_bytes += c.bytes.size();
    skipped += c.skipped;
    if (c.truncated && c.bytes.size() > max_line) std::abort();
    if (!c.truncated && !ended && !c.bytes.empty() && c.bytes.back() != '\n') std::abort();
  };
  for (auto piece : crawl::fuzz::pieces(in.data, in.piece)) chunker.feed(piece, sink);
  chunker.flush(sink);
  ended = true;
  chunker.finish(sink);
  if (out_bytes + skipped != in.data.size() || chunker.consumed() != in.data.size()) std::abort();
  return 0;
}
