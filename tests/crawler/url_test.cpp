#include "crawl/crawler/url.hpp"
#include "crawl/crawler/url_list_reader.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

using namespace crawl::crawler;

TEST_CASE("scheme and host are lowercased, default port and fragment dropped", "[url]") {
  auto c = normalize_url("HTTP://Example.COM:80/Path?q=1#frag");
  REQUIRE(c.url);
  CHECK(c.url->url == "http://example.com/Path?q=1");
  CHECK(c.url->host == "example.com");
  CHECK(normalize_url("https://example.com:443/").url->url == "https://example.com/");
  CHECK(normalize_url("http://127.0.0.1:8080/x").url->url == "http://127.0.0.1:8080/x");
}

TEST_CASE("only http and https are accepted, with a reason", "[url]") {
  auto ftp = normalize_url("ftp://example.com/file");
  CHECK_FALSE(ftp.url);
  CHECK(ftp.error == "scheme 'ftp' refused (only http and https)");
  CHECK(normalize_url("file:///etc/passwd").error.find("'file' refused") != std::string::npos);
  CHECK(normalize_url("example.com/page").error.find("not a URL") != std::string::npos);
  CHECK_FALSE(normalize_url("http://").url);
}

TEST_CASE("URL lines: comments, blanks, CRLF, BOM and white space", "[url]") {
  CHECK_FALSE(parse_url_line("   ", 3).url);
  CHECK(parse_url_line("   ", 3).error.empty());
  CHECK(parse_url_line("# comment", 4).error.empty());
  auto bom = parse_url_line("\xEF\xBB\xBFhttp://a.test/ \r", 1);
  REQUIRE(bom.url);
  CHECK(bom.url->url == "http://a.test/");
  CHECK(parse_url_line("\thttp://a.test/x  ", 9).url->url == "http://a.test/x");
  auto long_line = parse_url_line("http://a.test/" + std::string(9000, 'x'), 5);
  CHECK(long_line.error == "line longer than 8 KiB");
  CHECK(long_line.line_no == 5);
}

TEST_CASE(".invalid hosts are recognised without a lookup", "[url]") {
  CHECK(is_reserved_invalid_host("nothing.invalid"));
  CHECK(is_reserved_invalid_host("a.b.invalid."));
  CHECK_FALSE(is_reserved_invalid_host("invalid.example.com"));
}

