#pragma once
// How many bytes of a buffer equal one value. Pure.
//
// Why by hand: crawl tail counts the newlines and NULs of every chunk it
// reads, and std::count over chars compiles (GCC 12, x86-64 baseline) to
// SSE2 code that widens each comparison to 64-bit lanes: it was a third of
// a group-by run. Comparing 16 bytes at a time into byte-wide counters,
// summed with psadbw every 255 blocks, runs at memory speed.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace crawl::pipeline {

inline std::uint64_t count_byte(std::string_view s, char value) {
  const char* p = s.data();
  std::size_t n = s.size();
  std::uint64_t total = 0;
#if defined(__SSE2__)
  const __m128i needle = _mm_set1_epi8(value);
  while (n >= 16) {
    std::size_t blocks = std::min<std::size_t>(n / 16, 255);  // byte counters hold 255
    __m128i counts = _mm_setzero_si128();
    for (std::size_t b = 0; b < blocks; ++b, p += 16) {
      __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      counts = _mm_sub_epi8(counts, _mm_cmpeq_epi8(bytes, needle));  // equal lanes are -1
    }
    __m128i sums = _mm_sad_epu8(counts, _mm_setzero_si128());
    total += static_cast<std::uint64_t>(_mm_cvtsi128_si64(sums)) +
             static_cast<std::uint64_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums)));
    n -= blocks * 16;
  }
#endif
  return total + static_cast<std::uint64_t>(std::count(p, p + n, value));
}

}  // namespace crawl::pipeline
