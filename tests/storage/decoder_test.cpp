#include "crawl/storage/decoder.hpp"

#include "compress.hpp"

#include <catch2/catch.hpp>

using namespace crawl::storage;
using crawl::test::gzip_of;
using crawl::test::zstd_of;

namespace {
std::string decode_all(compression c, const std::string& data, std::size_t piece, bool& ok, std::string& error) {
  auto d = make_decoder(c);
  std::string out, part;
  ok = true;
  for (std::size_t i = 0; i < data.size() && ok; i += piece) {
    d->feed(std::string_view(data).substr(i, piece));
    while ((ok = d->next(part, 4096)) && !part.empty()) out += part;
  }
  if (ok) ok = d->finish();
  error = d->error();
  return out;
}
}  // namespace

TEST_CASE("compression is detected by magic bytes", "[decoder]") {
  CHECK(detect_compression(zstd_of("x")) == compression::zstd);
  CHECK(detect_compression(gzip_of("x")) == compression::gzip);
  CHECK(detect_compression("plain text") == compression::none);
}

TEST_CASE("multi-frame zstd and multi-member gzip decode whole, in any pieces", "[decoder]") {
  std::string a(100000, 'a'), b = "second part\n";
  bool ok;
  std::string error;
  for (std::size_t piece : {1u, 17u, 65536u}) {
    CHECK(decode_all(compression::zstd, zstd_of(a) + zstd_of(b), piece, ok, error) == a + b);
    CHECK(ok);
    CHECK(decode_all(compression::gzip, gzip_of(a) + gzip_of(b), piece, ok, error) == a + b);
    CHECK(ok);
  }
}

TEST_CASE("a cut stream is an error naming the byte offset and what came before is kept", "[decoder]") {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "line " + std::to_string(i) + "\n";
  for (auto c : {compression::zstd, compression::gzip}) {
    std::string packed = c == compression::zstd ? zstd_of(text) : gzip_of(text);
    std::string cut = packed.substr(0, packed.size() / 2);
    bool ok;
    std::string error;
    std::string out = decode_all(c, cut, 4096, ok, error);
    CHECK_FALSE(ok);
    CHECK(error.find("cut short at compressed byte " + std::to_string(cut.size())) != std::string::npos);
    CHECK(text.compare(0, out.size(), out) == 0);
  }
}

TEST_CASE("corrupt data is an error with an offset", "[decoder]") {
  // A first frame, then bytes that are no frame at all: zstd must refuse them
  // (flipped bytes inside a frame without a checksum may decode to garbage).
  std::string first = zstd_of(std::string(50000, 'z'));
  bool ok;
  std::string error;
  std::string out = decode_all(compression::zstd, first + "not a zstd frame at all", 1000, ok, error);
  CHECK_FALSE(ok);
  CHECK(error.find("corrupt zstd data near compressed byte " + std::to_string(first.size())) != std::string::npos);
  CHECK(out == std::string(50000, 'z'));
  std::string garbage = gzip_of("hello") + std::string("\x1f\x8b\x08\x00garbage!", 12);
  decode_all(compression::gzip, garbage, 5, ok, error);
  CHECK_FALSE(ok);
  CHECK(error.find("compressed byte") != std::string::npos);
}

TEST_CASE("a bomb decodes in pieces no larger than asked, whatever one input block expands to", "[decoder]") {
  constexpr std::uint64_t size = 256ull << 20;
  for (auto c : {compression::zstd, compression::gzip}) {
    std::string packed = c == compression::zstd ? crawl::test::zstd_zeros(size) : crawl::test::gzip_zeros(size);
    auto d = make_decoder(c);
    d->feed(packed);  // the whole bomb as one block
    std::string piece;
    std::uint64_t total = 0;
    std::size_t largest = 0;
    while (d->next(piece, 1 << 20) && !piece.empty()) {
      total += piece.size();
      largest = std::max(largest, piece.size());
    }
    CHECK(d->finish());
    CHECK(total == size);
    CHECK(largest <= (1u << 20));
  }
}

TEST_CASE("decode_bounded stops a bomb at the limit", "[decoder]") {
  auto d = make_decoder(compression::zstd);
  std::string out, error;
  CHECK_FALSE(decode_bounded(*d, crawl::test::zstd_zeros(64 << 20), out, 1 << 20, error));
  CHECK(error == "too large");
  CHECK(out.size() <= (1u << 20));
}
