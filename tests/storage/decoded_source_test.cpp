#include "crawl/storage/decoded_source.hpp"

#include "compress.hpp"

#include <catch2/catch.hpp>

using namespace crawl::storage;

namespace {
// Feeds `raw` in blocks of `block` bytes and returns what comes out.
std::string through(decoded_source& src, const std::string& raw, std::size_t block, std::size_t& largest) {
  std::string out;
  std::string_view piece;
  largest = 0;
  for (std::size_t i = 0; i < raw.size(); i += block) {
    src.feed(std::string_view(raw).substr(i, block));
    while (src.next(piece)) {
      out += piece;
      largest = std::max(largest, piece.size());
    }
  }
  src.end();
  while (src.next(piece)) out += piece;
  return out;
}
}  // namespace

TEST_CASE("decoded source: plain, gzip and zstd come out the same, in bounded pieces", "[decoded_source]") {
  std::string text;
  for (int i = 0; i < 50000; ++i) text += "line " + std::to_string(i) + "\n";
  for (const std::string& raw : {text, crawl::test::gzip_of(text), crawl::test::zstd_of(text)}) {
    for (std::size_t block : {1u, 3u, 4096u, 1u << 20}) {
      decoded_source src(64 * 1024);
      std::size_t largest;
      CHECK(through(src, raw, block, largest) == text);
      CHECK(src.error().empty());
      CHECK(largest <= 64 * 1024);
    }
  }
}

TEST_CASE("decoded source: fewer than 4 bytes are plain once the stream ends or settles", "[decoded_source]") {
  decoded_source src;
  src.feed("ab");
  std::string_view piece;
  CHECK_FALSE(src.next(piece));
  CHECK_FALSE(src.detected());
  src.settle();
  REQUIRE(src.next(piece));
  CHECK(piece == "ab");
  CHECK(src.kind() == compression::none);
}

TEST_CASE("decoded source: a cut stream is an error after the end, naming the byte", "[decoded_source]") {
  std::string packed = crawl::test::zstd_of(std::string(100000, 'q'));
  decoded_source src;
  std::size_t largest;
  through(src, packed.substr(0, packed.size() / 2), 1000, largest);
  CHECK(src.error().find("cut short at compressed byte") != std::string::npos);
}
