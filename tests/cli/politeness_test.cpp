// Politeness per host, shown by each server's own request log: the gaps
// between the requests one host received. (A gap is a lower bound the
// crawler promises, not a speed: a slow machine only makes gaps longer.)
#include "run_process.hpp"
#include "test_http_server.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>

using namespace crawl::test;
using json = nlohmann::json;
using std::chrono::milliseconds;

namespace {

// The shortest gap between two consecutive requests a server received.
milliseconds shortest_gap(const test_http_server& server) {
  auto log = server.request_log();
  milliseconds shortest = milliseconds::max();
  for (std::size_t i = 1; i < log.size(); ++i)
    shortest = std::min(shortest, std::chrono::duration_cast<milliseconds>(log[i].at - log[i - 1].at));
  return shortest;
}

std::string list_of(const test_http_server& server, const std::string& prefix, int n) {
  std::string list;
  for (int i = 0; i < n; ++i) list += server.url(prefix + std::to_string(i)) + "\n";
  return list;
}

}  // namespace

TEST_CASE("politeness: --delay keeps that gap between two requests to one host, and other hosts go on",
          "[cli][politeness]") {
  auto dir = temp_dir("politeness-delay");
  test_http_server a("127.0.0.11"), b("127.0.0.12");
  write_file(dir + "/urls.txt", list_of(a, "/count/", 5) + list_of(b, "/count/", 5));
  auto r = run_crawl({dir + "/urls.txt", "-q", "--top", "0", "--delay", "0.2", "--per-host", "4", "--summary",
                      dir + "/s.json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto summary = json::parse(read_file(dir + "/s.json"));
  CHECK(summary["ok"] == 10);
  // The summary's busiest hosts: pages, errors, mean latency and the gap kept.
  REQUIRE(summary["busiest_hosts"].size() == 2);
  for (const auto& host : summary["busiest_hosts"]) {
    CHECK(host["pages"] == 5);
    CHECK(host["errors"] == 0);
    CHECK(host["delay_s"] == 0.2);
  }
  CHECK(summary["busiest_hosts"][0]["host"] == "127.0.0.11");
  REQUIRE(a.request_log().size() == 6);  // robots.txt, then the pages: the gap holds for every request
  CHECK(a.request_log().front().path == "/robots.txt");
  CHECK(shortest_gap(a) >= milliseconds(195));  // the clock's granularity aside
  CHECK(shortest_gap(b) >= milliseconds(195));
  // The hosts were crawled side by side, not one after the other.
  auto first_b = b.request_log().front().at;
  auto last_a = a.request_log().back().at;
  CHECK(first_b < last_a);
}

TEST_CASE("politeness: --rate N is at most N requests a second to one host", "[cli][politeness]") {
  auto dir = temp_dir("politeness-rate");
  test_http_server a("127.0.0.13");
  write_file(dir + "/urls.txt", list_of(a, "/count/", 4));
  auto r = run_crawl({dir + "/urls.txt", "-q", "--top", "0", "--rate", "5"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(shortest_gap(a) >= milliseconds(195));
}

TEST_CASE("politeness: Retry-After pauses the whole host, not only its URL", "[cli][politeness]") {
  auto dir = temp_dir("politeness-pause");
  test_http_server busy("127.0.0.14");
  // /retry-after/ answers 429 with Retry-After: 1 the first time; the slow
  // page holds the second slot until the 429 has been seen.
  write_file(dir + "/urls.txt", busy.url("/retry-after/a") + "\n" + busy.url("/slow/1?ms=300") + "\n" +
                                    list_of(busy, "/count/", 3));
  auto r = run_crawl({dir + "/urls.txt", "-q", "--top", "0", "--per-host", "2", "--summary", dir + "/s.json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto summary = json::parse(read_file(dir + "/s.json"));
  CHECK(summary["ok"] == 5);
  CHECK(summary["back_offs"] >= 1);
  auto log = busy.request_log();
  auto first = std::find_if(log.begin(), log.end(), [](const auto& e) { return e.path == "/retry-after/a"; });
  REQUIRE(first != log.end());
  int counted = 0;
  for (const auto& e : log) {
    if (e.path.rfind("/count/", 0) != 0) continue;
    CHECK(e.at - first->at >= milliseconds(990));  // without the pause: about 300 ms
    ++counted;
  }
  CHECK(counted == 3);
}

TEST_CASE("politeness: --no-back-off lets the other URLs of a paused host go at once", "[cli][politeness]") {
  auto dir = temp_dir("politeness-no-pause");
  test_http_server busy("127.0.0.15");
  write_file(dir + "/urls.txt", busy.url("/retry-after/a") + "\n" + busy.url("/slow/1?ms=300") + "\n" +
                                    list_of(busy, "/count/", 3));
  auto r = run_crawl({dir + "/urls.txt", "-q", "--top", "0", "--per-host", "2", "--no-back-off"});
  REQUIRE(r.exit_code == 0);
  auto log = busy.request_log();
  auto first = std::find_if(log.begin(), log.end(), [](const auto& e) { return e.path == "/retry-after/a"; });
  auto count = std::find_if(log.begin(), log.end(), [](const auto& e) { return e.path.rfind("/count/", 0) == 0; });
  REQUIRE(first != log.end());
  REQUIRE(count != log.end());
  CHECK(count->at - first->at < milliseconds(990));
}
