// Distinct counts against exact answers computed here: exact to 10,000
// values, then within 2%; merged parts equal the whole in any order.
#include "crawl/pipeline/distinct.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>

using crawl::pipeline::distinct_counter;

namespace {
std::string value(std::uint64_t i) { return "198.51." + std::to_string(i / 256 % 65536) + "." + std::to_string(i); }

double relative_error(std::uint64_t got, std::uint64_t truth) {
  return std::abs(static_cast<double>(got) - static_cast<double>(truth)) / static_cast<double>(truth);
}
}  // namespace

TEST_CASE("distinct: exact up to 10,000 values, duplicates not counted", "[distinct]") {
  distinct_counter c;
  for (int round = 0; round < 3; ++round)
    for (std::uint64_t i = 0; i < distinct_counter::exact_limit; ++i) c.add(value(i));
  CHECK(c.exact());
  CHECK(c.count() == distinct_counter::exact_limit);
}

TEST_CASE("distinct: past the exact limit, within 2% at every size", "[distinct]") {
  distinct_counter c;
  std::uint64_t next = 0;
  for (std::uint64_t target : {10'001ull, 20'000ull, 50'000ull, 200'000ull, 1'000'000ull}) {
    for (; next < target; ++next) c.add(value(next));
    c.add(value(0));  // seen before: no change
    INFO(target << " values, counted " << c.count());
    CHECK_FALSE(c.exact());
    CHECK(relative_error(c.count(), target) < 0.02);
  }
}

TEST_CASE("distinct: merging parts gives the whole, in any order, exact or not", "[distinct]") {
  for (std::uint64_t total : {6'000ull, 60'000ull}) {
    distinct_counter whole, a, b, c;
    for (std::uint64_t i = 0; i < total; ++i) {
      whole.add(value(i));
      (i % 3 == 0 ? a : i % 3 == 1 ? b : c).add(value(i));
      if (i % 7 == 0) c.add(value(i));  // overlaps between parts count once
    }
    distinct_counter forward = a, backward = c;
    forward.merge(b);
    forward.merge(c);
    backward.merge(b);
    backward.merge(a);
    INFO(total);
    CHECK(forward.serialize() == whole.serialize());
    CHECK(backward.serialize() == whole.serialize());
    CHECK(forward.count() == whole.count());
    if (total < distinct_counter::exact_limit) CHECK(whole.count() == total);
  }
}

TEST_CASE("distinct: the serialized form round-trips, and malformed bytes are refused", "[distinct]") {
  distinct_counter small, large;
  for (std::uint64_t i = 0; i < 100; ++i) small.add(value(i));
  for (std::uint64_t i = 0; i < 50'000; ++i) large.add(value(i));
  for (const auto* c : {&small, &large}) {
    auto back = distinct_counter::deserialize(c->serialize());
    REQUIRE(back);
    CHECK(back->count() == c->count());
    CHECK(back->exact() == c->exact());
    CHECK(back->serialize() == c->serialize());
  }
  std::string bytes = small.serialize();
  CHECK_FALSE(distinct_counter::deserialize(""));
  CHECK_FALSE(distinct_counter::deserialize("cdc2"));
  CHECK_FALSE(distinct_counter::deserialize(bytes.substr(0, bytes.size() - 1)));
  std::string wrong = large.serialize();
  wrong[10] = static_cast<char>(60);  // a register no hash can give
  CHECK_FALSE(distinct_counter::deserialize(wrong));
  // XXH64 with seed 0: the same on every machine, so counters from elsewhere merge.
  CHECK(distinct_counter::hash("") == 0xEF46DB3751D8E999ull);
}
