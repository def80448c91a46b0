// robots.txt per RFC 9309, and the mistakes other parsers made.
#include "crawl/crawler/robots.hpp"

#include <catch2/catch.hpp>

using crawl::crawler::normalize_robots_path;
using crawl::crawler::product_token_of;
using crawl::crawler::robots_pattern_matches;
using crawl::crawler::robots_policy;

namespace {

// The example of RFC 9309, section 5.1.
constexpr const char* rfc_example =
    "User-Agent: *\n"
    "Disallow: *.gif$\n"
    "Disallow: /example/\n"
    "Allow: /publications/\n"
    "\n"
    "User-Agent: foobot\n"
    "Disallow:/\n"
    "Allow:/example/page.html\n"
    "Allow:/example/allowed.gif\n"
    "\n"
    "User-Agent: barbot\n"
    "User-Agent: bazbot\n"
    "Disallow: /example/page.html\n"
    "\n"
    "User-Agent: quxbot\n"
    "\n"
    "EOF\n";

}  // namespace

TEST_CASE("robots: the RFC 9309 example, for each crawler it names", "[robots]") {
  auto foobot = robots_policy::parse(rfc_example, "foobot");
  CHECK(foobot.allowed("/example/page.html"));
  CHECK(foobot.allowed("/example/allowed.gif"));
  CHECK_FALSE(foobot.allowed("/"));
  CHECK_FALSE(foobot.allowed("/publications/"));

  // Two User-agent lines, one group.
  for (const char* bot : {"barbot", "bazbot"}) {
    auto p = robots_policy::parse(rfc_example, bot);
    CHECK_FALSE(p.allowed("/example/page.html"));
    CHECK(p.allowed("/example/other.html"));
    CHECK(p.allowed("/x.gif"));  // the * group does not apply to a crawler that has its own
  }
  // A group of its own with no rules: everything allowed, the * group not used.
  auto quxbot = robots_policy::parse(rfc_example, "quxbot");
  CHECK(quxbot.allowed("/example/page.html"));
  CHECK(quxbot.allowed("/a.gif"));

  auto other = robots_policy::parse(rfc_example, "crawl");
  CHECK_FALSE(other.allowed("/images/a.gif"));
  CHECK(other.allowed("/images/a.gif?size=2"));  // '$' anchors at the end
  CHECK_FALSE(other.allowed("/example/"));
  CHECK_FALSE(other.allowed("/example/page.html"));
  CHECK(other.allowed("/publications/"));
  CHECK(other.allowed("/"));
}

TEST_CASE("robots: a blank line does not end a group, and rules before any group are ignored", "[robots]") {
  auto p = robots_policy::parse("Disallow: /early\nUser-agent: crawl\n\n\nDisallow: /a\n# a comment\n\nDisallow: /b\n",
                                "crawl");
  CHECK(p.allowed("/early"));
  CHECK_FALSE(p.allowed("/a"));
  CHECK_FALSE(p.allowed("/b"));
  CHECK(p.allowed("/c"));
}

