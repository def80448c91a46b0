#include "crawl/pipeline/log_summary.hpp"
#include "crawl/pipeline/log_summary_output.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace crawl::pipeline;

namespace {
log_summary summarize(const std::string& text, summary_options o = {}) {
  auto rules = std::make_shared<const summary_rules>(o);
  REQUIRE(rules->error().empty());
  log_summarizer summarizer(rules);
  log_summary s;
  summarizer.add(text, false, s);
  return s;
}
}  // namespace

TEST_CASE("lines, bytes, NULs and words are counted, and CR before LF is not a word", "[summary]") {
  std::string text = std::string("one two\r\nthree\0four\nlast", 24);
  auto s = summarize(text);
  CHECK(s.lines == 3);
  CHECK(s.bytes == text.size());
  CHECK(s.nul_bytes == 1);
  CHECK(s.words.get("one") == 1);
  CHECK(s.words.get("four") == 1);
  CHECK(s.words.get("last") == 1);
  CHECK(s.words.total() == 5);
}

TEST_CASE("match and exclude choose the lines that are summarized", "[summary]") {
  summary_options o;
  o.match = {"ERROR", "WARN"};
  o.exclude = {"ignore"};
  auto s = summarize("INFO a\nERROR b\nWARN c ignore\nWARN d\n", o);
  CHECK(s.lines == 4);
  CHECK(s.kept_lines == 2);
  CHECK(s.words.get("b") == 1);
  CHECK(s.words.get("d") == 1);
  CHECK(s.words.get("a") == 0);
}

TEST_CASE("group-by counts lines by the first capture group, named groups label it", "[summary]") {
  summary_options o;
  o.groups = {" (INFO|WARN|ERROR) ", "status=(?P<status>\\d+)"};
  o.words = false;
  auto rules = std::make_shared<const summary_rules>(o);
  CHECK(rules->group_label(0) == " (INFO|WARN|ERROR) ");
  CHECK(rules->group_label(1) == "status");
  auto s = summarize("t INFO status=200\nt ERROR status=500\nt INFO status=200\nt nothing\n", o);
  CHECK(s.groups[0]["INFO"] == 2);
  CHECK(s.groups[0]["ERROR"] == 1);
  CHECK(s.groups[1]["200"] == 2);
  CHECK(s.groups[1]["500"] == 1);
  CHECK(s.words.total() == 0);
}

TEST_CASE("time buckets come from a leading ISO-8601 timestamp or --time", "[summary]") {
  summary_options o;
  o.per = time_bucket::hour;
  auto s = summarize("2024-05-01T10:00:01 a\n2024-05-01 10:59:59 b\n2024-05-01T11:00:00 c\nno time\n", o);
  CHECK(s.buckets["2024-05-01T10"] == 2);
  CHECK(s.buckets["2024-05-01T11"] == 1);
  CHECK(s.untimed_lines == 1);
  o.per = time_bucket::minute;
  o.time_pattern = "at=(\\S+)";
  auto m = summarize("x at=2024-05-01T10:07:00Z\ny at=2024-05-01T10:07:30Z\n", o);
  CHECK(m.buckets["2024-05-01T10:07"] == 2);
}

TEST_CASE("bad patterns are reported with the option", "[summary]") {
  summary_options o;
  o.groups = {"no group here"};
  CHECK(summary_rules(o).error().find("--group") != std::string::npos);
  summary_options bad;
  bad.match = {"(unclosed"};
  CHECK(summary_rules(bad).error().find("--match") != std::string::npos);
}

TEST_CASE("summaries merge exactly and render as JSON", "[summary]") {
  summary_options o;
  o.groups = {"s=(\\d)"};
  auto a = summarize("x s=1\n", o);
  auto b = summarize("y s=1\ny s=2\n", o);
  a.merge(b);
  CHECK(a.lines == 3);
  CHECK(a.groups[0]["1"] == 2);
  auto json = nlohmann::json::parse(format_log_json(a, {}, {"s"}, 5));
  CHECK(json["lines"] == 3);
  CHECK(json["groups"] == nlohmann::json{{"s", {{"1", 2}, {"2", 1}}}});
}

TEST_CASE("group values with invalid UTF-8 are written as valid JSON, with U+FFFD", "[summary]") {
  summary_options o;
  o.groups = {"user=(\\S+)"};
  // A UTF-16 surrogate, an overlong slash and a stray continuation byte.
  auto a = summarize("user=\xED\xA0\x80 x\nuser=\xC0\xAF y\nuser=a\x80" "b z\n", o);
  std::string text = format_log_json(a, {}, {"user"}, 5);
  auto json = nlohmann::json::parse(text);  // throws on invalid UTF-8
  CHECK(json["groups"]["user"].size() >= 2);
  CHECK(text.find("\xEF\xBF\xBD") != std::string::npos);
}

TEST_CASE("runs of equal group values are counted exactly across chunks and summaries", "[summary]") {
  summary_options o;
  o.words = false;
  o.groups = {"s=(\\d+)", "u=(\\w+)"};
  auto rules = std::make_shared<const summary_rules>(o);
  log_summarizer summarizer(rules);
  log_summary first, second;
  summarizer.add("s=1 u=a\ns=1 u=a\ns=2\ns=1 u=b\n", false, first);
  summarizer.add("s=1 u=b\nnone\ns=1 u=b\n", false, first);  // the run of s=1 goes on in a new chunk
  summarizer.add("s=1 u=b\ns=3 u=b\n", false, second);       // another summary starts from nothing
  CHECK(first.groups[0] == value_counts{{"1", 5}, {"2", 1}});
  CHECK(first.groups[1] == value_counts{{"a", 2}, {"b", 3}});
  CHECK(second.groups[0] == value_counts{{"1", 1}, {"3", 1}});
  CHECK(second.groups[1] == value_counts{{"b", 2}});
  CHECK(first.lines == 7);
  CHECK(second.lines == 2);
}