TEST_CASE("the list reader streams lines, numbers them and drops duplicates", "[url]") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  std::string text = "http://a.test/1\r\n\n# c\nnot a url\nHTTP://A.test/1#x\nhttp://a.test/2\n" +
                     std::string(10000, 'y') + "\nhttp://a.test/3";
  REQUIRE(::write(fds[1], text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  ::close(fds[1]);
  url_list_reader reader(fds[0]);
  std::vector<url_line> lines;
  while (auto line = reader.next()) lines.push_back(std::move(*line));
  REQUIRE(lines.size() == 5);
  CHECK(lines[0].url->url == "http://a.test/1");
  CHECK(lines[1].line_no == 4);
  CHECK_FALSE(lines[1].error.empty());
  CHECK(lines[2].url->url == "http://a.test/2");
  CHECK(lines[2].line_no == 6);
  CHECK(lines[3].error == "line longer than 8 KiB");
  CHECK(lines[3].line_no == 7);
  CHECK(lines[4].url->url == "http://a.test/3");
  CHECK(lines[4].line_no == 8);
  CHECK(reader.duplicates() == 1);
}

TEST_CASE("a line with a NUL or another control character is an error, not a shorter URL", "[url]") {
  auto nul = parse_url_line(std::string("http://h.test/o\0k2", 18), 7);
  CHECK_FALSE(nul.url);
  CHECK(nul.error.find("control character 0x00") != std::string::npos);
  auto bell = parse_url_line("http://h.test/\x07", 8);
  CHECK_FALSE(bell.url);
  CHECK(parse_url_line("\thttp://h.test/x\t", 9).url);  // surrounding tabs are white space, trimmed
}

TEST_CASE("a normalized URL normalizes to itself, a percent-encoded numeric host too", "[url]") {
  for (const char* text : {"http://%32", "https:///%31", "http://%31%32%37.0.0.1:80/x", "HTTP://Ex%41mple.COM/a b", "http://2/"}) {
    INFO(text);
    auto once = normalize_url(text);
    REQUIRE(once.url);
    auto twice = normalize_url(once.url->url);
    REQUIRE(twice.url);
    CHECK(twice.url->url == once.url->url);
    CHECK(twice.url->host == once.url->host);
  }
  CHECK(normalize_url("http://%32").url->host == "0.0.0.2");  // the host libcurl connects to
}

TEST_CASE("links resolve as RFC 3986 says, fragments dropped and dot segments removed", "[url][links]") {
  const std::string base = "http://a/b/c/d;p?q";
  auto resolved = [&](const char* href) {
    auto r = resolve_link(base, href);
    return r.url ? r.url->url : "refused: " + r.error;
  };
  CHECK(resolved("g") == "http://a/b/c/g");
  CHECK(resolved("./g") == "http://a/b/c/g");
  CHECK(resolved("g/") == "http://a/b/c/g/");
  CHECK(resolved("/g") == "http://a/g");
  CHECK(resolved("//g") == "http://g/");
  CHECK(resolved("?y") == "http://a/b/c/d;p?y");
  CHECK(resolved("g?y") == "http://a/b/c/g?y");
  CHECK(resolved("g#s") == "http://a/b/c/g");
  CHECK(resolved(";x") == "http://a/b/c/;x");
  CHECK(resolved(".") == "http://a/b/c/");
  CHECK(resolved("./") == "http://a/b/c/");
  CHECK(resolved("..") == "http://a/b/");
  CHECK(resolved("../g") == "http://a/b/g");
  CHECK(resolved("../..") == "http://a/");
  CHECK(resolved("../../../g") == "http://a/g");
  CHECK(resolved("/./g") == "http://a/g");
  CHECK(resolved("/a/../b/./c") == "http://a/b/c");
  CHECK(resolved("HTTPS://Other.EXAMPLE:443/x#top") == "https://other.example/x");
}

TEST_CASE("links: an empty or fragment-only href is the page itself, its query kept", "[url][links]") {
  // libcurl 7.88 drops the query when resolving "#s".
  CHECK(resolve_link("http://a/b?q=1", "").url->url == "http://a/b?q=1");
  CHECK(resolve_link("http://a/b?q=1", "#s").url->url == "http://a/b?q=1");
  CHECK(resolve_link("http://a/b?q=1#old", "#s").url->url == "http://a/b?q=1");
}

TEST_CASE("links to other schemes are refused, naming the scheme", "[url][links]") {
  for (const char* href : {"javascript:void(0)", "mailto:someone@example.org", "data:text/html,hi", "tel:+123",
                           "ftp://example.org/f", "JavaScript:alert(1)"}) {
    INFO(href);
    auto r = resolve_link("http://a/b", href);
    CHECK_FALSE(r.url);
    CHECK(r.error.find("link, not http or https") != std::string::npos);
  }
  // A colon after a slash is no scheme.
  CHECK(resolve_link("http://a/b/", "./c:d").url->url == "http://a/b/c:d");
  CHECK(resolve_link("http://a/b/", "x/y:z").url->url == "http://a/b/x/y:z");
  CHECK_FALSE(resolve_link("http://a/b/", "/x\ny").url);
}

TEST_CASE("private addresses: loopback, private, link-local and unique-local, v4, v6 and v4-mapped", "[url]") {
  for (const char* ip : {"127.0.0.1", "127.255.0.9", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
                         "169.254.169.254", "0.0.0.0", "::1", "::", "fc00::1", "fd12:3456::1", "fe80::1",
                         "::ffff:127.0.0.1", "::ffff:10.0.0.1", "[::1]", "not an address", ""}) {
    INFO(ip);
    CHECK(is_private_address(ip));
  }
  for (const char* ip : {"8.8.8.8", "172.32.0.1", "172.15.255.255", "192.169.0.1", "100.64.0.1", "2001:db8::1",
                         "2606:4700::1111", "::ffff:8.8.8.8", "fec0::1"}) {
    INFO(ip);
    CHECK_FALSE(is_private_address(ip));
  }
}

TEST_CASE("registrable_domain: by the Public Suffix List") {
  using crawl::crawler::registrable_domain;
  CHECK(registrable_domain("www.example.co.uk") == "example.co.uk");
  CHECK(registrable_domain("a.b.example.com") == "example.com");
  CHECK(registrable_domain("WWW.Example.COM") == "example.com");
  CHECK(registrable_domain("docs.example.test") == "example.test");  // an unlisted suffix is one label
  CHECK(registrable_domain("foo.github.io") == "foo.github.io");      // a private suffix of the list
  CHECK(registrable_domain("co.uk") == "co.uk");                     // a public suffix is its own domain
  CHECK(registrable_domain("localhost") == "localhost");
  CHECK(registrable_domain("127.0.0.1") == "127.0.0.1");
  CHECK(registrable_domain("10.1.2.3") == "10.1.2.3");
  CHECK(registrable_domain("[::1]") == "[::1]");
}

TEST_CASE("link_resolver: joining plain paths gives what libcurl's parser gives, for every base and link here") {
  const char* bases[] = {"http://Example.COM:80/a/b/c.html?q=1#f", "https://h/", "http://h/dir/", "http://h",
                         "http://h/a%20b/c", "http://h/./x/../y/z", "http://h//double/x", "https://h:8443/p?x",
                         "http://[::1]:8080/a/b", "http://h/a/b/"};
  const char* links[] = {"/p1.html", "p2.html", "sub/p3.html", "/a/b?x=1&y=2", "x?=", "p?", "?q=2", "./x", "../x",
                         "/a/./b", "//other/x", "/a//b", "p#frag", "/p#f", "~user/x", "-a", "x.y.z", "/", "a",
                         "A/B", "/%41", "/a b", "/\xC3\xA9", "x:y", "mailto:x", "HTTP://X/Y", "#top", "", ".",
                         "..", "/.", "a/.", "a/..", "/a/b/", "a?b?c", "a?b=1&c", "_x", "/~"};
  for (const char* base : bases) {
    crawl::crawler::link_resolver resolver(base);
    for (const char* link : links) {
      INFO(base << " + " << link);
      auto reference = crawl::crawler::resolve_link(base, link);
      auto quick = resolver.resolve(link);
      REQUIRE(reference.url.has_value() == quick.url.has_value());
      if (!reference.url) continue;
      CHECK(quick.url->url == reference.url->url);
      CHECK(quick.url->host == reference.url->host);
    }
  }
}

TEST_CASE("link_resolver: a base that is not normalized (here a fragment with a '/') is left to libcurl (fuzz finding)") {
  std::string base = "http://e.t/b\xff#\xff/c=1#+";
  crawl::crawler::link_resolver resolver(base);
  auto quick = resolver.resolve("sub/p");
  auto reference = crawl::crawler::resolve_link(base, "sub/p");
  REQUIRE(quick.url);
  REQUIRE(reference.url);
  CHECK(quick.url->url == reference.url->url);
}
