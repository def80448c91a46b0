// Serialized distinct counters (they come from other runs and machines):
// any bytes are refused or read, and what is read serializes to the same bytes.
#include "crawl/pipeline/distinct.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  using crawl::pipeline::distinct_counter;
  std::string_view data(reinterpret_cast<const char*>(bytes), size);
  auto c = distinct_counter::deserialize(data);
  if (!c) return 0;
  (void)c->count();
  auto again = distinct_counter::deserialize(c->serialize());
  if (!again || again->serialize() != c->serialize()) std::abort();
  // Exact counters list each hash once, in order: their bytes are canonical.
  if (c->exact() && c->serialize() != data) {
    distinct_counter merged = *c;
    merged.merge(*again);
    if (merged.count() != c->count()) std::abort();
  }
  return 0;
}
