// `crawl tail` answering questions about the fields of real log formats, end to end.
#include "run_process.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <map>

using namespace crawl::test;
using json = nlohmann::json;

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// An nginx combined log with request_time and upstream_time, two hours of
// it, with one broken line at line 7; the answers counted as it is written.
struct access_log {
  std::string text;
  std::map<std::string, int> by_status;
  std::map<std::string, int> errors_by_hour;
  std::map<std::string, double> slowest_by_path;
};

access_log make_access_log() {
  access_log log;
  const char* paths[] = {"/", "/api/items", "/login", "/static/app.js"};
  const char* statuses[] = {"200", "200", "200", "404", "500", "503"};
  for (int i = 0; i < 600; ++i) {
    if (i == 6) {
      log.text += "this line is not an access log line\n";
      continue;
    }
    int minute = i / 5;  // 120 minutes from 21:00 at +0100
    std::string status = statuses[i % 6];
    std::string path = paths[(i / 3) % 4];
    char time[64], line[512];
    std::snprintf(time, sizeof time, "29/Nov/2026:%02d:%02d:%02d +0100", 21 + minute / 60, minute % 60, i % 60);
    double request_time = 0.001 * (1 + (i * 37) % 900);
    std::snprintf(line, sizeof line,
                  "10.0.%d.%d - - [%s] \"GET %s?q=%d HTTP/1.1\" %s %d \"-\" \"Mozilla/5.0 (X11; \\\"x\\\")\" %.3f %.3f\n",
                  i % 7, i % 13, time, path.c_str(), i, status.c_str(), 100 + i, request_time, request_time / 2);
    log.text += line;
    ++log.by_status[status];
    if (status >= "500") ++log.errors_by_hour[minute < 60 ? "2026-11-29T20:00" : "2026-11-29T21:00"];
    log.slowest_by_path[path] = std::max(log.slowest_by_path[path], request_time);
  }
  return log;
}

process_result tail(const std::vector<std::string>& args) {
  std::vector<std::string> full{"tail"};
  full.insert(full.end(), args.begin(), args.end());
  return run_crawl(full);
}

json tail_json(const std::vector<std::string>& args) {
  std::vector<std::string> full{"--format", "json", "-q"};
  full.insert(full.end(), args.begin(), args.end());
  auto r = tail(full);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return json::parse(r.out);
}

}  // namespace

TEST_CASE("tail fields: an nginx log is told by its lines, and requests per status match the log", "[tail][fields]") {
  auto dir = temp_dir("tail-fields");
  access_log log = make_access_log();
  write_file(dir + "/access.log", log.text);
  auto r = tail({dir + "/access.log", "--by", "status", "-v", "--format", "json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.err, "read as access lines"));
  // The broken line is counted, quoted and placed, never silent.
  CHECK(contains(r.err, "access.log:7: 1 line not in its file's format"));
  CHECK(contains(r.err, "this line is not an access log line"));
  auto j = json::parse(r.out);
  CHECK(j["unparsed_lines"] == 1);
  CHECK(j["first_unparsed"]["line"] == 7);
  std::map<std::string, int> seen;
  for (const auto& row : j["rows"]) seen[row["status"]] = row["count"];
  CHECK(seen == log.by_status);
  CHECK(j["words"] == 0);  // grouping turns word counting off
}

TEST_CASE("tail fields: slowest paths, errors per hour in UTC, visitors per day", "[tail][fields]") {
  auto dir = temp_dir("tail-fields-q");
  access_log log = make_access_log();
  write_file(dir + "/access.log", log.text);
  auto paths = tail_json({dir + "/access.log", "--by", "path", "--max", "request_time", "--p99", "request_time",
                          "--sort", "max(request_time)"});
  REQUIRE(paths["rows"].size() == 4);  // JSON is the complete result; --top cuts the table
  for (const auto& row : paths["rows"]) CHECK(row["max_request_time"] == Approx(log.slowest_by_path[row["path"]]));
  for (std::size_t i = 1; i < paths["rows"].size(); ++i)
    CHECK(paths["rows"][i - 1]["max_request_time"] >= paths["rows"][i]["max_request_time"]);

  auto errors = tail_json({dir + "/access.log", "--where", "status>=500", "--per", "hour"});
  std::map<std::string, int> per_hour;
  for (const auto& row : errors["rows"]) per_hour[row["hour"]] = row["count"];
  CHECK(per_hour == log.errors_by_hour);

  auto visitors = tail_json({dir + "/access.log", "--distinct", "remote_addr", "--per", "day"});
  REQUIRE(visitors["rows"].size() == 1);
  CHECK(visitors["rows"][0]["distinct_remote_addr"] == 7 * 13);  // i % 7 and i % 13 over 600 lines: every pair
  CHECK(visitors["estimated"].empty());
}

TEST_CASE("tail fields: the table names its columns, and CSV has one row per bucket and status", "[tail][fields]") {
  auto dir = temp_dir("tail-fields-table");
  write_file(dir + "/access.log", make_access_log().text);
  auto r = tail({dir + "/access.log", "--by", "status", "--p99", "request_time", "-q"});
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.out, "status  count  p99(request_time)"));
  CHECK_FALSE(contains(r.out, "words"));
  auto csv = tail({dir + "/access.log", "--per", "minute", "--by", "status", "--format", "csv", "-q"});
  REQUIRE(csv.exit_code == 0);
  CHECK(csv.out.rfind("minute,status,count\n", 0) == 0);
  CHECK(contains(csv.out, "\n2026-11-29T20:00,200,"));
}

