// crawl tail's partial results (--summary-state, read back by crawl merge)
// are input from other machines: any bytes are read or refused with a
// reason, and what is read serializes and reads back to the same text.
#include "crawl/pipeline/log_partial.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  using namespace crawl::pipeline;
  std::string error;
  auto p = parse_partial(std::string_view(reinterpret_cast<const char*>(bytes), size), error);
  if (!p) {
    if (error.empty()) std::abort();
    return 0;
  }
  std::string once = serialize_partial(p->query, p->summary, p->parts, p->generated_at);
  auto back = parse_partial(once, error);
  if (!back) std::abort();
  if (serialize_partial(back->query, back->summary, back->parts, back->generated_at) != once) std::abort();
  return 0;
}
