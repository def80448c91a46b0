// Politeness per host, shown by each server's own request log: the gaps
// between the requests one host received. (A gap is a lower bound the
// crawler promises, not a speed: a slow machine only makes gaps longer.)
#include "run_process.hpp"
#include "test_http_server.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>
#include <thread>

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

// Whether the server saw `gap` between consecutive requests. The server
// stamps a request when its thread gets to it: on a loaded machine (the
// sanitizer suite in parallel) one stamp can come late and make the next
// gap look shorter by as much, so each gap is allowed 25 ms of that, and
// the mean gap, which such delays hardly move, must hold to the clock's
// granularity. A crawler that ignored the gap would fail both by far.
void check_gaps(const test_http_server& server, milliseconds gap) {
  auto log = server.request_log();
  REQUIRE(log.size() >= 2);
  auto span = std::chrono::duration_cast<milliseconds>(log.back().at - log.front().at);
  INFO("shortest gap " << shortest_gap(server).count() << " ms, span " << span.count() << " ms over "
                       << log.size() - 1 << " gaps");
  CHECK(shortest_gap(server) >= gap - milliseconds(25));
  CHECK(span >= (gap - milliseconds(5)) * static_cast<int>(log.size() - 1));
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
  check_gaps(a, milliseconds(200));
  check_gaps(b, milliseconds(200));
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
  check_gaps(a, milliseconds(200));
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

namespace {

// Whether something accepts connections on 127.0.0.1:port.
bool listening(unsigned short port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

TEST_CASE("politeness: the transfers to an HTTP/2 host are streams of one connection, as its log shows",
          "[cli][politeness]") {
  // nghttpd (nghttp2's own server) over TLS with a certificate made here:
  // its verbose log names each connection it serves.
  auto dir = temp_dir("h2-host");
  auto cert = run_program({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir + "/key.pem",
                           "-out", dir + "/cert.pem", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                           "subjectAltName=IP:127.0.0.1"});
  REQUIRE(cert.exit_code == 0);
  std::filesystem::create_directories(dir + "/www");
  std::string list;
  unsigned short port = refused_port();
  for (int i = 0; i < 100; ++i) {
    write_file(dir + "/www/p" + std::to_string(i) + ".html", "<p>stream words</p>");
    list += "https://127.0.0.1:" + std::to_string(port) + "/p" + std::to_string(i) + ".html\n";
  }
  write_file(dir + "/urls.txt", list);
  auto server = child_process::of_program({"nghttpd", "--address=127.0.0.1", "-d", dir + "/www", "-v",
                                           std::to_string(port), dir + "/key.pem", dir + "/cert.pem"});
  for (int i = 0; i < 500 && !listening(port); ++i) std::this_thread::sleep_for(milliseconds(10));
  REQUIRE(listening(port));

  // Without robots.txt first, every transfer starts before the first connection is up.
  auto r = run_crawl({dir + "/urls.txt", "--cacert", dir + "/cert.pem", "--per-host", "8", "--robots", "ignore", "-q",
                      "-o", dir + "/c.tsv"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(read_tsv(dir + "/c.tsv")["stream"] == 100);
  server.signal(SIGTERM);
  server.wait(std::chrono::seconds(10));
  std::set<std::string> connections;
  std::string log = server.out_so_far();
  // Connections that carried requests (not the probes that saw the server up).
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("[id=", 0) == 0 && line.find("recv HEADERS frame") != std::string::npos)
      connections.insert(line.substr(0, line.find(']')));
  INFO(log.substr(0, 2000));
  CHECK(connections.size() >= 1);
  CHECK(connections.size() <= 2);  // libcurl opened one per transfer in flight (8) before PIPEWAIT
}

TEST_CASE("politeness: transfers to a plain-http host do not wait for its first answer to start",
          "[cli][politeness]") {
  // Waiting to multiplex (CURLOPT_PIPEWAIT) only pays over TLS: on plain
  // http libcurl 7.88 learns that a connection cannot multiplex from its
  // first response, and the others would wait for it.
  auto dir = temp_dir("no-pipewait");
  test_http_server server("127.0.0.13");
  std::string list;
  for (int i = 0; i < 8; ++i) list += server.url("/slow/" + std::to_string(i) + "?ms=500") + "\n";
  write_file(dir + "/urls.txt", list);
  auto r = run_crawl({dir + "/urls.txt", "-q", "--top", "0", "--per-host", "8", "--robots", "ignore"});
  CHECK(r.exit_code == 0);
  CHECK(server.max_in_progress() == 8);  // all eight answered at once
}