TEST_CASE("robots: the product token matches whole and in any case, and every group naming us is merged",
          "[robots]") {
  CHECK_FALSE(robots_policy::parse("User-agent: CRAWL\nDisallow: /x\n", "crawl").allowed("/x"));
  // Not a substring match either way.
  CHECK(robots_policy::parse("User-agent: mycrawl\nDisallow: /x\n", "crawl").allowed("/x"));
  CHECK(robots_policy::parse("User-agent: crawler\nDisallow: /x\n", "crawl").allowed("/x"));
  CHECK(robots_policy::parse("User-agent: bot\nDisallow: /x\n", "mybot").allowed("/x"));
  // A version after the token still names us.
  CHECK_FALSE(robots_policy::parse("User-agent: crawl/2.0\nDisallow: /x\n", "crawl").allowed("/x"));
  auto merged = robots_policy::parse(
      "User-agent: crawl\nDisallow: /a\n\nUser-agent: other\nDisallow: /o\n\nUser-agent: *\nDisallow: /s\n\n"
      "User-agent: crawl\nDisallow: /b\n",
      "crawl");
  CHECK_FALSE(merged.allowed("/a"));
  CHECK_FALSE(merged.allowed("/b"));
  CHECK(merged.allowed("/o"));
  CHECK(merged.allowed("/s"));
  // Without a group naming us, every * group together.
  auto stars = robots_policy::parse("User-agent: *\nDisallow: /a\n\nUser-agent: x\nDisallow: /x\n\nUser-agent: *\n"
                                    "Disallow: /b\n",
                                    "crawl");
  CHECK_FALSE(stars.allowed("/a"));
  CHECK_FALSE(stars.allowed("/b"));
  CHECK(stars.allowed("/x"));
  // Without either, everything.
  CHECK(robots_policy::parse("User-agent: x\nDisallow: /\n", "crawl").allowed("/anything"));
  // Keys in any case.
  CHECK_FALSE(robots_policy::parse("USER-AGENT: crawl\nDISALLOW: /x\n", "crawl").allowed("/x"));
}

TEST_CASE("robots: the longest match wins, Allow wins a tie, an empty Disallow matches nothing", "[robots]") {
  auto p = robots_policy::parse("User-agent: *\nAllow: /p\nDisallow: /\n", "crawl");
  CHECK(p.allowed("/p"));
  CHECK(p.allowed("/page"));
  CHECK_FALSE(p.allowed("/q"));
  auto folder = robots_policy::parse("User-agent: *\nAllow: /folder\nDisallow: /folder/page\n", "crawl");
  CHECK_FALSE(folder.allowed("/folder/page.html"));
  CHECK(folder.allowed("/folder/other"));
  auto tie = robots_policy::parse("User-agent: *\nDisallow: /page\nAllow: /page\n", "crawl");
  CHECK(tie.allowed("/page"));
  auto tie_reversed = robots_policy::parse("User-agent: *\nAllow: /page\nDisallow: /page\n", "crawl");
  CHECK(tie_reversed.allowed("/page"));
  auto empty = robots_policy::parse("User-agent: *\nDisallow:\n", "crawl");
  CHECK(empty.allowed("/"));
  CHECK(empty.allowed("/anything"));
}

TEST_CASE("robots: /robots.txt is always allowed, even to a site that disallows everything", "[robots]") {
  CHECK(robots_policy::parse("User-agent: *\nDisallow: /\n", "crawl").allowed("/robots.txt"));
  CHECK(robots_policy::disallow_all().allowed("/robots.txt"));
  CHECK_FALSE(robots_policy::disallow_all().allowed("/"));
  CHECK(robots_policy::allow_all().allowed("/"));
}

TEST_CASE("robots: paths and patterns are compared after one percent-encoding normalization", "[robots]") {
  CHECK(normalize_robots_path("/a%3cd") == "/a%3Cd");
  CHECK(normalize_robots_path("/%7Ejoe") == "/~joe");
  CHECK(normalize_robots_path("/foo%2Fbar") == "/foo%2Fbar");
  CHECK(normalize_robots_path("/%2a%24") == "/%2A%24");
  CHECK(normalize_robots_path("/\xC3\xA4") == "/%C3%A4");
  CHECK(normalize_robots_path("/%") == "/%");  // a lone '%' is left alone
  auto p = robots_policy::parse("User-agent: *\nDisallow: /a%3cd\nDisallow: /%7Ejoe\nDisallow: /\xC3\xA4\n"
                                "Disallow: /foo%2Fbar\n",
                                "crawl");
  CHECK_FALSE(p.allowed("/a%3Cd"));
  CHECK_FALSE(p.allowed("/~joe/x"));
  CHECK_FALSE(p.allowed("/%C3%A4"));
  CHECK_FALSE(p.allowed("/%c3%a4"));
  CHECK(p.allowed("/foo/bar"));  // %2F is not a '/'
  CHECK_FALSE(p.allowed("/foo%2fbar"));
}