TEST_CASE("tail fields: JSON lines grouped by two fields with percentiles of a third", "[tail][fields]") {
  auto dir = temp_dir("tail-fields-json");
  std::string text;
  for (int i = 0; i < 400; ++i)
    text += R"({"ts":)" + std::to_string(1795989570 + i) + R"(,"level":")" + (i % 4 ? "info" : "error") +
            R"(","service":")" + (i % 2 ? "api" : "web") + R"(","latency_ms":)" + std::to_string(i % 100 + 1) +
            R"(,"ctx":{"region":"eu"}})" + "\n";
  write_file(dir + "/app.jsonl", text);
  auto j = tail_json({dir + "/app.jsonl", "--by", "level", "--by", "service", "--avg", "latency_ms", "--p50",
                      "latency_ms", "--p99", "latency_ms", "--where", "ctx.region=eu"});
  CHECK(j["unparsed_lines"] == 0);
  REQUIRE(j["rows"].size() == 3);  // error lines are all even: web only
  int total = 0;
  for (const auto& row : j["rows"]) {
    total += row["count"].get<int>();
    CHECK(row["p99_latency_ms"].get<double>() >= row["p50_latency_ms"].get<double>());
  }
  CHECK(total == 400);
  CHECK(j["first_time"] == "2026-11-29T21:59:30Z");
}

TEST_CASE("tail fields: a wrong --sort, --where or --tz is a usage error naming it", "[tail][fields]") {
  auto dir = temp_dir("tail-fields-usage");
  write_file(dir + "/access.log", make_access_log().text);
  auto sort = tail({dir + "/access.log", "--by", "status", "--sort", "p99(nothing)"});
  CHECK(sort.exit_code == 2);
  CHECK(contains(sort.err, "--sort: 'p99(nothing)' is not a column"));
  auto where = tail({dir + "/access.log", "--where", "status", "--by", "status"});
  CHECK(where.exit_code == 2);
  CHECK(contains(where.err, "--where"));
  auto tz = tail({dir + "/access.log", "--per", "hour", "--tz", "Europe/Paris"});
  CHECK(tz.exit_code == 2);
  CHECK(contains(tz.err, "--tz"));
}

TEST_CASE("tail fields: --summary-state writes partial results that read back as this run's answer", "[tail][fields]") {
  auto dir = temp_dir("tail-fields-state");
  write_file(dir + "/access.log", make_access_log().text);
  auto j = tail_json({dir + "/access.log", "--by", "status", "--p99", "request_time", "--summary-state",
                      dir + "/parts/part-0.json"});  // its folder is made
  auto part = json::parse(read_file(dir + "/parts/part-0.json"));
  CHECK(part["format"] == "crawl-tail-partial");
  CHECK(part["counts"]["lines"] == j["lines"]);
  CHECK(part["groups"].size() == j["rows"].size());
  CHECK(part["parts"][0]["run_id"].get<std::string>().size() == 32);
  CHECK(part["parts"][0]["shard"] == 0);
  CHECK(part["parts"][0]["shards"] == 1);
  auto r = tail({dir + "/access.log", "--by", "status", "--summary-state", dir + "/access.log/x.json"});
  CHECK(r.exit_code == 2);  // refused before any work: a file is in the way of its folder
  CHECK(contains(r.err, "--summary-state " + dir + "/access.log/x.json"));
}
