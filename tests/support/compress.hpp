#pragma once
// Compressed bodies and files for the tests, made with the real libraries.
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstdint>
#include <string>

namespace crawl::test {

inline std::string gzip_of(const std::string& in, int level = 6) {
  z_stream z{};
  deflateInit2(&z, level, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, in.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

inline std::string zstd_of(const std::string& in, int level = 3) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), in.data(), in.size(), level));
  return out;
}

// A decompression bomb: `bytes` zero bytes as one zstd frame, made in
// pieces so the test itself never holds them.
inline std::string zstd_zeros(std::uint64_t bytes) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  std::string zeros(1 << 20, '\0'), out, block(ZSTD_CStreamOutSize(), '\0');
  for (std::uint64_t left = bytes;;) {
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, zeros.size()));
    left -= n;
    ZSTD_EndDirective mode = left == 0 ? ZSTD_e_end : ZSTD_e_continue;
    ZSTD_inBuffer in{zeros.data(), n, 0};
    std::size_t remaining;
    do {
      ZSTD_outBuffer o{block.data(), block.size(), 0};
      remaining = ZSTD_compressStream2(cctx, &o, &in, mode);
      out.append(block.data(), o.pos);
    } while (mode == ZSTD_e_end ? remaining != 0 : in.pos < in.size);
    if (left == 0) break;
  }
  ZSTD_freeCCtx(cctx);
  return out;
}

// The same as a gzip member (deflate's ratio tops out near 1000:1).
inline std::string gzip_zeros(std::uint64_t bytes) {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
  std::string zeros(1 << 20, '\0'), out, block(1 << 16, '\0');
  for (std::uint64_t left = bytes;;) {
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, zeros.size()));
    left -= n;
    z.next_in = reinterpret_cast<Bytef*>(zeros.data());
    z.avail_in = static_cast<uInt>(n);
    int flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
    do {
      z.next_out = reinterpret_cast<Bytef*>(block.data());
      z.avail_out = static_cast<uInt>(block.size());
      deflate(&z, flush);
      out.append(block.data(), block.size() - z.avail_out);
    } while (z.avail_out == 0 || (flush == Z_FINISH && z.avail_in > 0));
    if (left == 0) break;
  }
  deflateEnd(&z);
  return out;
}

}  // namespace crawl::test
