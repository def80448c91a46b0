// The prefiltered line pattern agrees with plain RE2 on every line: the
// first bytes (up to a newline) are the pattern, the rest are lines.
#include "crawl/pipeline/line_pattern.hpp"

#include <re2/re2.h>

#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  std::string_view all(reinterpret_cast<const char*>(bytes), size);
  auto nl = all.find('\n');
  if (nl == std::string_view::npos || nl > 64) return 0;
  std::string pattern(all.substr(0, nl));
  crawl::pipeline::line_pattern lp(pattern);
  if (!lp.ok()) return 0;
  RE2 plain(pattern, RE2::Quiet);
  if (!plain.ok()) std::abort();
  std::string_view rest = all.substr(nl + 1);
  while (!rest.empty()) {
    auto end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    re2::StringPiece sub[2];
    int groups = plain.NumberOfCapturingGroups() > 0 ? 2 : 1;
    bool expected = plain.Match(re2::StringPiece(line.data(), line.size()), 0, line.size(), RE2::UNANCHORED, sub, groups);
    if (lp.found_in(line) != expected) std::abort();
    std::string_view value;
    if (lp.capture(line, value) != expected) std::abort();
    if (expected) {
      const re2::StringPiece& want = groups == 2 ? sub[1] : sub[0];
      if (value != std::string_view(want.data() ? want.data() : "", want.size())) std::abort();
    }
  }
  return 0;
}
