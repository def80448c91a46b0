// robots.txt as crawl obeys it, origin by origin, checked by each loopback
// server's own request log: which paths it was asked for, and in what order.
#include "run_process.hpp"
#include "test_http_server.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sstream>
#include <thread>

using namespace crawl::test;
using json = nlohmann::json;
using std::chrono::milliseconds;

namespace {

using fixed = test_http_server::fixed_response;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::string list_of(const test_http_server& server, const std::vector<std::string>& paths) {
  std::string list;
  for (const auto& p : paths) list += server.url(p) + "\n";
  return list;
}

std::vector<std::string> paths_asked(const test_http_server& server) {
  std::vector<std::string> paths;
  for (const auto& e : server.request_log()) paths.push_back(e.path);
  return paths;
}

// Each --results record by URL path.
std::map<std::string, json> results_by_path(const std::string& file) {
  std::map<std::string, json> out;
  std::istringstream in(read_file(file));
  for (std::string line; std::getline(in, line);) {
    auto j = json::parse(line);
    std::string url = j["url"];
    out[url.substr(url.find('/', url.find("//") + 2))] = j;
  }
  return out;
}

}  // namespace

TEST_CASE("robots: each origin's robots.txt is asked for once, before its first page, and its rules are kept",
          "[cli][robots]") {
  auto dir = temp_dir("robots-rules");
  test_http_server site("127.0.0.21");
  site.serve("/robots.txt", {fixed{200, "User-agent: *\nDisallow: /count/2\n\nUser-agent: crawl\nDisallow: /count/1\n"
                                        "Allow: /count/10\n"}});
  write_file(dir + "/urls.txt", list_of(site, {"/count/0", "/count/1", "/count/10", "/count/2", "/count/3"}));
  auto r = run_crawl({dir + "/urls.txt", "-q", "--top", "0", "--results", dir + "/r.jsonl", "--summary",
                      dir + "/s.json"});
  INFO(r.err);
  CHECK(r.exit_code == 0);  // a disallowed URL is skipped, not failed
  auto asked = paths_asked(site);
  REQUIRE_FALSE(asked.empty());
  CHECK(asked.front() == "/robots.txt");
  CHECK(std::count(asked.begin(), asked.end(), "/robots.txt") == 1);
  CHECK(site.requests("/count/1") == 0);  // our group: /count/1 disallowed...
  CHECK(site.requests("/count/10") == 1);  // ... except /count/10, allowed by the longer rule
  CHECK(site.requests("/count/2") == 1);   // the * group does not apply to us
  auto s = json::parse(read_file(dir + "/s.json"));
  CHECK(s["ok"] == 4);
  CHECK(s["skipped_by_reason"]["robots"] == 1);
  auto results = results_by_path(dir + "/r.jsonl");
  CHECK(results["/count/1"]["error"] == "disallowed by robots.txt");
}

