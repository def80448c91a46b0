#include "crawl/pipeline/log_query.hpp"
#include "crawl/pipeline/log_summary.hpp"
#include "crawl/pipeline/log_summary_output.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>

using namespace crawl::pipeline;

namespace {

// Generated JSON lines with known answers: service, status, latency, user.
struct generated {
  std::string text;
  std::map<std::string, std::vector<double>> latencies;  // by service
  std::map<std::string, std::int64_t> bytes;             // by service
  std::map<std::string, std::set<std::string>> users;    // by service
  std::uint64_t errors = 0;                              // status >= 500
};

generated generate(int lines, int users) {
  generated g;
  std::mt19937_64 rng(42);
  const char* services[] = {"api", "web", "auth"};
  for (int i = 0; i < lines; ++i) {
    std::string service = services[rng() % 3];
    int status = rng() % 10 == 0 ? 503 : 200;
    double latency = std::exp(std::uniform_real_distribution<double>(0, 8)(rng)) / 10.0;  // 0.1 .. 298
    std::int64_t bytes = static_cast<std::int64_t>(rng() % 100000);
    std::string user = "u" + std::to_string(rng() % static_cast<unsigned>(users));
    char latency_text[32];
    std::snprintf(latency_text, sizeof latency_text, "%.3f", latency);
    g.text += R"({"service":")" + service + R"(","status":)" + std::to_string(status) + R"(,"latency_ms":)" +
              latency_text + R"(,"bytes":)" + std::to_string(bytes) + R"(,"user":")" + user + "\"}\n";
    g.latencies[service].push_back(std::strtod(latency_text, nullptr));
    g.bytes[service] += bytes;
    g.users[service].insert(user);
    g.errors += status >= 500;
  }
  return g;
}

double exact_quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size()) - 1e-9));
  return v[std::max<std::size_t>(rank, 1) - 1];
}

log_summary summarize(const std::string& text, const summary_options& o, log_format format) {
  auto rules = std::make_shared<const summary_rules>(o);
  REQUIRE(rules->error().empty());
  log_summarizer summarizer(rules);
  log_summary s;
  // In pieces of whole lines, as the reader hands them out, into two summaries merged after.
  log_summary other;
  std::size_t at = 0, n = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\n', std::min(text.size() - 1, at + 5000));
    end = end == std::string::npos ? text.size() : end + 1;
    summarizer.add(std::string_view(text).substr(at, end - at), false, n++ % 2 ? other : s, 0,
                   chunk_origin{format, 0, 0, at});
    at = end;
  }
  s.merge(other);
  return s;
}

nlohmann::json rows_json(const log_summary& s, const summary_options& o) {
  summary_rules rules(o);
  return nlohmann::json::parse(dump_json(log_json(s, {}, rules.query(), answer_layout{0, ""})))["rows"];
}

}  // namespace

TEST_CASE("aggregates against exact answers: counts and sums exact, percentiles within 1%", "[query]") {
  generated g = generate(30000, 500);
  summary_options o;
  o.query.by = {"service"};
  o.query.aggregates = {{aggregate_kind::sum, "bytes"}, {aggregate_kind::avg, "latency_ms"},
                        {aggregate_kind::min, "latency_ms"}, {aggregate_kind::max, "latency_ms"},
                        {aggregate_kind::quantile, "latency_ms", 0.5}, {aggregate_kind::quantile, "latency_ms", 0.99},
                        {aggregate_kind::distinct, "user"}};
  auto s = summarize(g.text, o, log_format::json);
  CHECK(s.lines == 30000);
  CHECK(s.unparsed_lines == 0);
  CHECK(s.words.total() == 0);
  auto rows = rows_json(s, o);
  REQUIRE(rows.size() == 3);
  for (const auto& row : rows) {
    std::string service = row["service"];
    INFO(service);
    const auto& lat = g.latencies[service];
    CHECK(row["count"] == lat.size());
    CHECK(row["sum_bytes"] == g.bytes[service]);
    double sum = 0;
    for (double v : lat) sum += v;
    CHECK(row["avg_latency_ms"].get<double>() == Approx(sum / static_cast<double>(lat.size())).epsilon(1e-9));
    CHECK(row["min_latency_ms"] == *std::min_element(lat.begin(), lat.end()));
    CHECK(row["max_latency_ms"] == *std::max_element(lat.begin(), lat.end()));
    for (auto [name, q] : {std::pair{"p50_latency_ms", 0.5}, std::pair{"p99_latency_ms", 0.99}}) {
      double exact = exact_quantile(lat, q);
      CHECK(std::fabs(row[name].get<double>() - exact) <= 0.01 * exact);
    }
    CHECK(row["distinct_user"] == g.users[service].size());  // under 10,000: exact
  }
  // Rows come by count, descending.
  CHECK(rows[0]["count"] >= rows[1]["count"]);
}

