// crawl --follow over a small site on loopback: the set of pages fetched is
// checked exactly against each server's request log.
#include "run_process.hpp"
#include "test_http_server.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <signal.h>

#include <set>
#include <thread>
#include <sstream>

using namespace crawl::test;
using json = nlohmann::json;

namespace {

using fixed = test_http_server::fixed_response;

fixed page(const std::string& body) { return fixed{200, "<!doctype html><html><body>" + body + "</body></html>", "text/html"}; }

// A site with relative and absolute links, a cycle, <base>, nofollow (link
// and page), noindex, a canonical link, other schemes, a link to another
// host, and an endless chain of pages (a calendar trap).
struct site {
  test_http_server main{"127.0.0.31"}, other{"127.0.0.32"};
  site() {
    std::string home = main.url("");  // "http://127.0.0.31:PORT"
    main.serve("/", {page("<link rel=canonical href=\"/\">home words <a href=\"a.html\">a</a> <a href=\"/b.html\">b</a>"
                          " <a href=\"" + home + "/c.html#part\">c</a> <a href=\"#top\">top</a>"
                          " <a href=\"mailto:someone@example.org\">m</a> <a href=\"javascript:void(0)\">j</a>"
                          " <a href=\"" + other.url("/external.html") + "\">out</a>"
                          " <a href=\"/nofollowed.html\" rel=\"nofollow\">nf</a>")});
    main.serve("/a.html", {page("<base href=\"/sub/\">alpha <a href=\"d.html\">d</a> <a href=\"../a.html\">back</a>")});
    main.serve("/b.html", {page("<meta name=\"robots\" content=\"noindex\">secret <a href=\"/e.html\">e</a>")});
    main.serve("/c.html", {page("<meta name=\"robots\" content=\"nofollow\">gamma <a href=\"/never.html\">n</a>")});
    main.serve("/sub/d.html", {page("delta <a href=\"/deep/1.html\">deeper</a>")});
    main.serve("/e.html", {page("epsilon <a href=\"/\">home again</a>")});
    for (int i = 1; i < 10; ++i)
      main.serve("/deep/" + std::to_string(i) + ".html",
                 {page("trap <a href=\"/deep/" + std::to_string(i + 1) + ".html\">next</a>")});
    main.serve("/nofollowed.html", {page("unwanted")});
    main.serve("/never.html", {page("unwanted")});
    other.serve("/external.html", {page("elsewhere")});
  }
};

std::set<std::string> pages_fetched(const test_http_server& server) {
  std::set<std::string> paths;
  for (const auto& e : server.request_log())
    if (e.path != "/robots.txt") paths.insert(e.path);
  return paths;
}

std::size_t page_requests(const test_http_server& server) {
  std::size_t n = 0;
  for (const auto& e : server.request_log()) n += e.path != "/robots.txt";
  return n;
}

}  // namespace

TEST_CASE("follow: links within the seed's host, to --depth, each page once, nofollow and noindex kept",
          "[cli][follow]") {
  auto dir = temp_dir("follow-site");
  site s;
  auto r = run_crawl({s.main.url("/"), "--follow", "--depth", "3", "--delay", "0", "-q", "-o", dir + "/c.tsv",
                      "--results", dir + "/r.jsonl", "--summary", dir + "/s.json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(pages_fetched(s.main) == std::set<std::string>{"/", "/a.html", "/b.html", "/c.html", "/sub/d.html", "/e.html",
                                                       "/deep/1.html"});
  CHECK(page_requests(s.main) == 7);  // the cycles (/a.html, /, the canonical link) fetched once
  CHECK(s.other.request_log().empty());  // another host: out of scope
  auto counts = read_tsv(dir + "/c.tsv");
  CHECK(counts["alpha"] == 1);
  CHECK(counts["trap"] == 1);
  CHECK(counts.count("secret") == 0);  // noindex: fetched for its links, its words not counted
  CHECK(counts["epsilon"] == 1);       // found through the noindex page
  // Each record says how the page was reached.
  std::istringstream lines(read_file(dir + "/r.jsonl"));
  std::map<std::string, json> by_url;
  for (std::string line; std::getline(lines, line);) {
    auto j = json::parse(line);
    by_url[j["url"]] = j;
  }
  CHECK(by_url[s.main.url("/")]["depth"] == 0);
  CHECK(by_url[s.main.url("/")]["referrer"].is_null());
  CHECK(by_url[s.main.url("/sub/d.html")]["depth"] == 2);
  CHECK(by_url[s.main.url("/sub/d.html")]["referrer"] == s.main.url("/a.html"));
  CHECK(by_url[s.main.url("/deep/1.html")]["depth"] == 3);
  auto summary = json::parse(read_file(dir + "/s.json"));
  CHECK(summary["ok"] == 7);
  CHECK(summary["links"]["noindex_pages"] == 1);
  CHECK(summary["links"]["not_followed"]["scope"] == 1);     // the other host
  CHECK(summary["links"]["not_followed"]["not-http"] == 2);  // mailto:, javascript:
  CHECK(summary["links"]["not_followed"]["nofollow"] == 2);  // one link, one page's link
  CHECK(summary["links"]["not_followed"]["depth"] == 1);     // /deep/1.html's link
}