TEST_CASE("robots: '*' matches any run and a final '$' the end", "[robots]") {
  CHECK(robots_pattern_matches("/fish*", "/fish.html"));
  CHECK(robots_pattern_matches("/fish", "/fishheads/catfish.php?parameters"));
  CHECK_FALSE(robots_pattern_matches("/fish", "/Fish.asp"));
  CHECK(robots_pattern_matches("/*.php", "/folder/filename.php?parameters"));
  CHECK_FALSE(robots_pattern_matches("/*.php", "/windows.PHP"));
  CHECK(robots_pattern_matches("/*.php$", "/filename.php"));
  CHECK_FALSE(robots_pattern_matches("/*.php$", "/filename.php?parameters"));
  CHECK_FALSE(robots_pattern_matches("/*.php$", "/filename.php5"));
  CHECK(robots_pattern_matches("/fish*.php", "/fishheads/catfish.php?parameters"));
  CHECK(robots_pattern_matches("*", ""));
  CHECK(robots_pattern_matches("/$", "/"));
  CHECK_FALSE(robots_pattern_matches("/$", "/a"));
  CHECK(robots_pattern_matches("/a*b*c$", "/aXbYc"));
  CHECK_FALSE(robots_pattern_matches("/a*b*c$", "/aXbYcZ"));
}

TEST_CASE("robots: a pattern full of '*' takes at most quadratic work, never exponential", "[robots]") {
  std::string pattern = "/";
  for (int i = 0; i < 60; ++i) pattern += "*a";
  pattern += "b";
  std::string path = "/" + std::string(5000, 'a');
  std::size_t steps = 0;
  CHECK_FALSE(robots_pattern_matches(pattern, path, &steps));
  CHECK(steps <= (pattern.size() + 1) * (path.size() + 1));
  steps = 0;
  auto p = robots_policy::parse("User-agent: *\nDisallow: " + pattern + "\n", "crawl");
  CHECK(p.allowed(path));
}

TEST_CASE("robots: a byte order mark, CRLF, Crawl-delay and Sitemap lines", "[robots]") {
  auto p = robots_policy::parse("\xEF\xBB\xBFUser-agent: *\r\nDisallow: /x\r\nCrawl-delay: 2.5\r\n"
                                "Sitemap: https://example.org/sitemap.xml\r\n\r\nUser-agent: other\r\n"
                                "Crawl-delay: 9\r\nSitemap: https://example.org/other.xml\r\n",
                                "crawl");
  CHECK_FALSE(p.allowed("/x"));
  REQUIRE(p.crawl_delay());
  CHECK(*p.crawl_delay() == 2.5);
  CHECK(p.sitemaps() == std::vector<std::string>{"https://example.org/sitemap.xml", "https://example.org/other.xml"});
  // A Sitemap line between a group's User-agent lines does not split the group.
  auto q = robots_policy::parse("User-agent: x\nSitemap: /s.xml\nUser-agent: crawl\nDisallow: /y\n", "crawl");
  CHECK_FALSE(q.allowed("/y"));
  CHECK_FALSE(robots_policy::parse("User-agent: *\nCrawl-delay: soon\n", "crawl").crawl_delay());
}

TEST_CASE("robots: only the first 500 KiB of a file are read", "[robots]") {
  std::string text = "User-agent: *\nDisallow: /early\n";
  text += std::string(robots_policy::max_bytes, '#') + "\nDisallow: /late\n";
  auto p = robots_policy::parse(text, "crawl");
  CHECK_FALSE(p.allowed("/early"));
  CHECK(p.allowed("/late"));
}

TEST_CASE("robots: the product token of a User-Agent header", "[robots]") {
  CHECK(product_token_of("crawl/0.1.0 (+https://example.org/bot)") == "crawl");
  CHECK(product_token_of("My_Bot-2 extra") == "My_Bot-2");
  CHECK(product_token_of("") == "");
}
