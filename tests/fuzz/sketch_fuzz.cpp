// Serialized quantile sketches (they come from other runs and machines):
// any bytes are refused or read; what is read answers quantiles within its
// min and max, and serializes to bytes that read back the same.
#include "crawl/pipeline/sketch.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  using crawl::pipeline::quantile_sketch;
  auto k = quantile_sketch::deserialize(std::string_view(reinterpret_cast<const char*>(bytes), size));
  if (!k) return 0;
  for (double q : {0.0, 0.5, 0.99, 1.0}) {
    double v = k->quantile(q);
    if (k->count() > 0 && (v < k->min() || v > k->max())) std::abort();
  }
  auto again = quantile_sketch::deserialize(k->serialize());
  if (!again || again->serialize() != k->serialize()) std::abort();
  quantile_sketch merged = *k;
  merged.merge(*again);
  if (merged.count() != 2 * k->count()) std::abort();
  return 0;
}