TEST_CASE("follow: --scope any, --exclude, --ignore-nofollow and --max-pages", "[cli][follow]") {
  auto dir = temp_dir("follow-options");
  {
    site s;
    auto r = run_crawl({s.main.url("/"), "--follow", "--depth", "1", "--delay", "0", "-q", "--top", "0", "--scope",
                        "any", "--exclude", "/c\\.html"});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(pages_fetched(s.main) == std::set<std::string>{"/", "/a.html", "/b.html"});
    CHECK(pages_fetched(s.other) == std::set<std::string>{"/external.html"});
  }
  {
    site s;
    auto r = run_crawl({s.main.url("/"), "--follow", "--depth", "2", "--delay", "0", "-q", "--ignore-nofollow",
                        "-o", dir + "/c.tsv"});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    auto fetched = pages_fetched(s.main);
    CHECK(fetched.count("/nofollowed.html") == 1);
    CHECK(fetched.count("/never.html") == 1);
    CHECK(read_tsv(dir + "/c.tsv")["secret"] == 1);
  }
  {
    site s;
    auto r = run_crawl({s.main.url("/"), "--follow", "--delay", "0", "-q", "--top", "0", "--max-pages", "3",
                        "--summary", dir + "/s.json"});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(page_requests(s.main) == 3);
    CHECK(json::parse(read_file(dir + "/s.json"))["ok"] == 3);
  }
}

