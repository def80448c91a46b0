// Word counts from other machines (crawl merge's inputs): any bytes are read
// or refused with a reason, in each of the three formats, and the rows read
// write out and read back as the same rows.
#include "crawl/pipeline/count_input.hpp"

#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

namespace {
using rows = std::vector<std::pair<std::string, std::uint64_t>>;

bool read(const std::string& text, crawl::pipeline::count_format f, rows& out, std::string& error) {
  std::istringstream in(text);
  return crawl::pipeline::read_counts(in, f, [&](std::string_view w, std::uint64_t n) { out.emplace_back(w, n); },
                                      error);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  using namespace crawl::pipeline;
  std::string text(reinterpret_cast<const char*>(bytes), size);
  for (auto f : {count_format::tsv, count_format::csv, count_format::json}) {
    rows first;
    std::string error;
    if (!read(text, f, first, error)) {
      if (error.empty()) std::abort();
      continue;
    }
    std::string written;
    count_writer writer(f, [&](std::string_view piece) { written.append(piece); });
    for (const auto& [w, n] : first) writer.add(w, n);
    writer.finish();
    rows again;
    if (!read(written, f, again, error)) std::abort();
    if (again != first) std::abort();
  }
  return 0;
}