TEST_CASE("distinct past the exact threshold is within 2% and says it is estimated", "[query]") {
  generated g = generate(60000, 1'000'000);
  summary_options o;
  o.query.aggregates = {{aggregate_kind::distinct, "user"}};
  auto s = summarize(g.text, o, log_format::json);
  std::set<std::string> all;
  for (const auto& [service, users] : g.users) all.insert(users.begin(), users.end());
  summary_rules rules(o);
  auto json = nlohmann::json::parse(dump_json(log_json(s, {}, rules.query(), answer_layout{0, ""})));
  REQUIRE(json["rows"].size() == 1);
  double estimate = json["rows"][0]["distinct_user"].get<double>();
  CHECK(std::fabs(estimate - static_cast<double>(all.size())) <= 0.02 * static_cast<double>(all.size()));
  CHECK(json["estimated"] == nlohmann::json::array({"distinct_user"}));
  CHECK(format_log_table(s, rules.query(), answer_layout{5, ""}).find("~") != std::string::npos);
}

TEST_CASE("where: numbers compare as numbers, text as text, =~ by RE2, and a missing field never holds", "[query]") {
  generated g = generate(5000, 50);
  summary_options o;
  o.query.where = {{"status", compare_op::greater_equal, "500"}};
  o.query.aggregates = {{aggregate_kind::count, ""}};
  CHECK(rows_json(summarize(g.text, o, log_format::json), o)[0]["count"] == g.errors);
  // "9" > "10" as text, 9 < 10 as numbers.
  std::string lines = "{\"n\":9,\"s\":\"b\"}\n{\"n\":10,\"s\":\"a\"}\n{\"s\":\"c\"}\n";
  auto count_where = [&](field_condition c) {
    summary_options w;
    w.query.where = {std::move(c)};
    w.query.aggregates = {{aggregate_kind::count, ""}};
    auto rows = rows_json(summarize(lines, w, log_format::json), w);
    return rows.empty() ? 0 : rows[0]["count"].get<int>();
  };
  CHECK(count_where({"n", compare_op::less, "10"}) == 1);
  CHECK(count_where({"n", compare_op::not_equal, "9"}) == 1);  // the line without n does not hold
  CHECK(count_where({"s", compare_op::greater, "a"}) == 2);
  CHECK(count_where({"s", compare_op::matches, "^[ab]$"}) == 2);
  CHECK(count_where({"s", compare_op::equal, "c"}) == 1);
  summary_options bad;
  bad.query.where = {{"s", compare_op::matches, "(unclosed"}};
  CHECK(summary_rules(bad).error().find("--where") != std::string::npos);
}

TEST_CASE("time buckets: offsets are converted, --tz shifts the buckets, empty ones inside the range are shown",
          "[query]") {
  std::string lines =
      "{\"time\":\"2026-11-29T23:59:30+02:00\"}\n{\"time\":\"2026-11-29T21:59:40Z\"}\n"
      "{\"time\":\"2026-11-29T22:02:00Z\"}\n{\"msg\":\"no time\"}\n";
  summary_options o;
  o.query.per = time_bucket::minute;
  auto s = summarize(lines, o, log_format::json);
  CHECK(s.untimed_lines == 1);
  auto rows = rows_json(s, o);
  REQUIRE(rows.size() == 4);
  CHECK(rows[0] == nlohmann::json{{"minute", "2026-11-29T21:59"}, {"count", 2}});
  CHECK(rows[1] == nlohmann::json{{"minute", "2026-11-29T22:00"}, {"count", 0}});
  CHECK(rows[2] == nlohmann::json{{"minute", "2026-11-29T22:01"}, {"count", 0}});
  CHECK(rows[3] == nlohmann::json{{"minute", "2026-11-29T22:02"}, {"count", 1}});
  o.query.per = time_bucket::day;
  o.tz_offset = 3 * 3600;  // 21:59Z is already the 30th at +03:00
  auto day = rows_json(summarize(lines, o, log_format::json), o);
  REQUIRE(day.size() == 1);
  CHECK(day[0] == nlohmann::json{{"day", "2026-11-30"}, {"count", 3}});
}