TEST_CASE("follow: the depth and scope options need --follow", "[cli][follow]") {
  auto r = run_crawl({"http://127.0.0.1:1/", "--depth", "2"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("go with --follow") != std::string::npos);
}

TEST_CASE("follow: a crawl killed with SIGKILL resumes with the same command, totals exact, refetches bounded",
          "[cli][follow][state]") {
  auto dir = temp_dir("follow-kill");
  auto build = [](test_http_server& server) {
    std::string home;
    for (int i = 0; i < 60; ++i) home += "<a href=\"/p/" + std::to_string(i) + "\">p</a> ";
    server.serve("/", {page("home " + home)});
    for (int i = 0; i < 60; ++i)
      server.serve("/p/" + std::to_string(i),
                   {page("alpha beta w" + std::to_string(i) + " <a href=\"/\">up</a> <a href=\"/p/" +
                         std::to_string((i + 1) % 60) + "\">next</a>")});
  };
  test_http_server reference_site("127.0.0.33"), site("127.0.0.34");
  build(reference_site);
  build(site);
  auto reference = run_crawl({reference_site.url("/"), "--follow", "--delay", "0", "-q", "-o", dir + "/ref.tsv"});
  REQUIRE(reference.exit_code == 0);
  REQUIRE(page_requests(reference_site) == 61);

  std::vector<std::string> args{site.url("/"), "--follow", "--delay", "0.02", "--state", dir + "/s.db", "-q", "-o",
                                dir + "/c.tsv"};
  child_process first(args);
  for (int i = 0; i < 1000 && page_requests(site) < 15; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  first.signal(SIGKILL);
  auto killed = first.wait(std::chrono::seconds(30));
  REQUIRE(killed.exit_code == 128 + SIGKILL);
  std::size_t before = page_requests(site);
  if (before >= 61) {
    WARN("skipped: the crawl finished before it could be killed");
    return;
  }
  auto resumed = run_crawl(args);
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK(read_tsv(dir + "/c.tsv") == read_tsv(dir + "/ref.tsv"));
  // Only what was in flight at the kill is asked for twice (8 per host at most).
  CHECK(page_requests(site) <= 61 + 8);
  CHECK(pages_fetched(site).size() == 61);
}

namespace {
std::vector<json> json_lines(const std::string& path) {
  std::vector<json> out;
  std::istringstream in(read_file(path));
  for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
  return out;
}
}  // namespace

TEST_CASE("follow: --scope domain takes the other hosts of the seed's registrable domain (names given by --resolve)",
          "[cli][follow]") {
  auto dir = temp_dir("follow-domain");
  test_http_server www{"127.0.0.41"}, docs{"127.0.0.42"}, elsewhere{"127.0.0.43"};
  auto named = [](const test_http_server& s, const std::string& name) {
    return "http://" + name + ":" + std::to_string(s.port());
  };
  std::string www_url = named(www, "www.example.test"), docs_url = named(docs, "docs.example.test"),
              other_url = named(elsewhere, "example.org.test");
  www.serve("/", {page("front <a href=\"" + docs_url + "/guide.html\">docs</a> <a href=\"" + other_url +
                       "/o.html\">other</a> <a href=\"/deep.html\" rel=nofollow>nf</a>")});
  docs.serve("/guide.html", {page("guide words")});
  elsewhere.serve("/o.html", {page("not ours")});
  std::vector<std::string> resolve;
  for (auto [s, name] : {std::pair{&www, "www.example.test"}, {&docs, "docs.example.test"}, {&elsewhere, "example.org.test"}})
    for (const auto& arg : {std::string("--resolve"), std::string(name) + ":" + std::to_string(s->port()) + ":" + s->address()})
      resolve.push_back(arg);

  std::vector<std::string> args = {www_url + "/", "--follow", "--delay", "0", "-q", "--top", "0", "--scope", "domain",
                                   "--results", dir + "/r.jsonl"};
  args.insert(args.end(), resolve.begin(), resolve.end());
  auto r = run_crawl(args);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(pages_fetched(docs) == std::set<std::string>{"/guide.html"});
  CHECK(elsewhere.request_log().empty());
  CHECK(www.last_request("/").find("Host: www.example.test:" + std::to_string(www.port())) != std::string::npos);
  // Each link not followed is one --results line, with why.
  std::map<std::string, json> by_url;
  for (auto& line : json_lines(dir + "/r.jsonl")) by_url[line["url"]] = line;
  REQUIRE(by_url.count(other_url + "/o.html"));
  CHECK(by_url[other_url + "/o.html"]["skipped"] == "scope");
  CHECK(by_url[other_url + "/o.html"]["referrer"] == www_url + "/");
  CHECK(by_url[other_url + "/o.html"]["discovered_from"] == "link");
  CHECK(by_url[other_url + "/o.html"]["depth"] == 1);
  REQUIRE(by_url.count(www_url + "/deep.html"));
  CHECK(by_url[www_url + "/deep.html"]["skipped"] == "nofollow");
  CHECK(by_url[docs_url + "/guide.html"]["discovered_from"] == "link");
  CHECK(by_url[docs_url + "/guide.html"]["skipped"].is_null());

  // The default scope keeps to the seed's own host.
  args[8] = "host";
  auto host_only = run_crawl(args);
  CHECK(host_only.exit_code == 0);
  CHECK(docs.requests("/guide.html") == 1);  // not again
}

TEST_CASE("follow: --cookies sends back what a site set, --cookie-jar keeps it for the next run", "[cli][follow]") {
  auto dir = temp_dir("follow-cookies");
  test_http_server server{"127.0.0.44"};
  server.serve("/", {fixed{200, "<a href=\"/private.html\">in</a>", "text/html", "Set-Cookie: session=s3cret; Path=/\r\n"}});
  server.serve("/private.html", {page("members only")});
  server.serve("/later.html", {page("still members")});

  auto plain = run_crawl({server.url("/"), "--follow", "--delay", "0", "-q", "--top", "0"});
  CHECK(plain.exit_code == 0);
  CHECK(server.last_request("/private.html").find("Cookie:") == std::string::npos);  // off by default

  auto kept = run_crawl({server.url("/"), "--follow", "--delay", "0", "-q", "--top", "0", "--cookies"});
  CHECK(kept.exit_code == 0);
  CHECK(server.last_request("/private.html").find("Cookie: session=s3cret") != std::string::npos);

  std::string jar = dir + "/jar.txt";
  auto saved = run_crawl({server.url("/"), "--follow", "--delay", "0", "-q", "--top", "0", "--cookie-jar", jar});
  INFO(saved.err);
  CHECK(saved.exit_code == 0);
  CHECK(read_file(jar).find("session\ts3cret") != std::string::npos);
  auto next = run_crawl({server.url("/later.html"), "-q", "--top", "0", "--cookie-jar", jar});
  CHECK(next.exit_code == 0);
  CHECK(server.last_request("/later.html").find("Cookie: session=s3cret") != std::string::npos);

  // A jar that cannot be read is an error naming it, before any request.
  auto before = server.total_requests();
  auto unreadable = run_crawl({server.url("/later.html"), "-q", "--cookie-jar", dir});
  CHECK(unreadable.exit_code == 2);
  CHECK(unreadable.err.find(dir) != std::string::npos);
  CHECK(server.total_requests() == before);
}
