#include "crawl/run_stats.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using crawl::app::latency_histogram;
using namespace std::chrono;

TEST_CASE("latency quantiles are within the bucket resolution", "[stats]") {
  latency_histogram h;
  for (int ms = 1; ms <= 100; ++ms) h.add(milliseconds(ms));
  auto p50 = duration_cast<microseconds>(h.quantile(0.5)).count();
  auto p99 = duration_cast<microseconds>(h.quantile(0.99)).count();
  CHECK(p50 >= 50'000);
  CHECK(p50 <= 50'000 * 107 / 100);
  CHECK(p99 >= 99'000);
  CHECK(p99 <= 99'000 * 107 / 100);
  CHECK(h.count() == 100);
}

TEST_CASE("an empty histogram reports zero", "[stats]") {
  latency_histogram h;
  CHECK(h.quantile(0.5).count() == 0);
}

TEST_CASE("the JSON summary carries the exit status and counters", "[stats]") {
  crawl::app::run_stats s;
  s.ok = 3;
  s.failed = 1;
  s.failed_by_reason["http 404"] = 1;
  s.status_codes[200] = 3;
  s.exit_status = 1;
  auto json = nlohmann::json::parse(crawl::app::format_summary_json(s));
  CHECK(json["exit_status"] == 1);
  CHECK(json["failed_by_reason"] == nlohmann::json{{"http 404", 1}});
  CHECK(json["status_codes"] == nlohmann::json{{"200", 3}});
}