TEST_CASE("robots: a missing (404) or forbidden (403) robots.txt allows everything", "[cli][robots]") {
  auto dir = temp_dir("robots-4xx");
  test_http_server missing("127.0.0.22"), forbidden("127.0.0.23");
  forbidden.serve("/robots.txt", {fixed{403, "no"}});
  write_file(dir + "/urls.txt", list_of(missing, {"/count/0", "/count/1"}) + list_of(forbidden, {"/count/0"}));
  auto r = run_crawl({dir + "/urls.txt", "-q", "--top", "0", "--summary", dir + "/s.json"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(json::parse(read_file(dir + "/s.json"))["ok"] == 3);
  CHECK(missing.requests("/robots.txt") == 1);
  CHECK(forbidden.requests("/robots.txt") == 1);
}

TEST_CASE("robots: a robots.txt that answers 500 keeps the whole site unfetched, and says why", "[cli][robots]") {
  auto dir = temp_dir("robots-5xx");
  test_http_server broken("127.0.0.24"), fine("127.0.0.25");
  broken.serve("/robots.txt", {fixed{500, "oops"}});
  write_file(dir + "/urls.txt", list_of(broken, {"/count/0", "/count/1"}) + list_of(fine, {"/count/0"}));
  auto r = run_crawl({dir + "/urls.txt", "-q", "--top", "0", "--retries", "0", "--summary", dir + "/s.json"});
  CHECK(r.exit_code == 1);  // failed, so that a later run tries again
  CHECK(broken.requests("/count/0") == 0);
  CHECK(broken.requests("/count/1") == 0);
  CHECK(contains(r.err, "robots.txt unavailable (HTTP 500)"));
  auto s = json::parse(read_file(dir + "/s.json"));
  CHECK(s["failed_by_reason"]["robots-unavailable"] == 2);
  CHECK(s["ok"] == 1);  // the other site is not held up
}

TEST_CASE("robots: a 503 is retried like any request, and the rules that come after it apply", "[cli][robots]") {
  auto dir = temp_dir("robots-503");
  test_http_server site("127.0.0.26");
  site.serve("/robots.txt", {fixed{503, "busy"}, fixed{200, "User-agent: *\nDisallow: /count/1\n"}});
  write_file(dir + "/urls.txt", list_of(site, {"/count/0", "/count/1"}));
  auto r = run_crawl({dir + "/urls.txt", "-q", "--top", "0", "--retries", "2", "--retry-delay", "0.01",
                      "--summary", dir + "/s.json"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(site.requests("/robots.txt") == 2);
  CHECK(site.requests("/count/1") == 0);
  CHECK(json::parse(read_file(dir + "/s.json"))["ok"] == 1);
}

TEST_CASE("robots: a redirected robots.txt is followed, and a byte order mark is no rule", "[cli][robots]") {
  auto dir = temp_dir("robots-redirect");
  test_http_server site("127.0.0.27");
  site.serve("/robots.txt", {fixed{302, "", "text/plain", "Location: /real-robots.txt\r\n"}});
  site.serve("/real-robots.txt", {fixed{200, "\xEF\xBB\xBFUser-agent: *\nDisallow: /count/1\n"}});
  write_file(dir + "/urls.txt", list_of(site, {"/count/0", "/count/1"}));
  auto r = run_crawl({dir + "/urls.txt", "-q", "--top", "0"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(site.requests("/real-robots.txt") == 1);
  CHECK(site.requests("/count/1") == 0);
  CHECK(site.requests("/count/0") == 1);
}

TEST_CASE("robots: Crawl-delay spaces the requests to its host, and one above --max-crawl-delay skips the site",
          "[cli][robots]") {
  auto dir = temp_dir("robots-delay");
  test_http_server slow("127.0.0.28"), greedy("127.0.0.29");
  slow.serve("/robots.txt", {fixed{200, "User-agent: *\nCrawl-delay: 0.3\n"}});
  greedy.serve("/robots.txt", {fixed{200, "User-agent: *\nCrawl-delay: 3600\n"}});
  write_file(dir + "/urls.txt", list_of(slow, {"/count/0", "/count/1", "/count/2"}) + list_of(greedy, {"/count/0"}));
  auto r = run_crawl({dir + "/urls.txt", "-q", "--top", "0", "--summary", dir + "/s.json"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  auto log = slow.request_log();
  REQUIRE(log.size() == 4);
  // The first page may follow robots.txt at once (the delay is only known
  // from it); from then on, 0.3 s between requests (25 ms allowed for a
  // server stamp that comes late on a loaded machine, as in politeness_test).
  for (std::size_t i = 2; i < log.size(); ++i) CHECK(log[i].at - log[i - 1].at >= milliseconds(275));
  CHECK(log.back().at - log[1].at >= milliseconds(2 * 295));
  CHECK(greedy.requests("/count/0") == 0);
  CHECK(json::parse(read_file(dir + "/s.json"))["skipped_by_reason"]["crawl-delay"] == 1);
}

TEST_CASE("robots: --robots ignore asks for no robots.txt and says so", "[cli][robots]") {
  auto dir = temp_dir("robots-ignore");
  test_http_server site("127.0.0.30");
  site.serve("/robots.txt", {fixed{200, "User-agent: *\nDisallow: /\n"}});
  write_file(dir + "/urls.txt", list_of(site, {"/count/0"}));
  auto r = run_crawl({dir + "/urls.txt", "-q", "--top", "0", "--robots", "ignore"});
  CHECK(r.exit_code == 0);
  CHECK(site.requests("/robots.txt") == 0);
  CHECK(site.requests("/count/0") == 1);
  CHECK(contains(r.err, "robots.txt is ignored (--robots ignore)"));
}

TEST_CASE("robots: with --state, a site's robots.txt is kept for the next runs of the day", "[cli][robots]") {
  auto dir = temp_dir("robots-kept");
  test_http_server site("127.0.0.27");
  site.serve("/robots.txt", {fixed{200, "User-agent: *\nDisallow: /count/1\n"}});
  write_file(dir + "/urls.txt", list_of(site, {"/count/0", "/count/1"}));
  for (int run = 0; run < 2; ++run) {
    auto r = run_crawl({dir + "/urls.txt", "-q", "--top", "0", "--state", dir + "/state.db", "--summary",
                        dir + "/s.json"});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(json::parse(read_file(dir + "/s.json"))["skipped_by_reason"]["robots"] == 1);
  }
  CHECK(site.requests("/robots.txt") == 1);  // the second run took it from the state
  CHECK(site.requests("/count/1") == 0);     // and kept to it
}

TEST_CASE("robots: a robots.txt failing for --robots-unreachable in a row, across runs, gives the site up",
          "[cli][robots]") {
  auto dir = temp_dir("robots-unreachable");
  test_http_server site("127.0.0.28");
  site.serve("/robots.txt", {fixed{503, "down"}});
  write_file(dir + "/urls.txt", list_of(site, {"/count/0"}));
  std::vector<std::string> args = {dir + "/urls.txt", "-q", "--top", "0", "--retries", "0", "--state",
                                   dir + "/state.db", "--robots-unreachable", "1s", "--summary", dir + "/s.json"};
  auto first = run_crawl(args);
  CHECK(first.exit_code == 1);  // failing for less than 1 s: tried again next time
  CHECK(json::parse(read_file(dir + "/s.json"))["failed_by_reason"]["robots-unavailable"] == 1);
  std::this_thread::sleep_for(milliseconds(1100));  // the failures now span more than --robots-unreachable
  auto second = run_crawl(args);
  INFO(second.err);
  CHECK(second.exit_code == 0);
  auto s = json::parse(read_file(dir + "/s.json"));
  CHECK(s["skipped_by_reason"]["robots-unreachable"] == 1);
  CHECK(contains(second.err, "the site is given up") == false);  // -q: skipped URLs are not errors
  CHECK(site.requests("/robots.txt") == 2);
  CHECK(site.requests("/count/0") == 0);

  auto bad = run_crawl({dir + "/urls.txt", "--robots-unreachable", "soon"});
  CHECK(bad.exit_code == 2);
  CHECK(contains(bad.err, "--robots-unreachable"));
}

TEST_CASE("robots: a huge robots.txt is read to 500 KiB, and its rules there apply", "[cli][robots]") {
  auto dir = temp_dir("robots-huge");
  test_http_server site("127.0.0.29");
  std::string text = "User-agent: *\nDisallow: /count/1\n";
  text += std::string(600 * 1024, '#') + "\nDisallow: /count/0\n";  // past the first 500 KiB: not read
  site.serve("/robots.txt", {fixed{200, text}});
  write_file(dir + "/urls.txt", list_of(site, {"/count/0", "/count/1"}));
  auto r = run_crawl({dir + "/urls.txt", "-q", "--top", "0", "--summary", dir + "/s.json"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(site.requests("/count/0") == 1);
  CHECK(site.requests("/count/1") == 0);
  CHECK(json::parse(read_file(dir + "/s.json"))["skipped_by_reason"]["robots"] == 1);
}
