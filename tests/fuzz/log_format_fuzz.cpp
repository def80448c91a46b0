// Log line formats: any line is read or refused without a crash, and every
// field read is a piece of the line itself.
#include "crawl/pipeline/log_format.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {
void within(std::string_view line, const crawl::pipeline::log_fields& f) {
  for (const auto& [name, value] : f.items()) {
    if (name.empty()) std::abort();
    if (!value.empty() && (value.data() < line.data() || value.data() + value.size() > line.data() + line.size()))
      std::abort();
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  using namespace crawl::pipeline;
  std::string_view line(reinterpret_cast<const char*>(bytes), size);
  log_fields f;
  if (parse_access_line(line, f)) within(line, f);
  if (parse_syslog_line(line, f)) within(line, f);
  if (parse_logfmt_line(line, f)) within(line, f);
  (void)detect_format({line, line});
  return 0;
}
