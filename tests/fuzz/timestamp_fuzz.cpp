// Log timestamps: any bytes are read without a crash; what is read stays
// within the text, has nanoseconds below a second, and its UTC text (for
// years 0000 to 9999) reads back as the same instant.
#include "crawl/pipeline/timestamp.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {
void check(std::optional<crawl::pipeline::utc_time> t, std::size_t used, std::size_t size) {
  using namespace crawl::pipeline;
  if (!t) return;
  if (used > size || t->nanos >= 1'000'000'000) std::abort();
  civil_time c = civil_from_seconds(t->seconds);
  if (c.year < 0 || c.year > 9999) return;
  std::size_t n = 0;
  auto again = parse_iso8601(format_utc(*t, 9), n);
  if (!again || *again != *t) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  using namespace crawl::pipeline;
  std::string_view text(reinterpret_cast<const char*>(bytes), size);
  const utc_time now{1796025600, 0};
  std::size_t used = 0;
  check(parse_timestamp(text, used, now), used, size);
  used = 0;
  check(parse_iso8601(text, used, 3600), used, size);
  used = 0;
  check(parse_syslog(text, used, now, -7200), used, size);
  check(parse_epoch(text), 0, size);
  return 0;
}
