#include "crawl/pipeline/line_parser.hpp"

#include <catch2/catch.hpp>

using namespace crawl::pipeline;

namespace {

std::string field(const log_fields& f, std::string_view name) {
  const auto* v = f.get(name);
  return v ? std::string(*v) : std::string("(none)");
}

parser_options json_options(std::vector<std::string> needed) {
  parser_options o;
  o.format = log_format::json;
  o.needed = std::move(needed);
  return o;
}

}  // namespace

TEST_CASE("JSON lines: nested keys are a.b, strings unescaped, numbers and booleans as written", "[line_parser]") {
  line_parser p(json_options({"level", "http.status", "latency_ms", "ok", "msg", "tags", "missing"}));
  REQUIRE(p.error().empty());
  log_fields f;
  REQUIRE(p.parse(R"({"level":"warn","http":{"status":503,"path":"/a"},"latency_ms":12.5e0,"ok":true,)"
                  R"("msg":"say \"hi\"\n","tags":[1,2],"nothing":null})",
                  f));
  CHECK(field(f, "level") == "warn");
  CHECK(field(f, "http.status") == "503");
  CHECK(field(f, "http.path") == "(none)");  // not asked for: not read
  CHECK(field(f, "latency_ms") == "12.5e0");
  CHECK(field(f, "ok") == "true");
  CHECK(field(f, "msg") == "say \"hi\"\n");
  CHECK(field(f, "tags") == "[1,2]");
  CHECK(field(f, "missing") == "(none)");
}

TEST_CASE("JSON lines: broken, truncated, not an object, or nested 1,000 deep", "[line_parser]") {
  line_parser p(json_options({"a", "b"}));
  log_fields f;
  CHECK_FALSE(p.parse(R"({"a": "unterminated)", f));
  CHECK_FALSE(p.parse(R"({"a": 1, "b": )", f));
  CHECK_FALSE(p.parse("[1, 2]", f));
  CHECK_FALSE(p.parse("not json", f));
  CHECK_FALSE(p.parse("", f));
  std::string deep = R"({"a": 1, "b": )";
  for (int i = 0; i < 1000; ++i) deep += R"({"x": )";
  deep += "0";
  for (int i = 0; i < 1000; ++i) deep += "}";
  deep += "}";
  // Either read (its shallow keys) or refused as too deep: never a crash.
  if (p.parse(deep, f)) CHECK(field(f, "a") == "1");
  CHECK(p.parse(R"({"a": "after"})", f));  // the parser is fine afterwards
  CHECK(field(f, "a") == "after");
}

TEST_CASE("JSON lines: the time is read from time, ts or @timestamp, ISO 8601 or epoch by magnitude", "[line_parser]") {
  line_parser p(json_options({}));
  log_fields f;
  auto time_of = [&](const std::string& line) {
    REQUIRE(p.parse(line, f));
    auto t = p.time(line, f);
    return t ? format_utc(*t) : std::string("(none)");
  };
  CHECK(time_of(R"({"time":"2026-11-29T23:59:30+02:00"})") == "2026-11-29T21:59:30Z");
  CHECK(time_of(R"({"ts":1795989570})") == "2026-11-29T21:59:30Z");
  CHECK(time_of(R"({"ts":1795989570123})") == "2026-11-29T21:59:30Z");
  CHECK(time_of(R"({"@timestamp":"2026-11-29T21:59:30.5Z"})") == "2026-11-29T21:59:30Z");
  CHECK(time_of(R"({"msg":"no time"})") == "(none)");
}

TEST_CASE("access lines: the time from CLF, converted to UTC", "[line_parser]") {
  parser_options o;
  o.format = log_format::access;
  o.needed = {"path", "request_time"};  // past the user agent: the whole line is read
  line_parser p(o);
  log_fields f;
  std::string line = R"(::1 - - [29/Nov/2026:23:59:30 +0200] "GET /a?b=1 HTTP/1.1" 200 12 "-" "ua" 0.5)";
  REQUIRE(p.parse(line, f));
  CHECK(field(f, "path") == "/a");
  CHECK(field(f, "request_time") == "0.5");
  REQUIRE(p.time(line, f));
  CHECK(format_utc(*p.time(line, f)) == "2026-11-29T21:59:30Z");
  CHECK_FALSE(p.parse("garbage", f));
  // Asked only for fields before the referer, the parser stops there, and
  // splits the request only when its parts are asked for.
  o.needed = {"status"};
  line_parser early(o);
  REQUIRE(early.parse(line, f));
  CHECK(field(f, "status") == "200");
  CHECK(field(f, "request_time") == "(none)");
  CHECK(field(f, "path") == "(none)");  // the request checked, not split: nobody asked for its parts
  CHECK_FALSE(early.parse(R"(::1 - - [29/Nov/2026:23:59:30 +0200] "GET /a HTTP/1.1" 2000 12)", f));  // still checked
}

TEST_CASE("syslog lines without a year take it from now, and --tz gives zoneless times their zone", "[line_parser]") {
  parser_options o;
  o.format = log_format::syslog;
  o.now = utc_time{days_from_civil(2026, 11, 30) * 86400, 0};
  o.default_offset = 3600;
  line_parser p(o);
  log_fields f;
  std::string line = "Nov 29 21:02:46 web sshd[42]: Accepted key";
  REQUIRE(p.parse(line, f));
  CHECK(field(f, "program") == "sshd");
  CHECK(format_utc(*p.time(line, f)) == "2026-11-29T20:02:46Z");
}

TEST_CASE("parse patterns: named groups are fields on any format, and plain lines they miss are not parsed", "[line_parser]") {
  parser_options o;
  o.parse = {R"(user=(?P<user>\w+))", R"(took (?P<ms>\d+)ms)"};
  line_parser p(o);
  REQUIRE(p.error().empty());
  log_fields f;
  REQUIRE(p.parse("login user=ann took 12ms", f));
  CHECK(field(f, "user") == "ann");
  CHECK(field(f, "ms") == "12");
  REQUIRE(p.parse("logout user=bob", f));  // one pattern is enough
  CHECK(field(f, "ms") == "(none)");
  CHECK_FALSE(p.parse("nothing here", f));
  parser_options access = o;
  access.format = log_format::access;
  line_parser q(access);
  REQUIRE(q.parse(R"(1.2.3.4 - - [29/Nov/2026:21:02:46 +0000] "GET /x HTTP/1.1" 200 5)", f));  // the format reads it
  CHECK(field(f, "status") == "200");
  CHECK(field(f, "user") == "(none)");  // "-" is no user
  parser_options unnamed;
  unnamed.parse = {"(\\d+)"};
  CHECK(line_parser(unnamed).error().find("named group") != std::string::npos);
  unnamed.parse = {"(unclosed"};
  CHECK(line_parser(unnamed).error().find("--parse") != std::string::npos);
}

TEST_CASE("plain lines: --time finds the timestamp anywhere, in any known form", "[line_parser]") {
  parser_options o;
  o.time_pattern = R"(\[([^\]]+)\])";
  line_parser p(o);
  log_fields f;
  std::string line = "host [29/Nov/2026:21:02:46 +0100] GET /";
  REQUIRE(p.parse(line, f));
  CHECK(format_utc(*p.time(line, f)) == "2026-11-29T20:02:46Z");
  std::string iso = "2026-11-29 21:02:46 starts with ISO";
  line_parser plain(parser_options{});
  REQUIRE(plain.parse(iso, f));
  CHECK(format_utc(*plain.time(iso, f)) == "2026-11-29T21:02:46Z");
}
