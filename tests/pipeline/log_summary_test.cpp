#include "crawl/pipeline/log_summary.hpp"
#include "crawl/pipeline/log_summary_output.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <map>

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

using counts = std::map<std::string, std::uint64_t>;
// Every row's count by "bucket|value|value" (a missing value is "(none)").
counts counts_of(const log_summary& s, const summary_rules& rules) {
  counts out;
  for (const auto& row : answer_rows(s, rules.query(), answer_layout{0, ""})) {
    std::string key;
    if (row.bucket) key = format_utc(utc_time{*row.bucket, 0});
    for (const auto& v : row.values) key += (key.empty() ? "" : "|") + (v ? std::string(*v) : std::string("(none)"));
    if (row.stats) out[key] += row.stats->count;
  }
  return out;
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

TEST_CASE("group-by counts lines by the first capture group, named groups name the field", "[summary]") {
  summary_options o;
  o.groups = {" (INFO|WARN|ERROR) ", "status=(?P<status>\\d+)"};
  auto rules = std::make_shared<const summary_rules>(o);
  CHECK(rules->query().by == std::vector<std::string>{" (INFO|WARN|ERROR) ", "status"});
  auto s = summarize("t INFO status=200\nt ERROR status=500\nt INFO status=200\nt nothing\n", o);
  CHECK(counts_of(s, *rules) == counts{{"INFO|200", 2}, {"ERROR|500", 1}});
  CHECK(s.unparsed_lines == 1);  // neither pattern matched it: not part of the answer, and said
  CHECK(s.first_unparsed->text == "t nothing");
  CHECK(s.words.total() == 0);   // grouping turns word counting off
}

TEST_CASE("time buckets come from a leading ISO-8601 timestamp or --time", "[summary]") {
  summary_options o;
  o.query.per = time_bucket::hour;
  auto rules = std::make_shared<const summary_rules>(o);
  auto s = summarize("2024-05-01T10:00:01 a\n2024-05-01 10:59:59 b\n2024-05-01T11:00:00 c\nno time\n", o);
  CHECK(counts_of(s, *rules) == counts{{"2024-05-01T10:00:00Z", 2}, {"2024-05-01T11:00:00Z", 1}});
  CHECK(s.untimed_lines == 1);
  CHECK(s.first_untimed->text == "no time");
  o.query.per = time_bucket::minute;
  o.time_pattern = "at=(\\S+)";
  auto m = summarize("x at=2024-05-01T10:07:00Z\ny at=2024-05-01T12:07:30+02:00\n", o);
  CHECK(counts_of(m, summary_rules(o)) == counts{{"2024-05-01T10:07:00Z", 2}});
}

TEST_CASE("bad patterns are reported with the option", "[summary]") {
  summary_options o;
  o.groups = {"no group here"};
  CHECK(summary_rules(o).error().find("--group") != std::string::npos);
  summary_options bad;
  bad.match = {"(unclosed"};
  CHECK(summary_rules(bad).error().find("--match") != std::string::npos);
  summary_options unnamed;
  unnamed.parse = {"(\\d+)"};
  CHECK(summary_rules(unnamed).error().find("--parse") != std::string::npos);
}

TEST_CASE("summaries merge exactly and render as JSON rows", "[summary]") {
  summary_options o;
  o.groups = {"s=(\\d)"};
  auto a = summarize("x s=1\n", o);
  auto b = summarize("y s=1\ny s=2\n", o);
  a.merge(b);
  CHECK(a.lines == 3);
  summary_rules rules(o);
  CHECK(counts_of(a, rules) == counts{{"1", 2}, {"2", 1}});
  auto json = nlohmann::json::parse(dump_json(log_json(a, {}, rules.query(), answer_layout{5, ""})));
  CHECK(json["lines"] == 3);
  CHECK(json["rows"] == nlohmann::json::parse(R"j([{"s=(\\d)": "1", "count": 2}, {"s=(\\d)": "2", "count": 1}])j"));
}

TEST_CASE("group values with invalid UTF-8 are written as valid JSON, with U+FFFD", "[summary]") {
  summary_options o;
  o.groups = {"user=(\\S+)"};
  // A UTF-16 surrogate, an overlong slash and a stray continuation byte.
  auto a = summarize("user=\xED\xA0\x80 x\nuser=\xC0\xAF y\nuser=a\x80" "b z\n", o);
  std::string text = dump_json(log_json(a, {}, summary_rules(o).query(), answer_layout{5, ""}));
  auto json = nlohmann::json::parse(text);  // throws on invalid UTF-8
  CHECK(json["rows"].size() >= 2);
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
  summarizer.add("s=3 u=b\n", false, first);                 // and back to the first, whose group moved on
  CHECK(counts_of(first, *rules) == counts{{"1|a", 2}, {"2|(none)", 1}, {"1|b", 3}, {"3|b", 1}});
  CHECK(counts_of(second, *rules) == counts{{"1|b", 1}, {"3|b", 1}});
  CHECK(first.lines == 8);
  CHECK(second.lines == 2);
}
