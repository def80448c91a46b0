// Links read by the HTML scanner in its one pass over a page.
#include "crawl/pipeline/html_text.hpp"

#include <catch2/catch.hpp>

using namespace crawl::pipeline;

namespace {

struct scanned {
  html_links links;
  std::string text;
};

scanned scan(std::string_view html, std::size_t piece = 0) {
  scanned s;
  html_text h;
  h.collect_links(&s.links);
  if (piece == 0) piece = html.size() + 1;
  for (std::size_t i = 0; i < html.size(); i += piece) h.feed(html.substr(i, piece), s.text);
  h.finish(s.text);
  return s;
}

std::vector<std::string> urls(const html_links& l) {
  std::vector<std::string> out;
  for (const auto& link : l.links) out.push_back(link.url);
  return out;
}

}  // namespace

TEST_CASE("links: a, area, frame, iframe and link rel=canonical, quoted or not, in document order", "[links]") {
  auto s = scan(R"(<html><head><link rel="stylesheet" href="/style.css"><link rel="Canonical" href="/canon">
    <base href="/dir/"><base href="/ignored/"></head><body>
    <a href="/dq">x</a> <a href='/sq'>y</a> <A HREF=/unquoted>z</A> <a id=1 href = "spaced" title='t'>w</a>
    <map><area shape=rect href="/area"></map><iframe src="/frame.html"></iframe><frame src=/f2>
    <a name="no-href">n</a><a href>empty</a><img src="/not-a-link.png"></body></html>)");
  CHECK(urls(s.links) == std::vector<std::string>{"/canon", "/dq", "/sq", "/unquoted", "spaced", "/area", "/frame.html",
                                                  "/f2"});
  CHECK(s.links.links[0].from == html_link::kind::canonical);
  CHECK(s.links.links[5].from == html_link::kind::area);
  CHECK(s.links.links[6].from == html_link::kind::frame);
  CHECK(s.links.base == "/dir/");
  CHECK(s.links.dropped == 0);
}

TEST_CASE("links: rel=nofollow marks a link, meta robots marks the page", "[links]") {
  auto s = scan(R"(<meta name="ROBOTS" content="noindex, NOFOLLOW"><meta name="description" content="nofollow">
    <a href="/a" rel="noopener NoFollow">a</a><a href="/b" rel="external">b</a>)");
  REQUIRE(s.links.links.size() == 2);
  CHECK(s.links.links[0].nofollow);
  CHECK_FALSE(s.links.links[1].nofollow);
  CHECK(s.links.page_nofollow);
  CHECK(s.links.page_noindex);
  auto none = scan(R"(<meta content="none" name=robots>)");
  CHECK(none.links.page_nofollow);
  CHECK(none.links.page_noindex);
  auto other = scan(R"(<meta name="googlebot" content="nofollow"><a href=/x>)");
  CHECK_FALSE(other.links.page_nofollow);
}

TEST_CASE("links: character references are decoded as HTML does in attributes, white space dropped", "[links]") {
  auto s = scan("<a href=\"/a?x=1&amp;y=2\">1</a><a href=\"/b?x=1&copy=2\">2</a><a href=\"&#x2F;c&#47;d\">3</a>"
                "<a href=\"  /e\n/f\t  \">4</a><a href=\"/g&amp\">5</a>");
  CHECK(urls(s.links) == std::vector<std::string>{"/a?x=1&y=2", "/b?x=1&copy=2", "/c/d", "/e/f", "/g&"});
}

TEST_CASE("links: nothing is taken from comments, scripts, end tags or other tags", "[links]") {
  auto s = scan(R"(<!-- <a href="/comment"> --><script>var s = '<a href="/script">';</script>
    <style>a[href="/style"] {}</style></a href="/end"><div href="/div"><a href="/real">r</a>)");
  CHECK(urls(s.links) == std::vector<std::string>{"/real"});
}

TEST_CASE("links: the same links and text however the page is cut, and the text is as without links", "[links]") {
  std::string page = R"(<base href='http://h/'><p>Some <a href="/one" rel=nofollow>linked</a> text
    <A HREF=two.html>and</A> <iframe src="/f"></iframe><a href='/q?a=1&amp;b=2'>more</a>
    <meta name=robots content=noindex></p>)";
  auto whole = scan(page);
  html_text plain;
  std::string text;
  plain.feed(page, text);
  plain.finish(text);
  CHECK(whole.text == text);
  for (std::size_t piece = 1; piece < 12; ++piece) {
    auto cut = scan(page, piece);
    CHECK(urls(cut.links) == urls(whole.links));
    CHECK(cut.links.base == whole.links.base);
    CHECK(cut.links.page_noindex == whole.links.page_noindex);
    CHECK(cut.text == whole.text);
  }
  CHECK(urls(whole.links) == std::vector<std::string>{"/one", "two.html", "/f", "/q?a=1&b=2"});
}

TEST_CASE("links: a page's links and each URL's length are bounded", "[links]") {
  std::string page;
  for (std::size_t i = 0; i <= html_links::max_links; ++i) page += "<a href=/" + std::to_string(i) + ">x</a>";
  page += "<a href=\"/" + std::string(html_links::max_url, 'x') + "\">long</a>";
  auto s = scan(page);
  CHECK(s.links.links.size() == html_links::max_links);
  CHECK(s.links.dropped == 2);
}

TEST_CASE("links: a quote inside an unquoted value is part of it, with or without links collected", "[links]") {
  // Found by html_text_fuzz: the text scanner took any '"' in a tag for the
  // start of a quoted value, the link reader (as HTML5 does) only one after
  // '='; so collecting links changed the visible text. Both now read it as HTML5.
  std::string page = "<a href=x\"y title=z>one</a> two \" three";
  auto s = scan(page);
  CHECK(urls(s.links) == std::vector<std::string>{"x\"y"});
  html_text plain;
  std::string text;
  plain.feed(page, text);
  plain.finish(text);
  CHECK(text == s.text);
  CHECK(text.find("one") != std::string::npos);
}
