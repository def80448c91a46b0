// Charset conversion of any bytes from the legacy charsets crawl meets: no
// crash, valid UTF-8 out, and the same output whatever the piece size.
#include "crawl/pipeline/charset.hpp"

#include "split.hpp"

#include <cstdlib>
#include <string>

namespace {
bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += len;
  }
  return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  auto in = crawl::fuzz::split(bytes, size);
  for (const char* label : {"windows-1252", "shift_jis", "gbk", "euc-kr", "big5", "euc-jp", "utf-8"}) {
    auto whole = crawl::pipeline::charset_decoder::open(label);
    auto cut = crawl::pipeline::charset_decoder::open(label);
    if (!whole || !cut) continue;
    std::string a, b;
    whole->decode(in.data, a);
    whole->finish(a);
    for (auto piece : crawl::fuzz::pieces(in.data, in.piece)) cut->decode(piece, b);
    cut->finish(b);
    if (a != b) std::abort();
    if (!whole->passes_through() && !valid_utf8(a)) std::abort();
  }
  return 0;
}
