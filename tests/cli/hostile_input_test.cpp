// Input made to hurt: decompression bombs, damaged archives, bytes that
// cut strings. Each is an error naming the input, memory stays bounded, and
// everything else is still counted.
#include "compress.hpp"
#include "run_process.hpp"
#include "test_http_server.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sys/resource.h>

using namespace crawl::test;
using json = nlohmann::json;

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// The largest resident size (MB) of any child this test process has waited
// for. Each ctest entry is a process of its own, so these are its children.
double peak_child_mb() {
  rusage usage{};
  ::getrusage(RUSAGE_CHILDREN, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

// A page of crawl's own WARC form: a response record.
std::string warc_response(const std::string& words, const std::string& length = "") {
  std::string block = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n" + words;
  return "WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: http://a.test/\r\nContent-Type: "
         "application/http;msgtype=response\r\nContent-Length: " +
         (length.empty() ? std::to_string(block.size()) : length) + "\r\n\r\n" + block + "\r\n\r\n";
}

}  // namespace

// 1 GiB of zeros in about 32 KB: the decoder once appended all that one read
// expanded to, and the run held the whole GiB.
TEST_CASE("a zstd bomb is read by crawl tail and crawl count in bounded memory", "[hostile]") {
  auto dir = temp_dir("zstd-bomb");
  write_file(dir + "/bomb.log.zst", zstd_zeros(1ull << 30) + zstd_of("after the bomb\n"));
  auto tail = run_crawl({"tail", "--format", "json", "--no-words", dir + "/bomb.log.zst"});
  INFO(tail.err);
  REQUIRE(tail.exit_code == 0);
  auto s = json::parse(tail.out);
  CHECK(s["bytes"] == (1ull << 30) + 15);
  CHECK(s["lines"] == 1);  // the zeros have no newline: one line with the words after them
  CHECK(s["truncated_lines"] == 1);  // the GiB without a newline, cut at --max-line
  auto count = run_crawl({"count", dir + "/bomb.log.zst", "-q"});
  CHECK(count.exit_code == 0);
  INFO("peak resident size of the runs: " << peak_child_mb() << " MB");
  CHECK(peak_child_mb() < 400);
}

TEST_CASE("a gzip bomb is read by crawl tail in bounded memory", "[hostile]") {
  auto dir = temp_dir("gzip-bomb");
  write_file(dir + "/bomb.log.gz", gzip_zeros(1ull << 30));
  auto tail = run_crawl({"tail", "--format", "json", "--no-words", dir + "/bomb.log.gz"});
  INFO(tail.err);
  REQUIRE(tail.exit_code == 0);
  CHECK(json::parse(tail.out)["bytes"] == 1ull << 30);
  INFO("peak resident size of the runs: " << peak_child_mb() << " MB");
  CHECK(peak_child_mb() < 400);
}

TEST_CASE("crawl count reports a WARC record with a bad Content-Length and counts the rest", "[hostile]") {
  auto dir = temp_dir("warc-bad-length");
  std::string first = warc_response("alpha beta");
  for (const std::string bad : {"x", "99999999999999999999999"}) {
    INFO(bad);
    write_file(dir + "/a.warc", first + warc_response("gamma", bad) + warc_response("alpha delta"));
    auto r = run_crawl({"count", dir + "/a.warc", "-o", dir + "/c.tsv", "-q"});
    CHECK(r.exit_code == 1);  // was 134: std::stoull threw
    CHECK(contains(r.err, dir + "/a.warc: record with a bad Content-Length"));
    CHECK(contains(r.err, "at byte " + std::to_string(first.size())));
    auto counts = read_tsv(dir + "/c.tsv");
    CHECK(counts["alpha"] == 2);
    CHECK(counts["delta"] == 1);
    CHECK(counts.count("gamma") == 0);
  }
}

TEST_CASE("a NUL byte in a URL line is a bad line with its number, not a different URL", "[hostile]") {
  auto dir = temp_dir("nul-url");
  auto& server = shared_test_server();
  std::string good = server.url("/count/1");
  write_file(dir + "/urls.txt", good + "\n" + server.url("/count/2") + std::string("\0", 1) + "junk\n");
  auto before = server.requests("/count/2");
  auto r = run_crawl({dir + "/urls.txt", "--summary", dir + "/s.json", "-q"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, dir + "/urls.txt:2:"));
  CHECK(server.requests("/count/2") == before);  // the cut URL was not fetched
  auto s = json::parse(read_file(dir + "/s.json"));
  CHECK(s["bad_lines"] == 1);
  CHECK(s["ok"] == 1);
}

TEST_CASE("a server answering 304 to a request without validators fails that URL and nothing else", "[hostile]") {
  auto dir = temp_dir("unasked-304");
  auto& server = shared_test_server();
  write_file(dir + "/urls.txt", server.url("/unasked304") + "\n" + server.url("/count/2") + "\n");
  for (bool with_state : {false, true}) {
    std::vector<std::string> args{dir + "/urls.txt", "--summary", dir + "/s.json", "-q"};
    if (with_state) args.insert(args.end(), {"--state", dir + "/s.db"});
    auto r = run_crawl(args);
    CHECK(r.exit_code == 1);  // was undefined: an absent stored page read as the unchanged one
    auto s = json::parse(read_file(dir + "/s.json"));
    CHECK(s["ok"] == 1);
    CHECK(s["unchanged"] == 0);
    CHECK(s["failed"] == 1);
    CHECK(s["failed_by_reason"]["http 304"] == 1);
  }
}
