// crawl --follow --sitemaps on loopback: robots.txt Sitemap lines,
// /sitemap.xml, an index, gzip and text sitemaps; the set of requests is
// checked exactly against the server's log.
#include "compress.hpp"
#include "run_process.hpp"
#include "test_http_server.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <set>
#include <sstream>

using namespace crawl::test;
using json = nlohmann::json;

namespace {

using fixed = test_http_server::fixed_response;

fixed page(const std::string& body) { return fixed{200, "<!doctype html><html><body>" + body + "</body></html>", "text/html"}; }

std::string urlset(const std::vector<std::string>& locs) {
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
  for (const auto& loc : locs) xml += "  <url><loc>" + loc + "</loc><priority>0.5</priority></url>\n";
  return xml + "</urlset>\n";
}

std::set<std::string> paths_asked(const test_http_server& server) {
  std::set<std::string> paths;
  for (const auto& e : server.request_log()) paths.insert(e.path);
  return paths;
}

std::vector<json> lines_of(const std::string& path) {
  std::vector<json> out;
  std::istringstream in(read_file(path));
  for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
  return out;
}

const json* result_for(const std::vector<json>& results, const std::string& url) {
  for (const auto& r : results)
    if (r["url"] == url) return &r;
  return nullptr;
}

// robots.txt names an index, which names a gzip sitemap and a missing one;
// /sitemap.xml is a text sitemap. Pages listed: in scope, disallowed, on
// another host, twice.
struct mapped_site {
  test_http_server main{"127.0.0.35"}, other{"127.0.0.36"};
  mapped_site() {
    main.serve("/robots.txt", {fixed{200, "User-agent: *\nDisallow: /private/\nSitemap: " + main.url("/maps/index.xml") + "\n"}});
    main.serve("/maps/index.xml",
               {fixed{200,
                      "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><sitemap><loc>" +
                          main.url("/maps/pages.xml.gz") + "</loc></sitemap><sitemap><loc>" +
                          main.url("/maps/missing.xml") + "</loc></sitemap></sitemapindex>",
                      "application/xml"}});
    main.serve("/maps/pages.xml.gz",
               {fixed{200,
                      gzip_of(urlset({main.url("/listed1.html"), main.url("/listed2.html?a=1&amp;b=2"),
                                      main.url("/private/x.html"), other.url("/out.html"), main.url("/listed1.html")})),
                      "application/gzip"}});
    main.serve("/maps/missing.xml", {fixed{404, "not here"}});
    main.serve("/sitemap.xml", {fixed{200, main.url("/listed3.html") + "\n", "text/plain"}});
    main.serve("/", {page("home <a href=\"/linked.html\">linked</a>")});
    for (const char* p : {"/listed1.html", "/listed2.html", "/listed3.html", "/linked.html"}) main.serve(p, {page("listed words")});
    other.serve("/out.html", {page("elsewhere")});
  }
};

}  // namespace

TEST_CASE("sitemaps: robots.txt Sitemap lines, an index, gzip and /sitemap.xml give seeds within scope, each once",
          "[cli][sitemaps]") {
  auto dir = temp_dir("sitemaps-site");
  mapped_site s;
  auto r = run_crawl({s.main.url("/"), "--follow", "--sitemaps", "--depth", "0", "--delay", "0", "--top", "0",
                      "--results", dir + "/r.jsonl", "--summary", dir + "/s.json"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(paths_asked(s.main) == std::set<std::string>{"/robots.txt", "/maps/index.xml", "/maps/pages.xml.gz",
                                                     "/maps/missing.xml", "/sitemap.xml", "/", "/listed1.html",
                                                     "/listed2.html", "/listed3.html"});
  CHECK(s.main.requests("/listed1.html") == 1);
  CHECK(s.other.request_log().empty());  // out of scope
  // The sitemap's URL is taken as written (entities decoded).
  CHECK(s.main.last_request("/listed2.html").find("GET /listed2.html?a=1&b=2 ") != std::string::npos);
  // A sitemap the index names but the server lacks is a warning naming it.
  CHECK(r.err.find("sitemap " + s.main.url("/maps/missing.xml")) != std::string::npos);

  auto summary = json::parse(read_file(dir + "/s.json"));
  CHECK(summary["sitemaps"]["files"] == 3);
  CHECK(summary["sitemaps"]["failed"] == 1);
  CHECK(summary["sitemaps"]["urls"] == 6);
  CHECK(summary["sitemaps"]["queued"] == 4);  // listed1, listed2, listed3, private/x
  CHECK(summary["ok"] == 4);                   // /, listed1, listed2, listed3
  CHECK(summary["skipped_by_reason"]["robots"] == 1);

  auto results = lines_of(dir + "/r.jsonl");
  const json* listed = result_for(results, s.main.url("/listed1.html"));
  REQUIRE(listed);
  CHECK((*listed)["discovered_from"] == "sitemap");
  CHECK((*listed)["referrer"] == s.main.url("/maps/pages.xml.gz"));
  CHECK((*listed)["depth"] == 0);
  const json* disallowed = result_for(results, s.main.url("/private/x.html"));
  REQUIRE(disallowed);
  CHECK((*disallowed)["skipped"] == "robots");
  const json* outside = result_for(results, s.other.url("/out.html"));
  REQUIRE(outside);
  CHECK((*outside)["skipped"] == "scope");
  CHECK((*outside)["fetched_at"].is_null());
  const json* seed = result_for(results, s.main.url("/"));
  REQUIRE(seed);
  CHECK((*seed)["discovered_from"].is_null());
  CHECK((*seed)["skipped"].is_null());
}

TEST_CASE("sitemaps: a sitemap that is not one (HTML, broken XML, a DTD) is a warning naming it, and the crawl goes on",
          "[cli][sitemaps]") {
  test_http_server server{"127.0.0.37"};
  server.serve("/robots.txt", {fixed{200, "Sitemap: " + server.url("/broken.xml") + "\nSitemap: " + server.url("/dtd.xml") + "\n"}});
  server.serve("/sitemap.xml", {fixed{200, "<html><body>Not a sitemap</body></html>", "text/html"}});
  server.serve("/broken.xml", {fixed{200, "<urlset>\n<url><loc>" + server.url("/kept.html") + "</loc></url>\n<url><loc>x</url>", "text/xml"}});
  server.serve("/dtd.xml", {fixed{200, "<?xml version=\"1.0\"?><!DOCTYPE urlset [<!ENTITY a \"aaaa\">]><urlset/>", "text/xml"}});
  server.serve("/", {page("home")});
  server.serve("/kept.html", {page("kept")});
  auto r = run_crawl({server.url("/"), "--follow", "--sitemaps", "--delay", "0", "--top", "0"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("sitemap " + server.url("/sitemap.xml") + ": not a readable sitemap at line 1") != std::string::npos);
  CHECK(r.err.find("root element is <html>") != std::string::npos);
  CHECK(r.err.find("sitemap " + server.url("/broken.xml") + ": not a readable sitemap at line 3") != std::string::npos);
  CHECK(r.err.find("DTD") != std::string::npos);
  CHECK(server.requests("/kept.html") == 1);  // what came before the error stands
}

TEST_CASE("sitemaps: --sitemaps goes with --follow", "[cli][sitemaps]") {
  auto r = run_crawl({"http://127.0.0.1:1/", "--sitemaps"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("go with --follow") != std::string::npos);
}
