// The built `crawl` binary, end to end, against the loopback test server.
#include "run_process.hpp"
#include "test_http_server.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

using namespace crawl::test;
using json = nlohmann::json;

namespace {

test_http_server& server() { return shared_test_server(); }


std::string url_list(const std::vector<std::string>& paths) {
  std::string text;
  for (const auto& p : paths) text += server().url(p) + "\n";
  return text;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Waits (bounded) until the server has seen `n` requests for `path`.
bool wait_for_requests(const std::string& path, std::uint64_t n) {
  for (int i = 0; i < 1000; ++i) {
    if (server().requests(path) >= n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace

TEST_CASE("2,100 pages are fetched and their summed counts are exact", "[cli]") {
  auto dir = temp_dir("sum");
  constexpr unsigned pages = 2100;
  std::string list = "# generated pages\n";
  std::uint64_t apples = 0, fizz = 0;
  for (unsigned n = 0; n < pages; ++n) {
    list += server().url("/count/" + std::to_string(n)) + "\n";
    apples += n % 5 + 1;
    fizz += n % 3 == 0;
  }
  write_file(dir + "/urls.txt", list);
  auto r = run_crawl({dir + "/urls.txt", "-q", "-c", "64", "--per-host", "64", "-o", dir + "/counts.tsv",
                      "--summary", dir + "/summary.json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto counts = read_tsv(dir + "/counts.tsv");
  CHECK(counts["apple"] == apples);
  CHECK(counts["page"] == pages);  // the title
  CHECK(counts["bold"] == pages);  // inline <b> inside the paragraph
  CHECK(counts["fizz"] == fizz);
  for (unsigned n : {0u, 1u, 999u, 2099u}) CHECK(counts["page" + std::to_string(n)] == 1);
  CHECK(counts.count("script") == 0);
  CHECK(counts.count("comment") == 0);
  CHECK(counts.count("amp") == 0);
  CHECK(counts.size() == 4 + pages);
  auto summary = json::parse(read_file(dir + "/summary.json"));
  CHECK(summary["ok"] == pages);
  CHECK(summary["words"] == apples + 2 * pages + pages + fizz);
  CHECK(summary["exit_status"] == 0);
}

TEST_CASE("the top table goes to stdout with counts and shares", "[cli]") {
  auto dir = temp_dir("top");
  write_file(dir + "/urls.txt", url_list({"/count/4", "/count/9"}));
  auto r = run_crawl({dir + "/urls.txt", "--top", "3"});
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.out, "rank  word"));
  CHECK(contains(r.out, "apple"));
  CHECK(contains(r.out, "%"));
  CHECK(contains(r.err, "2 ok"));
}

TEST_CASE("URLs can come from standard input", "[cli]") {
  auto dir = temp_dir("stdin");
  write_file(dir + "/urls.txt", url_list({"/count/2"}));
  auto r = run_crawl({"-", "-q", "-o", dir + "/c.tsv"}, dir + "/urls.txt");
  REQUIRE(r.exit_code == 0);
  CHECK(read_tsv(dir + "/c.tsv")["apple"] == 3);
}

TEST_CASE("bad lines are reported with their line numbers and the rest is fetched", "[cli]") {
  auto dir = temp_dir("bad");
  std::string list = "\xEF\xBB\xBF" + server().url("/count/1") + "\r\n" + "not a url\n" + "ftp://127.0.0.1/x\n" +
                     "  " + server().url("/count/1#again") + "  \n" + "# comment\n" + server().url("/count/2") + "\n";
  write_file(dir + "/urls.txt", list);
  auto r = run_crawl({dir + "/urls.txt", "-o", dir + "/c.tsv", "--summary", dir + "/s.json"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, dir + "/urls.txt:2: not a URL"));
  CHECK(contains(r.err, dir + "/urls.txt:3: scheme 'ftp' refused"));
  auto summary = json::parse(read_file(dir + "/s.json"));
  CHECK(summary["ok"] == 2);
  CHECK(summary["bad_lines"] == 2);
  CHECK(summary["duplicates"] == 1);
  CHECK(summary["exit_status"] == 1);
}

TEST_CASE("usage errors exit 2 and name the option or file", "[cli]") {
  auto r1 = run_crawl({"urls.txt", "--concurrency", "0"});
  CHECK(r1.exit_code == 2);
  CHECK(contains(r1.err, "--concurrency"));
  auto r2 = run_crawl({"urls.txt", "--no-such-option"});
  CHECK(r2.exit_code == 2);
  CHECK(contains(r2.err, "--no-such-option"));
  auto r3 = run_crawl({"/nonexistent/urls.txt"});
  CHECK(r3.exit_code == 2);
  CHECK(contains(r3.err, "/nonexistent/urls.txt"));
  auto r4 = run_crawl({"urls.txt", "--token", "(unclosed"});
  CHECK(r4.exit_code == 2);
  CHECK(contains(r4.err, "--token"));
  auto r5 = run_crawl({"urls.txt", "-o", "counts.txt"});
  CHECK(r5.exit_code == 2);
  CHECK(contains(r5.err, "-o counts.txt: the extension must be .tsv, .csv or .json"));
  for (const char* entry : {"example.org:80", "example.org:http:127.0.0.1", ":80:127.0.0.1", "example.org:80:"}) {
    auto bad = run_crawl({"urls.txt", "--resolve", entry});
    CHECK(bad.exit_code == 2);
    CHECK(contains(bad.err, std::string("'") + entry + "' is not HOST:PORT:ADDRESS"));
  }
  auto help = run_crawl({"--help"});
  CHECK(help.exit_code == 0);
  CHECK(contains(help.out, "--per-host"));
}

TEST_CASE("counts are written as CSV and JSON too, and results as JSON lines", "[cli]") {
  auto dir = temp_dir("formats");
  write_file(dir + "/urls.txt", url_list({"/count/3", "/status/404", "/image"}));
  auto r = run_crawl({dir + "/urls.txt", "-q", "--retries", "0", "-o", dir + "/c.json", "--results",
                      dir + "/r.jsonl"});
  CHECK(r.exit_code == 1);
  // ordered_json keeps the file's order (json would sort the keys and hide it).
  auto counts = nlohmann::ordered_json::parse(read_file(dir + "/c.json"));
  CHECK(counts["apple"] == 4);
  std::vector<std::pair<std::string, std::uint64_t>> order;
  for (const auto& [word, n] : counts.items()) order.emplace_back(word, n.get<std::uint64_t>());
  auto ranked = order;
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  CHECK(order == ranked);  // by count descending, then word
  CHECK(order.size() > 2);
  std::istringstream lines(read_file(dir + "/r.jsonl"));
  std::string line;
  std::map<std::string, json> by_url;
  while (std::getline(lines, line)) {
    auto j = json::parse(line);
    by_url[j["url"]] = j;
  }
  REQUIRE(by_url.size() == 3);
  auto ok = by_url[server().url("/count/3")];
  CHECK(ok["status"] == 200);
  CHECK(ok["words"] == 4 + 3 + 1);
  CHECK(ok["error"].is_null());
  CHECK(ok["attempts"] == 1);
  auto missing = by_url[server().url("/status/404")];
  CHECK(missing["status"] == 404);
  CHECK(missing["error"] == "HTTP status 404");
  CHECK(by_url[server().url("/image")]["error"].get<std::string>().rfind("skipped", 0) == 0);
  CHECK(by_url[server().url("/image")]["skipped"] == "content-type");
  CHECK(ok["skipped"].is_null());

  auto csv = run_crawl({dir + "/urls.txt", "-q", "--retries", "0", "-o", dir + "/c.csv"});
  CHECK(read_file(dir + "/c.csv").rfind("word,count\napple,4\n", 0) == 0);
}

TEST_CASE("legacy charsets and invalid UTF-8 are counted in UTF-8", "[cli]") {
  auto dir = temp_dir("charsets");
  write_file(dir + "/urls.txt", url_list({"/latin1", "/meta-latin1", "/sjis", "/gbk", "/euc-kr", "/bad-utf8"}));
  auto r = run_crawl({dir + "/urls.txt", "-q", "-o", dir + "/c.tsv"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto c = read_tsv(dir + "/c.tsv");
  CHECK(c["caf\xc3\xa9"] == 1);
  CHECK(c["br\xc3\xbbl\xc3\xa9" "e"] == 1);
  CHECK(c["na\xc3\xafve"] == 1);
  CHECK(c["quote"] == 1);
  CHECK(c["\xe6\x9d\xb1\xe4\xba\xac"] == 1);  // 東京 from Shift_JIS, one word by ICU's dictionary
  CHECK(c["\xe4\xb8\xad\xe6\x96\x87"] == 1);  // 中文 from GBK
  CHECK(c["\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4"] == 1);  // 한국어 from EUC-KR
  CHECK(c["broken"] == 1);
  CHECK(c["words"] == 1);
}

TEST_CASE("binary bodies are skipped and counted as skipped", "[cli]") {
  auto dir = temp_dir("skips");
  write_file(dir + "/urls.txt", url_list({"/image", "/untyped-binary", "/count/1"}));
  auto r = run_crawl({dir + "/urls.txt", "-q", "--summary", dir + "/s.json"});
  CHECK(r.exit_code == 0);
  auto s = json::parse(read_file(dir + "/s.json"));
  CHECK(s["skipped"] == 2);
  CHECK(s["skipped_by_reason"]["content-type"] == 1);
  CHECK(s["skipped_by_reason"]["binary"] == 1);
  CHECK(s["ok"] == 1);
}

TEST_CASE("failures are counted by reason and the run exits 1", "[cli]") {
  auto dir = temp_dir("failures");
  std::string list = url_list({"/status/500", "/loop", "/to-file"}) + "http://nowhere.invalid/\n" +
                     "http://127.0.0.1:" + std::to_string(refused_port()) + "/\n";
  write_file(dir + "/urls.txt", list);
  auto r = run_crawl({dir + "/urls.txt", "--retries", "1", "--retry-delay", "0.01", "--summary", dir + "/s.json"});
  CHECK(r.exit_code == 1);
  auto s = json::parse(read_file(dir + "/s.json"));
  CHECK(s["failed"] == 5);
  CHECK(s["failed_by_reason"]["http 500"] == 1);
  CHECK(s["failed_by_reason"]["redirects"] == 1);
  CHECK(s["failed_by_reason"]["scheme"] == 1);
  CHECK(s["failed_by_reason"]["dns"] == 1);
  CHECK(s["failed_by_reason"]["connect"] == 1);
  CHECK(contains(r.err, "nowhere.invalid"));
}

TEST_CASE("the token option replaces the word rule", "[cli]") {
  auto dir = temp_dir("token");
  write_file(dir + "/urls.txt", url_list({"/count/5"}));
  auto r = run_crawl({dir + "/urls.txt", "-q", "--token", "[A-Z][a-z]+[0-9]+", "-o", dir + "/c.tsv"});
  REQUIRE(r.exit_code == 0);
  auto c = read_tsv(dir + "/c.tsv");
  CHECK(c == std::map<std::string, std::uint64_t>{{"page5", 1}});
}

TEST_CASE("SIGINT lets in-flight transfers finish within the grace, writes outputs and exits 130", "[cli][signals]") {
  auto dir = temp_dir("sigint");
  std::string tag = std::to_string(::getpid());
  // A page that finishes within the grace, one that never does, and more
  // that must never be requested once the signal has come.
  std::vector<std::string> paths{"/count/1", "/slow/grace-" + tag + "?ms=600", "/stall"};
  for (int i = 0; i < 20; ++i) paths.push_back("/slow/later-" + tag + "-" + std::to_string(i) + "?ms=10");
  write_file(dir + "/urls.txt", url_list(paths));
  auto before = server().requests("/stall");
  child_process p({dir + "/urls.txt", "-c", "2", "--timeout", "60", "--grace", "2", "-o", dir + "/c.tsv",
                   "--summary", dir + "/s.json", "--results", dir + "/r.jsonl"});
  REQUIRE(wait_for_requests("/stall", before + 1));  // /count/1 done; the slow page and the stall in flight
  p.signal(SIGINT);
  auto r = p.wait(std::chrono::seconds(30));
  CHECK(r.exit_code == 130);
  auto s = json::parse(read_file(dir + "/s.json"));
  CHECK(s["interrupted"] == true);
  CHECK(s["exit_status"] == 130);
  CHECK(s["ok"] == 2);          // the slow page finished within the grace and counts
  CHECK(s["unfinished"].get<std::uint64_t>() >= 1);
  CHECK(read_tsv(dir + "/c.tsv")["apple"] == 2);
  CHECK(read_tsv(dir + "/c.tsv")["slow"] == 1);
  for (int i = 0; i < 20; ++i) CHECK(server().requests("/slow/later-" + tag + "-" + std::to_string(i)) == 0);
}

TEST_CASE("a second signal stops at once", "[cli][signals]") {
  auto dir = temp_dir("sigtwice");
  write_file(dir + "/urls.txt", url_list({"/stall"}));
  auto before = server().requests("/stall");
  child_process p({dir + "/urls.txt", "--timeout", "60", "--grace", "60", "--summary", dir + "/s.json"});
  REQUIRE(wait_for_requests("/stall", before + 1));
  p.signal(SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  p.signal(SIGTERM);
  auto r = p.wait(std::chrono::seconds(30));  // without the second signal it would wait 60 s
  CHECK(r.exit_code == 130);
  CHECK(json::parse(read_file(dir + "/s.json"))["interrupted"] == true);
}

TEST_CASE("no progress display when stderr is not a terminal", "[cli]") {
  auto dir = temp_dir("quiet");
  write_file(dir + "/urls.txt", url_list({"/count/1", "/drip"}));
  auto r = run_crawl({dir + "/urls.txt"});
  CHECK(r.exit_code == 0);
  CHECK_FALSE(contains(r.err, "\r"));
  CHECK_FALSE(contains(r.err, "in flight"));
}

TEST_CASE("log lines can be JSON, one object a line", "[cli]") {
  auto dir = temp_dir("logjson");
  write_file(dir + "/urls.txt", "not a url\n" + url_list({"/status/404", "/count/1"}));
  auto r = run_crawl({dir + "/urls.txt", "--log-format", "json", "--retries", "0", "--top", "0"});
  CHECK(r.exit_code == 1);
  // Log lines, then the summary: every line one JSON object.
  std::istringstream lines(r.err);
  std::vector<json> objects;
  for (std::string line; std::getline(lines, line);) objects.push_back(json::parse(line));
  REQUIRE(objects.size() == 3);
  for (std::size_t i = 0; i + 1 < objects.size(); ++i) CHECK(objects[i]["level"] == "error");
  CHECK(objects.back()["ok"] == 1);
}

TEST_CASE("a retried or failed page never counts twice, nor in part", "[cli]") {
  auto dir = temp_dir("retried-pages");
  // /reset sends its whole body, words and all, then resets before the promised length.
  write_file(dir + "/urls.txt", url_list({"/reset", "/flaky/once-" + std::to_string(::getpid()), "/always503/x"}));
  auto r = run_crawl({dir + "/urls.txt", "-q", "--retries", "2", "--retry-delay", "0.01", "-o", dir + "/c.tsv",
                      "--summary", dir + "/s.json"});
  CHECK(r.exit_code == 1);
  auto c = read_tsv(dir + "/c.tsv");
  CHECK(c["lucky"] == 1);           // the flaky page, counted once after its retry
  CHECK(c.count("reset") == 0);     // delivered before each reset, never committed
  CHECK(c.count("never") == 0);
  CHECK(c.count("unavailable") == 0);  // 503 bodies are not pages
  auto s = json::parse(read_file(dir + "/s.json"));
  CHECK(s["ok"] == 1);
  CHECK(s["failed"] == 2);
  CHECK(s["retries"] == 1 + 2 + 2);
}

TEST_CASE("with --per-host N the server never answers more than N at once from one crawl", "[cli]") {
  test_http_server host;  // a server of its own, so only this crawl's requests count
  auto dir = temp_dir("per-host");
  std::string list;
  for (int i = 0; i < 30; ++i) list += host.url("/slow/p" + std::to_string(i) + "?ms=150") + "\n";
  write_file(dir + "/urls.txt", list);
  auto r = run_crawl({dir + "/urls.txt", "-q", "-c", "50", "--per-host", "3", "--top", "0"});
  CHECK(r.exit_code == 0);
  CHECK(host.max_in_progress() == 3);  // reached, never passed
}

TEST_CASE("the request carries -H headers and --user-agent", "[cli]") {
  auto dir = temp_dir("headers");
  write_file(dir + "/urls.txt", url_list({"/count/7"}));
  auto r = run_crawl({dir + "/urls.txt", "-q", "-H", "X-Probe: 42", "--user-agent", "probe-bot/1.0", "--top", "0"});
  CHECK(r.exit_code == 0);
  std::string head = server().last_request("/count/7");
  CHECK(contains(head, "\r\nX-Probe: 42\r\n"));
  CHECK(contains(head, "\r\nUser-Agent: probe-bot/1.0\r\n"));
  auto plain = run_crawl({dir + "/urls.txt", "-q", "--top", "0"});
  CHECK(contains(server().last_request("/count/7"), "\r\nUser-Agent: crawl/"));
}

// Crawls two pages asking for 5,000 transfers with both open-files limits at
// 600; with `unprivileged`, without CAP_SYS_RESOURCE (dropped from the
// bounding set), so it cannot raise them. Both pages are fetched either way.
std::string crawl_with_600_files(const std::string& name, bool unprivileged) {
  auto dir = temp_dir(name);
  write_file(dir + "/urls.txt", url_list({"/count/1", "/count/2"}));
  std::vector<std::string> argv = {"prlimit", "--nofile=600:600", "--"};
  if (unprivileged)
    for (const char* a : {"setpriv", "--bounding-set=-sys_resource", "--"}) argv.push_back(a);
  for (std::string a : {std::string(CRAWL_BINARY), dir + "/urls.txt", std::string("-c"), std::string("5000"),
                        std::string("--top"), std::string("0")})
    argv.push_back(a);
  auto r = run_program(argv);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(contains(r.err, "2 ok"));
  return r.err;
}

// Whether this process may raise its hard limits (CAP_SYS_RESOURCE: root, unless a container took it).
bool may_raise_limits() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("CapEff:", 0) == 0) return (std::stoull(line.substr(7), nullptr, 16) >> 24) & 1;
  return false;
}

TEST_CASE("the concurrency is lowered, with a warning, to what the open-files limit allows", "[cli]") {
  auto err = crawl_with_600_files("nofile", true);
  CHECK(contains(err, "the open-files limit allows 344 transfers; --concurrency lowered from 5000"));
}

TEST_CASE("as root the open-files limit is raised past the hard limit for the concurrency asked", "[cli]") {
  if (!may_raise_limits()) {
    WARN("no CAP_SYS_RESOURCE: the hard limit cannot be raised here");
    return;
  }
  auto err = crawl_with_600_files("nofile-root", false);
  CHECK(contains(err, "open-files limit raised to 5256 (the hard limit was 600; fs.nr_open allows "));
  CHECK(!contains(err, "lowered"));
}

TEST_CASE("http_proxy is used, and no_proxy bypasses it", "[cli]") {
  test_http_server proxy("127.0.0.3");
  auto dir = temp_dir("proxy");
  // Nothing listens at the target itself: only the proxy can answer.
  std::string target = "http://127.0.0.4:" + std::to_string(refused_port()) + "/count/3";
  write_file(dir + "/urls.txt", target + "\n");
  std::string proxy_url = "http://127.0.0.3:" + std::to_string(proxy.port());
  auto via = run_crawl({dir + "/urls.txt", "-q", "--retries", "0", "-o", dir + "/c.tsv"}, "/dev/null",
                       {"http_proxy=" + proxy_url});
  CHECK(via.exit_code == 0);
  CHECK(proxy.proxied_requests() == 2);  // the site's robots.txt, then the page
  CHECK(proxy.requests("/robots.txt") == 1);
  CHECK(read_tsv(dir + "/c.tsv")["apple"] == 4);
  auto bypass = run_crawl({dir + "/urls.txt", "-q", "--retries", "0"}, "/dev/null",
                          {"http_proxy=" + proxy_url, "no_proxy=127.0.0.4"});
  CHECK(bypass.exit_code == 1);  // straight to the target, where nothing listens
  CHECK(proxy.proxied_requests() == 2);
}

TEST_CASE("results: the bytes of an error page and the fetch time are recorded, and JSON log lines keep numbers as numbers",
          "[cli]") {
  auto dir = temp_dir("results-bytes");
  write_file(dir + "/urls.txt", server().url("/status/404") + "\nnot a url\n");
  auto r = run_crawl({dir + "/urls.txt", "-q", "--top", "0", "--results", dir + "/r.jsonl", "--log-format", "json"});
  CHECK(r.exit_code == 1);
  auto record = json::parse(read_file(dir + "/r.jsonl"));
  CHECK(record["status"] == 404);
  CHECK(record["bytes"].get<std::uint64_t>() > 0);  // the error page's body came, and is counted
  CHECK(record["fetched_at"].get<std::string>().size() == 24);  // 2026-11-30T01:02:03.456Z
  bool bad_line_logged = false;
  std::istringstream lines(r.err);
  for (std::string line; std::getline(lines, line);) {
    auto j = json::parse(line);
    if (j.contains("line")) {
      CHECK(j["line"].is_number());
      CHECK(j["line"] == 2);
      bad_line_logged = true;
    }
  }
  CHECK(bad_line_logged);
}

TEST_CASE("progress: on a terminal, an error line is printed above the progress line, which is drawn again",
          "[cli][progress]") {
  auto dir = temp_dir("progress-tty");
  // One host, one transfer at a time: the 404 comes after the slow pages,
  // so the progress line (every 250 ms) is on screen when its error is logged.
  write_file(dir + "/urls.txt", server().url("/slow/1?ms=400") + "\n" + server().url("/slow/2?ms=400") + "\n" +
                                    server().url("/status/404") + "\n");
  std::string command = std::string("'") + CRAWL_BINARY + "' '" + dir + "/urls.txt' --per-host 1 --retries 0 --top 0";
  // script(1) runs the command on a pseudo-terminal: stderr is a terminal, as a person's would be.
  auto r = run_program({"script", "-qec", command, "/dev/null"});
  INFO(r.out);
  CHECK(r.exit_code == 1);
  auto error_at = r.out.find("crawl: " + server().url("/status/404") + ": ");
  REQUIRE(error_at != std::string::npos);
  // The progress line was cleared first: the error starts a line of its own...
  CHECK(r.out.compare(error_at - 4, 4, "\r\033[K") == 0);
  CHECK(r.out.find(" done of ") < error_at);
  // ... is whole, and the progress line comes back after it.
  auto end = r.out.find('\n', error_at);
  REQUIRE(end != std::string::npos);
  std::string next = r.out.substr(end + 1, 60);
  CHECK(next.rfind("crawl: ", 0) == 0);
  CHECK(contains(next, " done of "));
}

TEST_CASE("inputs: URLs given as such and several lists, one after the other, duplicates fetched once", "[cli]") {
  auto dir = temp_dir("several-inputs");
  write_file(dir + "/a.txt", url_list({"/count/1", "/count/2"}));
  write_file(dir + "/b.txt", url_list({"/count/2", "/count/3"}) + "not a url\n");
  auto r = run_crawl({server().url("/count/4"), dir + "/a.txt", server().url("/count/1"), dir + "/b.txt", "-q",
                      "--top", "0", "--summary", dir + "/s.json"});
  INFO(r.err);
  CHECK(r.exit_code == 1);  // the bad line
  auto s = json::parse(read_file(dir + "/s.json"));
  CHECK(s["ok"] == 4);  // /count/1, 2, 3, 4
  CHECK(s["duplicates"] == 2);
  CHECK(s["bad_lines"] == 1);
  CHECK(contains(r.err, dir + "/b.txt:3: "));  // named by its own list and line
  // A list that cannot be read is named; the others are still crawled (exit 1),
  // and a name that looks like a host gets a hint.
  auto missing = run_crawl({dir + "/a.txt", "example.org", "-q", "--top", "0", "--summary", dir + "/m.json"});
  CHECK(missing.exit_code == 1);
  CHECK(contains(missing.err, "example.org: No such file or directory (a URL needs http:// or https://)"));
  CHECK(json::parse(read_file(dir + "/m.json"))["ok"] == 2);
}

TEST_CASE("deny-private: no request reaches a loopback address, robots.txt included", "[cli]") {
  auto dir = temp_dir("deny-private");
  test_http_server host("127.0.0.35");
  write_file(dir + "/urls.txt", host.url("/count/1") + "\n");
  auto r = run_crawl({dir + "/urls.txt", "-q", "--top", "0", "--deny-private", "--summary", dir + "/s.json"});
  CHECK(r.exit_code == 1);
  CHECK(host.total_requests() == 0);  // connected, checked, and nothing sent
  CHECK(json::parse(read_file(dir + "/s.json"))["failed_by_reason"]["private-address"] == 1);
  CHECK(contains(r.err, "a private address (--deny-private)"));
  auto allowed = run_crawl({dir + "/urls.txt", "-q", "--top", "0"});
  CHECK(allowed.exit_code == 0);
  CHECK(host.requests("/count/1") == 1);
}

TEST_CASE("pages of many hosts count the same on one network thread and on several lanes", "[cli][lanes]") {
  // 24 hosts, more than the 16 active hosts after which a run spreads them
  // over its lanes; robots.txt (read on the driver's thread) obeyed; the
  // cookie jar shared by every lane (its locks). Also run under TSan.
  std::vector<std::unique_ptr<test_http_server>> hosts;
  for (int i = 0; i < 24; ++i) hosts.push_back(std::make_unique<test_http_server>("127.0.1." + std::to_string(i + 1)));
  auto dir = temp_dir("lanes");
  constexpr unsigned pages = 1200;
  std::string list;
  std::uint64_t apples = 0;
  for (unsigned n = 0; n < pages; ++n) {
    list += hosts[n % hosts.size()]->url("/count/" + std::to_string(n)) + "\n";
    apples += n % 5 + 1;
  }
  write_file(dir + "/urls.txt", list);
  std::map<std::string, std::uint64_t> counts[2];
  for (int run = 0; run < 2; ++run) {
    std::string threads = run == 0 ? "1" : "3";
    std::string out = dir + "/counts" + threads + ".tsv", summary = dir + "/s" + threads + ".json";
    auto r = run_crawl({dir + "/urls.txt", "-q", "-c", "96", "--per-host", "4", "--threads", threads, "--cookies",
                        "-o", out, "--summary", summary});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    counts[run] = read_tsv(out);
    auto s = json::parse(read_file(summary));
    CHECK(s["ok"] == pages);
    for (const auto& h : hosts) CHECK(h->requests("/robots.txt") == static_cast<std::uint64_t>(run + 1));
  }
  CHECK(counts[0]["apple"] == apples);
  CHECK(counts[0] == counts[1]);
  std::uint64_t served = 0;
  for (const auto& h : hosts) served += h->total_requests();
  CHECK(served == 2 * (pages + hosts.size()));  // every page and robots.txt once per run
}
