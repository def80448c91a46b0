// pipeline/run_parts: no shard of a run counted twice, none missing unnoticed.
#include "crawl/pipeline/run_parts.hpp"

#include <catch2/catch.hpp>

using namespace crawl::pipeline;

namespace {
std::vector<run_part> shards_of(const std::string& run, std::uint32_t n, std::initializer_list<std::uint32_t> ks) {
  std::vector<run_part> parts;
  for (auto k : ks) parts.push_back({run, k, n});
  return parts;
}
}  // namespace

TEST_CASE("run parts: every shard once is complete", "[run_parts]") {
  auto r = check_parts({{"a", shards_of("r", 3, {0})}, {"b", shards_of("r", 3, {1})}, {"c", shards_of("r", 3, {2})}});
  CHECK(r.conflicts.empty());
  CHECK(r.missing.empty());
}

TEST_CASE("run parts: a shard given twice names both inputs", "[run_parts]") {
  auto r = check_parts({{"a.json", shards_of("r", 2, {0})}, {"b.json", shards_of("r", 2, {1})},
                        {"copy.json", shards_of("r", 2, {0})}});
  REQUIRE(r.conflicts.size() == 1);
  CHECK(r.conflicts[0] == "a.json and copy.json both hold shard 0 of 2 of run r");
}

TEST_CASE("run parts: a merged file covers its inputs' parts, and overlapping it is a conflict", "[run_parts]") {
  auto merged = shards_of("r", 4, {0, 1});
  CHECK(check_parts({{"m", merged}, {"c", shards_of("r", 4, {2})}, {"d", shards_of("r", 4, {3})}}).conflicts.empty());
  auto again = check_parts({{"m", merged}, {"b", shards_of("r", 4, {1})}});
  REQUIRE(again.conflicts.size() == 1);
  CHECK(again.conflicts[0].find("shard 1 of 4") != std::string::npos);
}

TEST_CASE("run parts: missing shards are listed per run", "[run_parts]") {
  auto r = check_parts({{"a", shards_of("r", 4, {0, 2})}, {"x", shards_of("other", 1, {0})}});
  CHECK(r.conflicts.empty());
  REQUIRE(r.missing.size() == 1);
  CHECK(r.missing[0] == "run r: 2 of 4 shards missing: 1, 3");
}

TEST_CASE("run parts: one run split two ways is a conflict", "[run_parts]") {
  auto r = check_parts({{"a", shards_of("r", 4, {0})}, {"b", shards_of("r", 8, {1})}});
  REQUIRE(r.conflicts.size() == 1);
  CHECK(r.conflicts[0] == "run r is split into 4 shards in a but 8 in b");
}

TEST_CASE("run parts: the same shard of different runs (days) is not a conflict", "[run_parts]") {
  auto r = check_parts({{"mon", shards_of("monday", 1, {0})}, {"tue", shards_of("tuesday", 1, {0})}});
  CHECK(r.conflicts.empty());
  CHECK(r.missing.empty());
}

TEST_CASE("run parts: the JSON form reads back, and malformed parts are refused", "[run_parts]") {
  auto parts = shards_of("r", 4, {0, 3});
  std::string error;
  auto back = parts_from_json(parts_to_json(parts), error);
  REQUIRE(back);
  CHECK(*back == parts);
  for (const char* bad : {R"([])", R"({})", R"([{"run_id": "r", "shard": 4, "shards": 4}])",
                          R"([{"run_id": 1, "shard": 0, "shards": 1}])", R"([{"shard": 0, "shards": 1}])",
                          R"([{"run_id": "r", "shard": -1, "shards": 1}])"}) {
    INFO(bad);
    error.clear();
    CHECK_FALSE(parts_from_json(json::parse(bad), error));
    CHECK_FALSE(error.empty());
  }
}