TEST_CASE("by: a compound key, a missing value is null, and groups past --max-groups are one (other) row", "[query]") {
  std::string lines = "{\"a\":\"x\",\"b\":\"1\"}\n{\"a\":\"x\"}\n{\"a\":\"y\",\"b\":\"1\"}\n{\"a\":\"z\",\"b\":\"2\"}\n"
                      "{\"a\":\"w\",\"b\":\"2\"}\n{\"a\":\"x\",\"b\":\"1\"}\n";
  summary_options o;
  o.query.by = {"a", "b"};
  auto rows = rows_json(summarize(lines, o, log_format::json), o);
  REQUIRE(rows.size() == 5);
  CHECK(rows[0] == nlohmann::json{{"a", "x"}, {"b", "1"}, {"count", 2}});
  CHECK(std::count(rows.begin(), rows.end(), nlohmann::json{{"a", "x"}, {"b", nullptr}, {"count", 1}}) == 1);
  o.query.max_groups = 2;
  auto s = summarize(lines, o, log_format::json);
  CHECK(s.table.folded);
  std::uint64_t total = 0;
  bool other = false;
  for (const auto& row : rows_json(s, o)) {
    total += row["count"].get<std::uint64_t>();
    other = other || row["a"] == "(other)";
  }
  CHECK(total == 6);  // nothing lost: folded, and said
  CHECK(other);
}

TEST_CASE("rows as CSV and TSV: a header of column names, fields quoted or cleaned", "[query]") {
  std::string lines = "{\"path\":\"/a,b\",\"ms\":1}\n{\"path\":\"/tab\\there\",\"ms\":3}\n{\"path\":\"/a,b\",\"ms\":2}\n";
  summary_options o;
  o.query.by = {"path"};
  o.query.aggregates = {{aggregate_kind::quantile, "ms", 0.99}, {aggregate_kind::sum, "ms"}};
  auto s = summarize(lines, o, log_format::json);
  summary_rules rules(o);
  std::string csv, tsv;
  write_answer(true, s, rules.query(), answer_layout{0, ""}, [&](std::string_view p) { csv += p; });
  write_answer(false, s, rules.query(), answer_layout{0, ""}, [&](std::string_view p) { tsv += p; });
  CHECK(csv == "path,count,p99_ms,sum_ms\n\"/a,b\",2,2,3\n/tab\there,1,3,3\n");
  CHECK(tsv == "path\tcount\tp99_ms\tsum_ms\n/a,b\t2\t2\t3\n/tab here\t1\t3\t3\n");
  // --sort by a column: p99 descending puts /tab first.
  std::string sorted;
  write_answer(true, s, rules.query(), answer_layout{0, "p99(ms)"}, [&](std::string_view p) { sorted += p; });
  CHECK(sorted.substr(sorted.find('\n') + 1, 4) == "/tab");
  CHECK(is_answer_column(rules.query(), "p99_ms"));
  CHECK_FALSE(is_answer_column(rules.query(), "p98_ms"));
}

TEST_CASE("values that are not numbers are counted apart, never as zero", "[query]") {
  std::string lines = "{\"ms\":\"-\"}\n{\"ms\":4}\n{\"ms\":\"fast\"}\n";
  summary_options o;
  o.query.aggregates = {{aggregate_kind::avg, "ms"}, {aggregate_kind::min, "ms"}};
  auto s = summarize(lines, o, log_format::json);
  summary_rules rules(o);
  auto json = nlohmann::json::parse(dump_json(log_json(s, {}, rules.query(), answer_layout{0, ""})));
  CHECK(json["rows"][0]["avg_ms"] == 4);
  CHECK(json["rows"][0]["min_ms"] == 4);
  CHECK(json["not_numbers"] == nlohmann::json{{"ms", 2}});
}

#include "crawl/pipeline/log_partial.hpp"

