#include "crawl/pipeline/html_text.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace crawl::pipeline;

namespace {

// Visible text with white space runs folded to one space, trimmed.
std::string visible(std::string_view html, std::size_t piece = std::string::npos) {
  html_text h;
  std::string out;
  for (std::size_t i = 0; i < html.size(); i += piece) {
    h.feed(html.substr(i, piece), out);
    if (piece == std::string::npos) break;
  }
  h.finish(out);
  std::string folded;
  for (char c : out) {
    bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (space && (folded.empty() || folded.back() == ' ')) continue;
    folded.push_back(space ? ' ' : c);
  }
  while (!folded.empty() && folded.back() == ' ') folded.pop_back();
  return folded;
}

}  // namespace

TEST_CASE("tags and attributes are not text", "[html]") {
  CHECK(visible("<p class=\"x > y\" data-a='1'>Hello <em>world</em></p>") == "Hello world");
}

TEST_CASE("the title counts, script, style, noscript and template do not", "[html]") {
  CHECK(visible("<html><head><title>My Title</title><style>p{color:red}</style>"
                "<script>var a = '</p>'; if (a < b) {}</script></head>"
                "<body><noscript>enable js</noscript><template><p>hidden <b>inside</b></p></template>"
                "<p>shown</p></body></html>") == "My Title shown");
}

TEST_CASE("a script containing </p> or </scriptx> ends only at </script>", "[html]") {
  CHECK(visible("a<script>x = '</p>'; y = '</scriptx>'; </SCRIPT >b") == "a b");
}

TEST_CASE("comments, CDATA, doctype and processing instructions are not text", "[html]") {
  CHECK(visible("<!DOCTYPE html><?xml version='1.0'?>one <!-- two <p>three</p> --> four "
                "<![CDATA[five]]> six <!--> seven <!---> eight") == "one four six seven eight");
  CHECK(visible("a<!-- x -->b") == "ab");  // a comment is not a word break
}

TEST_CASE("block tags separate words, inline tags do not", "[html]") {
  CHECK(visible("<div>one</div><div>two</div>th<b>re</b>e<br>four<span>five</span>") == "one two three fourfive");
}

TEST_CASE("only the inline elements themselves join words: not longer or look-alike names", "[html]") {
  for (const char* name : {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "kbd",
                           "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "tt",
                           "u", "var", "wbr", "STRONG", "Span"}) {
    INFO(name);
    CHECK(visible(std::string("x<") + name + ">y</" + name + ">z") == "xyz");
  }
  for (std::string name : {"aa", "ab", "strongs", "strongly", "spa", "blockquote", "timex", "div", "p"}) {
    INFO(name);
    CHECK(visible("x<" + name + ">y") == "x y");
  }
  CHECK(visible(std::string("x<a\0>y", 6)) == "x y");  // a NUL in the name makes it another name
}

TEST_CASE("named and numeric entities are decoded", "[html]") {
  CHECK(visible("fish &amp; chips &lt;3 caf&eacute; &#233;t&#xE9; &copy &notanentity; &#128512; &#x80;") ==
        "fish & chips <3 caf\xc3\xa9 \xc3\xa9t\xc3\xa9 \xc2\xa9 &notanentity; \xf0\x9f\x98\x80 \xe2\x82\xac");
}

TEST_CASE("bad numeric references become U+FFFD", "[html]") {
  CHECK(visible("a&#0;b&#xD800;c&#99999999;d") == "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xef\xbf\xbd" "d");
}

TEST_CASE("unclosed tags and a lone < do not lose text", "[html]") {
  CHECK(visible("1 < 2 and <p>para <b>bold") == "1 < 2 and para bold");
  CHECK(visible("tail <") == "tail <");
}

TEST_CASE("the result does not depend on how the input is cut", "[html]") {
  std::string doc =
      "<html><title>T&amp;C</title><script>if (a</b) {}</script><p>Caf&eacute; <!-- c -- > --> "
      "<b>bo</b>ld &#x41;&#66;</p><template>no<template>nested</template>still no</template>yes</html>";
  std::string whole = visible(doc);
  CHECK(whole == "T&C Caf\xc3\xa9 bold AB yes");
  for (std::size_t piece : {1u, 2u, 3u, 4u, 7u, 13u}) {
    INFO("piece " << piece);
    CHECK(visible(doc, piece) == whole);
  }
}

TEST_CASE("long runs of text around markup at every offset are kept whole", "[html]") {
  // Text runs of 0 to 40 bytes before each '<' or '&', so markup falls at
  // every position of a 16-byte block, and feeds of 1 byte compare with
  // whole ones.
  std::string doc, expected;
  for (std::size_t len = 0; len <= 40; ++len) {
    std::string run(len, static_cast<char>('a' + len % 26));
    doc += run + (len % 2 ? "<b>" : "&amp;");
    expected += run + (len % 2 ? "" : "&");
  }
  CHECK(visible(doc) == expected);
  CHECK(visible(doc, 1) == expected);
  CHECK(visible(doc, 17) == expected);
}

TEST_CASE("long attribute values, scripts and bogus comments are skipped whole", "[html]") {
  std::string filler(50, 'x');
  std::string doc = "<a title=\"" + filler + " > not text\" data-x='" + filler + "\">'>one</a>" +
                    "<script>var s = '" + filler + "<b>' + 1 < 2; </scrip </script>two" +
                    "<?pi " + filler + " ?>three<STYLE>p{}" + filler + "</style>four";
  for (std::size_t piece : {std::string::npos, std::size_t{1}, std::size_t{5}, std::size_t{16}}) {
    INFO("piece " << piece);
    CHECK(visible(doc, piece) == "one twothree four");  // a processing instruction is not a break
  }
}
