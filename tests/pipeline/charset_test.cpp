#include "crawl/pipeline/charset.hpp"

#include <catch2/catch.hpp>

using namespace crawl::pipeline;

namespace {
std::string decode(const std::string& label, std::string_view bytes, std::size_t piece = std::string::npos) {
  auto d = charset_decoder::open(label);
  REQUIRE(d);
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += piece) {
    d->decode(bytes.substr(i, piece), out);
    if (piece == std::string::npos) break;
  }
  d->finish(out);
  return out;
}
}  // namespace

TEST_CASE("the charset parameter is read from Content-Type", "[charset]") {
  CHECK(charset_from_content_type("text/html; charset=ISO-8859-1") == "iso-8859-1");
  CHECK(charset_from_content_type("text/html;charset=\"Shift_JIS\"") == "shift_jis");
  CHECK(charset_from_content_type("text/html") == "");
}

TEST_CASE("meta charset is sniffed from the head of a document", "[charset]") {
  CHECK(sniff_meta_charset("<html><head><META charset='windows-1252'>") == "windows-1252");
  CHECK(sniff_meta_charset("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=euc-kr\">") == "euc-kr");
  CHECK(sniff_meta_charset("<meta name=x>") == "");
}

TEST_CASE("latin1 means windows-1252, as browsers do", "[charset]") {
  CHECK(decode("iso-8859-1", "caf\xe9 \x93q\x94") == "caf\xc3\xa9 \xe2\x80\x9cq\xe2\x80\x9d");
}

TEST_CASE("legacy CJK charsets convert to UTF-8, even cut mid-character", "[charset]") {
  std::string sjis = "\x93\x8c\x8b\x9e";  // 東京
  CHECK(decode("Shift_JIS", sjis) == "\xe6\x9d\xb1\xe4\xba\xac");
  CHECK(decode("Shift_JIS", sjis, 1) == "\xe6\x9d\xb1\xe4\xba\xac");
  CHECK(decode("gbk", "\xd6\xd0\xce\xc4", 3) == "\xe4\xb8\xad\xe6\x96\x87");  // 中文
  CHECK(decode("euc-kr", "\xc7\xd1\xb1\xb9") == "\xed\x95\x9c\xea\xb5\xad");  // 한국
}

TEST_CASE("invalid bytes become spaces and a cut tail is dropped at the end", "[charset]") {
  CHECK(decode("shift_jis", "a\x81") == "a ");
  CHECK(decode("utf-8", "raw\xff") == "raw\xff");  // UTF-8 passes through; the tokenizer copes
}

TEST_CASE("an unknown charset label is refused", "[charset]") {
  CHECK_FALSE(charset_decoder::open("no-such-charset"));
}

TEST_CASE("an invalid sequence that takes the last of the input ends the piece, not reads past it", "[charset]") {
  // Found by charset_fuzz (ASan: iconv given a size of -1), fed a byte at a
  // time: glibc reported EILSEQ with no input left, and skipping a byte
  // wrapped the count.
  const unsigned char crash[] = {0x7e, 0xff, 0xff, 0x01, 0x00, 0xa2, 0xe8, 0x00, 0x00, 0x30, 0x60, 0x00, 0x00,
                                 0x03, 0x63, 0x6e, 0x61, 0xff, 0xff, 0xff, 0xff, 0xf7, 0x30, 0x83, 0x00, 0x7e,
                                 0xff, 0xff, 0xff, 0xff, 0xc5};
  std::string_view data(reinterpret_cast<const char*>(crash), sizeof crash);
  for (const char* label : {"windows-1252", "shift_jis", "gbk", "euc-kr", "big5", "euc-jp"}) {
    INFO(label);
    auto bytewise = crawl::pipeline::charset_decoder::open(label);
    auto whole = crawl::pipeline::charset_decoder::open(label);
    REQUIRE(bytewise);
    REQUIRE(whole);
    std::string out, all;
    for (std::size_t i = 0; i < data.size(); ++i) bytewise->decode(data.substr(i, 1), out);
    bytewise->finish(out);
    whole->decode(data, all);
    whole->finish(all);
    CHECK(out.size() < 8 * data.size());  // bounded by the input, not by whatever lay after it
    CHECK(out == all);
  }
}

TEST_CASE("an unmapped CP949 pair is one space, whole or in pieces, even before another invalid byte", "[charset]") {
  // glibc's UHC converter takes an unmapped pair (a2 e8) before it says
  // EILSEQ; an invalid byte right after it (fe) fails at once. Found by
  // charset_fuzz: the pair's space was lost in one reading and not the other.
  const std::string data = "A\xa2\xe8\xfe\xff" "B\xa2\xe8" "C";
  auto whole = crawl::pipeline::charset_decoder::open("euc-kr");
  auto bytewise = crawl::pipeline::charset_decoder::open("euc-kr");
  REQUIRE(whole);
  std::string all, out;
  whole->decode(data, all);
  whole->finish(all);
  for (char c : data) bytewise->decode(std::string_view(&c, 1), out);
  bytewise->finish(out);
  CHECK(all == "A   B C");
  CHECK(out == all);
}
