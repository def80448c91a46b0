// crawler::fetch against the loopback test server, one fault at a time.
#include "fetch_support.hpp"
#include "test_http_server.hpp"

#include <catch2/catch.hpp>

using namespace crawl::crawler;
using namespace crawl::test;

namespace {
test_http_server& server() {
  static test_http_server s;
  return s;
}
bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("a page is fetched whole", "[fetch]") {
  recording_sink sink;
  auto r = run_fetch(server().url("/count/7"), sink);
  CHECK(r.status == fetch_status::ok);
  CHECK(r.http_status == 200);
  CHECK(r.attempts == 1);
  CHECK(contains(sink.body, count_page_words(7)));
  CHECK(r.bytes == sink.body.size());
  CHECK(sink.content_length == static_cast<std::int64_t>(sink.body.size()));  // the announced length, a sizing hint
}

TEST_CASE("redirects are followed to the final URL", "[fetch]") {
  recording_sink sink;
  auto r = run_fetch(server().url("/redirect?to=/count/3"), sink);
  CHECK(r.status == fetch_status::ok);
  CHECK(r.final_url == server().url("/count/3"));
}

TEST_CASE("a redirect loop stops at --max-redirects", "[fetch]") {
  recording_sink sink;
  request_options o;
  o.max_redirects = 4;
  auto r = run_fetch(server().url("/loop"), sink, o);
  CHECK(r.status == fetch_status::failed);
  CHECK(r.reason == "redirects");
}

TEST_CASE("a redirect to file:// is refused", "[fetch]") {
  recording_sink sink;
  auto r = run_fetch(server().url("/to-file"), sink);
  CHECK(r.status == fetch_status::failed);
  CHECK(r.reason == "scheme");
  CHECK(sink.body.empty());
}

TEST_CASE("404 fails at once, 500 is retried", "[fetch]") {
  recording_sink sink;
  auto r404 = run_fetch(server().url("/status/404"), sink);
  CHECK(r404.reason == "http 404");
  CHECK(r404.attempts == 1);
  auto r500 = run_fetch(server().url("/status/500"), sink, {}, fast_retries(2));
  CHECK(r500.reason == "http 500");
  CHECK(r500.attempts == 3);
}

TEST_CASE("a 304 to a request without validators is an error and not an unchanged page", "[fetch]") {
  recording_sink sink;
  auto r = run_fetch(server().url("/unasked304"), sink);
  CHECK(r.status == fetch_status::failed);
  CHECK(r.reason == "http 304");
  CHECK(r.error.find("not conditional") != std::string::npos);
  CHECK(r.attempts == 1);
}

namespace {
// The gap between the first two requests the server saw for `path`.
std::chrono::milliseconds retry_gap(const std::string& path) {
  auto times = server().request_times(path);
  REQUIRE(times.size() == 2);
  return std::chrono::duration_cast<std::chrono::milliseconds>(times[1] - times[0]);
}
}  // namespace

TEST_CASE("429 with Retry-After in seconds is retried after the wait", "[fetch]") {
  recording_sink sink;
  auto r = run_fetch(server().url("/retry-after/a"), sink);  // the retry base is 10 ms: only Retry-After waits 1 s
  CHECK(r.status == fetch_status::ok);
  CHECK(r.attempts == 2);
  CHECK(contains(sink.body, "patience rewarded"));
  CHECK(retry_gap("/retry-after/a") >= std::chrono::milliseconds(950));
}

TEST_CASE("503 with Retry-After as an HTTP date is retried after that date", "[fetch]") {
  recording_sink sink;
  auto r = run_fetch(server().url("/retry-date/a"), sink);  // a date 2 s ahead: at least 1 s once rounded
  CHECK(r.status == fetch_status::ok);
  CHECK(r.attempts == 2);
  CHECK(retry_gap("/retry-date/a") >= std::chrono::milliseconds(950));
}

TEST_CASE("a Retry-After longer than the cap is not waited for", "[fetch]") {
  recording_sink sink;
  auto r = run_fetch(server().url("/retry-later/a"), sink);
  CHECK(r.status == fetch_status::failed);
  CHECK(r.attempts == 1);
  CHECK(contains(r.error, "Retry-After 500 s is longer than we wait"));
  CHECK(server().requests("/retry-later/a") == 1);
}

TEST_CASE("503 then 200 succeeds on the second attempt", "[fetch]") {
  recording_sink sink;
  auto r = run_fetch(server().url("/flaky/a"), sink);
  CHECK(r.status == fetch_status::ok);
  CHECK(r.attempts == 2);
  CHECK(contains(sink.body, "second time lucky"));
}

TEST_CASE("a slow drip completes", "[fetch]") {
  recording_sink sink;
  auto r = run_fetch(server().url("/drip"), sink);
  CHECK(r.status == fetch_status::ok);
  CHECK(contains(sink.body, "drip drop drip drop"));
}

TEST_CASE("a reset mid-body is retried and what it delivered is discarded", "[fetch]") {
  recording_sink sink;
  auto before = server().requests("/reset");
  auto r = run_fetch(server().url("/reset"), sink, {}, fast_retries(1));
  CHECK(r.status == fetch_status::failed);
  CHECK(r.reason == "connection");
  CHECK(r.attempts == 2);
  CHECK(sink.discards == 1);
  CHECK(server().requests("/reset") - before == 2);
}

TEST_CASE("a stalled response times out", "[fetch]") {
  recording_sink sink;
  request_options o;
  o.timeout = std::chrono::milliseconds(300);
  auto r = run_fetch(server().url("/stall"), sink, o, fast_retries(0));
  CHECK(r.status == fetch_status::failed);
  CHECK(r.reason == "timeout");
}

TEST_CASE("a body over --max-size is stopped", "[fetch]") {
  recording_sink sink;
  request_options o;
  o.max_size = 100'000;
  auto r = run_fetch(server().url("/big?bytes=300000"), sink, o);
  CHECK(r.status == fetch_status::failed);
  CHECK(r.reason == "too-large");
  CHECK(sink.body.size() <= 100'000);
}

TEST_CASE("a gzip bomb is stopped by the decoded size", "[fetch]") {
  recording_sink sink;
  request_options o;
  o.max_size = 1 << 20;
  auto r = run_fetch(server().url("/bomb"), sink, o);
  CHECK(r.reason == "too-large");
  CHECK(sink.body.size() <= (1u << 20));
}

TEST_CASE("gzip, br and zstd bodies are decoded", "[fetch]") {
  for (std::string enc : {"gzip", "br", "zstd"}) {
    INFO(enc);
    recording_sink sink;
    auto r = run_fetch(server().url("/" + enc), sink);
    CHECK(r.status == fetch_status::ok);
    CHECK(contains(sink.body, "compressed " + enc + " body"));
  }
}

TEST_CASE("chunked bodies are joined", "[fetch]") {
  recording_sink sink;
  auto r = run_fetch(server().url("/chunked"), sink);
  CHECK(r.status == fetch_status::ok);
  CHECK(contains(sink.body, "chunked transfer encoding works"));
  CHECK(sink.content_length == -1);  // none announced
}

TEST_CASE("a body shorter than its Content-Length fails", "[fetch]") {
  recording_sink sink;
  auto r = run_fetch(server().url("/short"), sink, {}, fast_retries(0));
  CHECK(r.status == fetch_status::failed);
  CHECK(r.reason == "connection");
}

TEST_CASE("a non-text type is skipped", "[fetch]") {
  recording_sink sink;
  auto r = run_fetch(server().url("/image"), sink);
  CHECK(r.status == fetch_status::skipped);
  CHECK(r.reason == "content-type");
}

TEST_CASE("a refused port fails after the retries", "[fetch]") {
  recording_sink sink;
  auto r = run_fetch("http://127.0.0.1:" + std::to_string(refused_port()) + "/", sink, {}, fast_retries(1));
  CHECK(r.status == fetch_status::failed);
  CHECK(r.reason == "connect");
  CHECK(r.attempts == 2);
}

TEST_CASE("an .invalid host fails without a lookup", "[fetch]") {
  recording_sink sink;
  auto r = run_fetch("http://no-such-host.invalid/", sink);
  CHECK(r.status == fetch_status::failed);
  CHECK(r.reason == "dns");
  CHECK(r.attempts == 1);
}

TEST_CASE("a paused transfer resumes and loses nothing", "[fetch]") {
  recording_sink sink;
  sink.pause_every_other = true;
  auto r = run_fetch(server().url("/big?bytes=400000"), sink);
  CHECK(r.status == fetch_status::ok);
  CHECK(sink.pauses > 0);
  CHECK(sink.body.size() == r.bytes);
  CHECK(sink.body.size() == 400'000);
}

TEST_CASE("receive buffers shrink as transfers in flight grow, within libcurl's range", "[fetch]") {
  CHECK(receive_buffer_for(0) == 64 * 1024);
  CHECK(receive_buffer_for(100) == 64 * 1024);
  CHECK(receive_buffer_for(128) == 64 * 1024);
  CHECK(receive_buffer_for(256) == 32 * 1024);
  CHECK(receive_buffer_for(512) == 16 * 1024);
  CHECK(receive_buffer_for(1024) == 8 * 1024);
  CHECK(receive_buffer_for(4096) == 2 * 1024);
  CHECK(receive_buffer_for(8192) == 1024);
  CHECK(receive_buffer_for(10000) == 1024);
  CHECK(receive_buffer_for(100000) == 1024);
}

TEST_CASE("a retry still due when the run stops leaves the URL unfinished, not failed", "[fetch]") {
  recording_sink sink;
  retry_policy slow = fast_retries(3);
  slow.base_delay = std::chrono::seconds(30);
  auto r = run_fetch(shared_test_server().url("/always503/stop"), sink, {}, slow, std::chrono::milliseconds(300));
  CHECK(r.status == fetch_status::interrupted);
  CHECK(r.attempts == 1);
  CHECK(r.http_status == 503);
}

TEST_CASE("a redirect to an .invalid host is refused locally, as the same host in the list is", "[fetch]") {
  recording_sink sink;
  auto r = run_fetch(shared_test_server().url("/redirect?to=http://nowhere.invalid/x"), sink);
  CHECK(r.status == fetch_status::failed);
  CHECK(r.reason == "dns");
  CHECK(r.error.find("RFC 6761") != std::string::npos);
  CHECK(r.attempts == 1);
}

TEST_CASE("a drip slower than 1 KB/s for longer than the low-speed time is aborted", "[fetch]") {
  recording_sink sink;
  request_options options;
  options.low_speed_time = std::chrono::seconds(1);
  // 16 bytes every 400 ms is 40 B/s; the body takes about 3 s.
  auto r = run_fetch(server().url("/drip?ms=400"), sink, options, fast_retries(0));
  CHECK(r.status == fetch_status::failed);
  CHECK(r.reason == "timeout");
}

TEST_CASE("an easy handle reused by its loop carries nothing of its previous transfer", "[fetch]") {
  boost::asio::io_context io;
  multi_loop loop(io.get_executor());
  boost::asio::steady_timer shutdown(io, std::chrono::steady_clock::time_point::max());
  recording_sink first, second;
  first.io = second.io = &io;
  first.pause_every_other = true;  // the first transfer was paused and resumed
  request_options with_headers, plain;  // named: a coroutine keeps references to its arguments
  with_headers.headers = {"X-Probe: 1"};
  retry_policy once = fast_retries(0);
  validators known{"\"v1\"", ""};
  auto etag = normalize_url(server().url("/etag/1")).url.value();
  auto big = normalize_url(server().url("/big?bytes=100000")).url.value();
  fetch_result a, b;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        co_await fetch(loop, big, plain, once, first, shutdown);
        a = co_await fetch(loop, etag, with_headers, once, first, shutdown, &known);
        b = co_await fetch(loop, etag, plain, once, second, shutdown);
        co_await fetch(loop, big, plain, once, second, shutdown);
      },
      [](std::exception_ptr e) { if (e) std::rethrow_exception(e); });
  io.run();
  CHECK(first.pauses > 0);
  CHECK(a.status == fetch_status::not_modified);
  CHECK(b.status == fetch_status::ok);  // no If-None-Match this time: the whole page
  auto last = server().last_request("/etag/1");
  CHECK(last.find("X-Probe") == std::string::npos);
  CHECK(last.find("If-None-Match") == std::string::npos);
  CHECK(second.body.size() == 100'000);  // never paused: its sink does not pause
  CHECK(second.pauses == 0);
}
