// How `crawl` stops early: signals, --deadline and --grace, end to end.
// Every case bounds its wait; none asserts how long anything took.
#include "run_process.hpp"
#include "test_http_server.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <signal.h>

#include <thread>

using namespace crawl::test;
using json = nlohmann::json;

namespace {

test_http_server& server() { return shared_test_server(); }

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// `n` distinct URLs of /slow/ pages that each take `ms` to answer.
std::string slow_list(unsigned n, int ms, const std::string& tag) {
  std::string list;
  for (unsigned i = 0; i < n; ++i) list += server().url("/slow/" + tag + std::to_string(i) + "?ms=" + std::to_string(ms)) + "\n";
  return list;
}

std::uint64_t requests_under(const std::string& prefix, unsigned n, const std::string& tag) {
  std::uint64_t total = 0;
  for (unsigned i = 0; i < n; ++i) total += server().requests(prefix + tag + std::to_string(i));
  return total;
}

// Waits (bounded) until the server has seen `n` requests among the list's URLs.
bool wait_for_slow_requests(unsigned urls, const std::string& tag, std::uint64_t n) {
  for (int i = 0; i < 2000; ++i) {
    if (requests_under("/slow/", urls, tag) >= n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// Every line read ends in exactly one outcome, and status codes count
// exactly the responses counted as ok, failed or skipped.
void check_accounting(const json& s) {
  INFO(s.dump());
  CHECK(s["lines"].get<std::uint64_t>() ==
        s["ok"].get<std::uint64_t>() + s["failed"].get<std::uint64_t>() + s["skipped"].get<std::uint64_t>() +
            s["bad_lines"].get<std::uint64_t>() + s["duplicates"].get<std::uint64_t>() +
            s["unfinished"].get<std::uint64_t>());
  std::uint64_t codes = 0;
  for (const auto& [code, n] : s["status_codes"].items()) codes += n.get<std::uint64_t>();
  CHECK(codes <= s["ok"].get<std::uint64_t>() + s["failed"].get<std::uint64_t>() + s["skipped"].get<std::uint64_t>());
}

}  // namespace

TEST_CASE("SIGTERM while the URL list is still being read ends the run and writes the summary", "[cli][signals]") {
  auto dir = temp_dir("sigterm-long-list");
  constexpr unsigned urls = 20000;
  write_file(dir + "/urls.txt", slow_list(urls, 400, "long"));
  child_process p({dir + "/urls.txt", "-c", "40", "--per-host", "40", "--grace", "1", "--summary", dir + "/s.json",
                   "-o", dir + "/c.tsv"});
  REQUIRE(wait_for_slow_requests(urls, "long", 40));
  p.signal(SIGTERM);
  auto r = p.wait(std::chrono::seconds(30));  // before the fix it never ended
  INFO(r.err);
  REQUIRE(r.exit_code == 130);
  auto s = json::parse(read_file(dir + "/s.json"));
  CHECK(s["interrupted"] == true);
  CHECK(s["exit_status"] == 130);
  CHECK(s["ok"].get<std::uint64_t>() < urls);
  CHECK(s["unfinished"].get<std::uint64_t>() > 0);
  check_accounting(s);
  CHECK(read_tsv(dir + "/c.tsv")["slow"] == s["ok"].get<std::uint64_t>());
}

TEST_CASE("after --deadline no transfer starts and the rest is unfinished", "[cli][signals]") {
  auto dir = temp_dir("deadline-no-new");
  constexpr unsigned urls = 40;
  write_file(dir + "/urls.txt", slow_list(urls, 300, "deadline"));
  auto r = run_crawl({dir + "/urls.txt", "-c", "1", "--deadline", "1s", "--grace", "1", "-q", "--summary",
                      dir + "/s.json"});
  INFO(r.err);
  CHECK(r.exit_code == 130);
  auto s = json::parse(read_file(dir + "/s.json"));
  CHECK(s["deadline_reached"] == true);
  // 40 pages of 300 ms one at a time take 12 s; the deadline came after 1 s.
  CHECK(s["ok"].get<std::uint64_t>() < urls);
  CHECK(s["unfinished"].get<std::uint64_t>() > 0);
  CHECK(requests_under("/slow/", urls, "deadline") == s["ok"].get<std::uint64_t>());
  check_accounting(s);
}

TEST_CASE("a transfer aborted after the grace counts as unfinished, not in status_codes", "[cli][signals]") {
  auto dir = temp_dir("abort-codes");
  write_file(dir + "/urls.txt", server().url("/stall") + "\n" + server().url("/count/2") + "\n");
  auto before = server().requests("/stall");
  child_process p({dir + "/urls.txt", "--timeout", "60", "--grace", "0.2", "--summary", dir + "/s.json"});
  for (int i = 0; i < 1000 && server().requests("/stall") <= before; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // its headers (200 OK) have arrived
  p.signal(SIGINT);
  auto r = p.wait(std::chrono::seconds(30));
  REQUIRE(r.exit_code == 130);
  auto s = json::parse(read_file(dir + "/s.json"));
  CHECK(s["unfinished"] == 1);
  CHECK(s["ok"] == 1);
  CHECK(s["status_codes"] == json{{"200", 1}});
  check_accounting(s);
}

TEST_CASE("a second SIGTERM during the grace ends a long list at once, with the summary", "[cli][signals]") {
  auto dir = temp_dir("sigterm-twice-long");
  constexpr unsigned urls = 5000;
  write_file(dir + "/urls.txt", slow_list(urls, 10000, "twice"));
  child_process p({dir + "/urls.txt", "-c", "20", "--per-host", "20", "--grace", "600", "--summary",
                   dir + "/s.json"});
  REQUIRE(wait_for_slow_requests(urls, "twice", 20));
  p.signal(SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  p.signal(SIGTERM);
  auto r = p.wait(std::chrono::seconds(30));  // the grace alone would be 600 s, the pages 10 s each
  INFO(r.err);
  REQUIRE(r.exit_code == 130);
  auto s = json::parse(read_file(dir + "/s.json"));
  CHECK(s["ok"] == 0);
  CHECK(s["unfinished"].get<std::uint64_t>() >= 20);
  check_accounting(s);
}

TEST_CASE("failed URLs are reported on stderr even with -q", "[cli]") {
  auto dir = temp_dir("quiet-errors");
  write_file(dir + "/urls.txt", server().url("/status/404") + "\n");
  auto r = run_crawl({dir + "/urls.txt", "-q", "--retries", "0"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, server().url("/status/404")));
  CHECK(contains(r.err, "404"));
  CHECK_FALSE(contains(r.err, "ok,"));  // no summary
}

TEST_CASE("an exception in a URL's coroutine ends the run with exit 70 and every output, not a hang", "[cli][signals]") {
  auto dir = temp_dir("fetch-throws");
  write_file(dir + "/urls.txt", server().url("/count/1") + "\n" + server().url("/count/2?boom") + "\n" +
                                    slow_list(50, 200, "after-boom"));
  child_process p({dir + "/urls.txt", "-c", "4", "--summary", dir + "/s.json", "-o", dir + "/c.tsv"}, "/dev/null",
                  {"CRAWL_FAULT_THROW_IN_FETCH=boom"});
  auto r = p.wait(std::chrono::seconds(60));  // detached, the exception left the driver waiting for ever
  INFO(r.err);
  REQUIRE(r.exit_code == 70);
  CHECK(contains(r.err, "internal error: injected fault"));
  auto s = json::parse(read_file(dir + "/s.json"));
  CHECK(s["exit_status"] == 70);
  CHECK(s["ok"].get<std::uint64_t>() < 52);
}

TEST_CASE("SIGINT over 3,000 slow URLs on 20 hosts ends within the grace, every line accounted", "[cli][signals]") {
  auto dir = temp_dir("sigint-20-hosts");
  std::vector<std::unique_ptr<test_http_server>> hosts;
  std::string list;
  for (int h = 0; h < 20; ++h) hosts.push_back(std::make_unique<test_http_server>("127.0.0." + std::to_string(h + 2)));
  for (int i = 0; i < 150; ++i)  // hosts interleaved, so all 20 have transfers in flight at once
    for (const auto& h : hosts) list += h->url("/slow/" + std::to_string(i) + "?ms=3000") + "\n";
  write_file(dir + "/urls.txt", list);
  child_process p({dir + "/urls.txt", "--grace", "1", "--summary", dir + "/s.json"});
  auto seen = [&] {  // page requests (each host's robots.txt comes first)
    std::uint64_t n = 0;
    for (const auto& h : hosts) n += h->total_requests() - h->requests("/robots.txt");
    return n;
  };
  for (int i = 0; i < 2000 && seen() < 160; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(seen() >= 160);  // 20 hosts at 8 each
  p.signal(SIGINT);
  auto r = p.wait(std::chrono::seconds(30));  // the pages alone would take 57 s
  INFO(r.err);
  REQUIRE(r.exit_code == 130);
  auto s = json::parse(read_file(dir + "/s.json"));
  CHECK(s["ok"] == 0);  // the 160 in flight were aborted after the grace
  CHECK(s["unfinished"].get<std::uint64_t>() >= 160);
  CHECK(seen() == 160);  // nothing started after the signal
  check_accounting(s);
}
