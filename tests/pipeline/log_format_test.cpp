// Log line formats on hand-written lines, the broken ones included.
#include "crawl/pipeline/log_format.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <string>

using namespace crawl::pipeline;

namespace {
std::map<std::string, std::string> fields_of(bool parsed, const log_fields& f) {
  REQUIRE(parsed);
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : f.items()) out[std::string(name)] = std::string(value);
  return out;
}
}  // namespace

TEST_CASE("log format: an nginx combined line with its timings", "[log_format]") {
  log_fields f;
  std::string line =
      "203.0.113.7 - alice [29/Nov/2026:21:02:46 +0100] \"GET /docs/a.html?lang=en&x=1 HTTP/1.1\" 200 5120 "
      "\"https://example.org/\" \"Mozilla/5.0 (X11; Linux x86_64) \\\"quoted\\\"\" 0.012 \"0.010, 0.002\"";
  auto got = fields_of(parse_access_line(line, f), f);
  CHECK(got == std::map<std::string, std::string>{
                   {"remote_addr", "203.0.113.7"}, {"user", "alice"}, {"time", "29/Nov/2026:21:02:46 +0100"},
                   {"method", "GET"}, {"path", "/docs/a.html"}, {"query", "lang=en&x=1"}, {"protocol", "HTTP/1.1"},
                   {"status", "200"}, {"bytes", "5120"}, {"referer", "https://example.org/"},
                   {"user_agent", "Mozilla/5.0 (X11; Linux x86_64) \\\"quoted\\\""}, {"request_time", "0.012"},
                   {"upstream_time", "0.010"}});
}

TEST_CASE("log format: common lines, IPv6, '-' for bytes and user, a request that is not one", "[log_format]") {
  log_fields f;
  auto common = fields_of(parse_access_line("2001:db8::1 - - [29/Nov/2026:21:02:46 +0000] \"POST /api HTTP/2.0\" 404 -", f), f);
  CHECK(common.at("remote_addr") == "2001:db8::1");
  CHECK(common.count("user") == 0);
  CHECK(common.count("bytes") == 0);
  CHECK(common.at("path") == "/api");
  CHECK(common.count("query") == 0);
  CHECK(common.count("referer") == 0);
  auto tls = fields_of(parse_access_line("198.51.100.2 - - [29/Nov/2026:21:02:46 +0000] \"\\x16\\x03\\x01\" 400 157 \"-\" \"-\"", f), f);
  CHECK(tls.count("method") == 0);
  CHECK(tls.count("path") == 0);
  CHECK(tls.at("status") == "400");
  CHECK(tls.count("user_agent") == 0);
  // A non-UTF-8 user agent is kept as bytes.
  auto latin = fields_of(parse_access_line("h - - [29/Nov/2026:21:02:46 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"caf\xE9\"", f), f);
  CHECK(latin.at("user_agent") == "caf\xE9");
}

TEST_CASE("log format: a user agent that is not UTF-8 is a field like any other", "[log_format]") {
  log_fields f;
  std::string line = "10.0.0.1 - - [29/Nov/2026:21:02:46 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"agent \xff\xfe\xc0\" 0.5";
  auto got = fields_of(parse_access_line(line, f), f);
  CHECK(got["user_agent"] == "agent \xff\xfe\xc0");
  CHECK(got["request_time"] == "0.5");
}

TEST_CASE("log format: broken access lines are refused, not half read", "[log_format]") {
  log_fields f;
  for (const char* bad : {"", "just some text", "h - - [29/Nov/2026:21:02:46 +0000 \"GET / HTTP/1.1\" 200 1",
                          "h - - [29/Nov/2026:21:02:46 +0000] \"GET / HTTP/1.1 200 1",
                          "h - - [29/Nov/2026:21:02:46 +0000] \"GET / HTTP/1.1\" 2000 1",
                          "h - - [29/Nov/2026:21:02:46 +0000] \"GET / HTTP/1.1\" 200 12k", "h - -"}) {
    INFO(bad);
    CHECK_FALSE(parse_access_line(bad, f));
  }
}

TEST_CASE("log format: syslog, RFC 3164 and RFC 5424", "[log_format]") {
  log_fields f;
  auto bsd = fields_of(parse_syslog_line("<34>Nov 29 21:02:46 web1 sshd[4242]: Accepted publickey for bob", f), f);
  CHECK(bsd == std::map<std::string, std::string>{{"time", "Nov 29 21:02:46"}, {"host", "web1"}, {"program", "sshd"},
                                                  {"pid", "4242"}, {"message", "Accepted publickey for bob"}});
  auto kernel = fields_of(parse_syslog_line("Nov  9 01:02:03 web1 kernel: [ 1.0] eth0 up", f), f);
  CHECK(kernel.at("program") == "kernel");
  CHECK(kernel.count("pid") == 0);
  CHECK(kernel.at("message") == "[ 1.0] eth0 up");
  auto modern = fields_of(parse_syslog_line(
      "<165>1 2026-11-29T21:02:46.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" "
      "eventSource=\"App]lication\"] An application event", f), f);
  CHECK(modern == std::map<std::string, std::string>{{"time", "2026-11-29T21:02:46.003Z"},
                                                     {"host", "mymachine.example.com"}, {"program", "evntslog"},
                                                     {"message", "An application event"}});
  for (const char* bad : {"", "<999>Nov 29 21:02:46 h p: m", "Nov 29 21:02 h p: m", "<1>1 yesterday h a - - - m"}) {
    INFO(bad);
    CHECK_FALSE(parse_syslog_line(bad, f));
  }
}

TEST_CASE("log format: logfmt, bare and quoted values, keys without values", "[log_format]") {
  log_fields f;
  auto got = fields_of(parse_logfmt_line("ts=2026-11-29T21:02:46Z level=info msg=\"user \\\"bob\\\" logged in\" "
                                         "latency_ms=12.5 debug", f), f);
  CHECK(got == std::map<std::string, std::string>{{"ts", "2026-11-29T21:02:46Z"}, {"level", "info"},
                                                  {"msg", "user \\\"bob\\\" logged in"}, {"latency_ms", "12.5"},
                                                  {"debug", ""}});
  CHECK_FALSE(parse_logfmt_line("no pairs here", f));
  CHECK_FALSE(parse_logfmt_line("a=\"unterminated", f));
  CHECK_FALSE(parse_logfmt_line("=x", f));
}

TEST_CASE("log format: detected from a file's first lines", "[log_format]") {
  std::string access = "h - - [29/Nov/2026:21:02:46 +0000] \"GET /?a=b HTTP/1.1\" 200 1 \"-\" \"-\"";
  CHECK(detect_format({access, access, "garbage"}) == log_format::access);
  CHECK(detect_format({"Nov 29 21:02:46 web1 cron[1]: ok", "Nov 29 21:02:47 web1 cron[1]: ok"}) == log_format::syslog);
  CHECK(detect_format({"level=info msg=a", "level=warn msg=b"}) == log_format::logfmt);
  CHECK(detect_format({"{\"level\":\"info\"}", "{\"level\":\"warn\"}"}) == log_format::json);
  CHECK(detect_format({"2026-11-29T21:02:46Z started", "plain words", "more words"}) == log_format::plain);
  CHECK(detect_format({}) == log_format::plain);
  CHECK(std::string(format_name(log_format::access)) == "access");
}