TEST_CASE("partial results round-trip, and merged parts answer as the whole, in any order", "[query][partial]") {
  generated g = generate(20000, 30000);
  summary_options o;
  o.query.by = {"service"};
  o.query.per = time_bucket::none;
  o.query.aggregates = {{aggregate_kind::sum, "bytes"}, {aggregate_kind::quantile, "latency_ms", 0.99},
                        {aggregate_kind::distinct, "user"}, {aggregate_kind::min, "latency_ms"}};
  auto whole = summarize(g.text, o, log_format::json);
  // Three parts, cut at line ends.
  std::vector<log_summary> parts;
  std::size_t at = 0;
  for (int i = 0; i < 3; ++i) {
    std::size_t end = i == 2 ? g.text.size() : g.text.find('\n', g.text.size() * static_cast<std::size_t>(i + 1) / 3) + 1;
    parts.push_back(summarize(g.text.substr(at, end - at), o, log_format::json));
    at = end;
  }
  summary_rules rules(o);
  auto round_trip = [&](const log_summary& s) {
    std::string error;
    auto back = parse_partial(serialize_partial(rules.query(), s, {{"run-1", 0, 1}}, "2026-11-30T00:00:00Z"), error);
    INFO(error);
    REQUIRE(back);
    CHECK(back->query.by == rules.query().by);
    CHECK(back->query.aggregates.size() == rules.query().aggregates.size());
    return std::move(back->summary);
  };
  log_summary forward, backward;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    forward.merge(round_trip(parts[i]));
    backward.merge(round_trip(parts[parts.size() - 1 - i]));
  }
  auto rows = [&](const log_summary& s) { return rows_json(s, o).dump(); };
  CHECK(rows(round_trip(whole)) == rows(whole));
  CHECK(rows(forward) == rows(whole));
  CHECK(rows(backward) == rows(whole));
  CHECK(forward.lines == whole.lines);
  CHECK(forward.bytes == whole.bytes);
}

TEST_CASE("partial results that are not ours, of another version or broken are refused with a reason", "[query][partial]") {
  std::string error;
  CHECK_FALSE(parse_partial("not json", error));
  CHECK(error == "not JSON");
  CHECK_FALSE(parse_partial(R"({"format":"crawl-tail-partial","version":9})", error));
  CHECK(error.find("version 9") != std::string::npos);
  CHECK_FALSE(parse_partial(R"({"format":"crawl-tail-partial","version":1,"run_id":"x"})", error));
  CHECK(error.find("missing") != std::string::npos);
  // Found by partial_fuzz: a format that is not a string threw out of the parser.
  CHECK_FALSE(parse_partial(R"({"format":true})", error));
  CHECK(error == "not crawl tail partial results");
  // And a count of 1e90 was converted to a 64-bit integer (undefined behaviour).
  summary_options o;
  auto s = summarize("a\n", o, log_format::plain);
  std::string text = serialize_partial(summary_rules(o).query(), s, {{"r", 0, 1}}, "t");
  text.replace(text.find("\"lines\":1"), 9, "\"lines\":1e90");
  CHECK_FALSE(parse_partial(text, error));
  CHECK(error == "a number is out of range or not whole");
}

TEST_CASE("partial results with base64 that is not whole groups of four are refused, not decoded past the buffer",
          "[query][partial]") {
  // Found by partial_fuzz: Boost.Beast's decoder wrote past its buffer on this.
  summary_options o;
  o.query.aggregates = {{aggregate_kind::distinct, "user"}};
  auto s = summarize("{\"user\":\"a\"}\n", o, log_format::json);
  std::string text = serialize_partial(summary_rules(o).query(), s, {{"r", 0, 1}}, "t");
  auto at = text.find("\"distinct\":\"") + 12;
  text.replace(at, text.find('"', at) - at, "Y2RjMQABAAAAAAAAAGoIFrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrMUaHPlB");
  std::string error;
  CHECK_FALSE(parse_partial(text, error));
  CHECK(error == "a distinct counter is malformed");
}

TEST_CASE("per with by and only counts shows a time x group cross table with every bucket", "[query]") {
  std::string lines = "{\"time\":\"2026-11-29T21:00:10Z\",\"s\":\"200\"}\n{\"time\":\"2026-11-29T21:00:20Z\",\"s\":\"500\"}\n"
                      "{\"time\":\"2026-11-29T21:02:00Z\",\"s\":\"200\"}\n{\"time\":\"2026-11-29T21:02:30Z\",\"s\":\"200\"}\n";
  summary_options o;
  o.query.per = time_bucket::minute;
  o.query.by = {"s"};
  auto s = summarize(lines, o, log_format::json);
  std::string table = format_log_table(s, summary_rules(o).query(), answer_layout{20, ""});
  CHECK(table.find("count by s\nminute (UTC)      200  500\n"
                   "2026-11-29T21:00    1    1\n"
                   "2026-11-29T21:01    0    0\n"
                   "2026-11-29T21:02    2    0\n") != std::string::npos);
}
