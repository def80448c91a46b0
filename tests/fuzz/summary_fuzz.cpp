// Run summaries (crawl --summary, read back by crawl merge) come from other
// machines: any bytes are read or refused with a reason, and what is read
// writes out and reads back to the same text.
#include "crawl/run_stats.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  using namespace crawl::app;
  std::string error;
  auto s = parse_summary_json(std::string_view(reinterpret_cast<const char*>(bytes), size), error);
  if (!s) {
    if (error.empty()) std::abort();
    return 0;
  }
  std::string once = format_summary_json(*s);
  auto back = parse_summary_json(once, error);
  if (!back) std::abort();
  if (format_summary_json(*back) != once) std::abort();
  run_stats merged;
  merge_stats(merged, *back);
  merge_stats(merged, *back);
  format_summary_json(merged);
  return 0;
}
