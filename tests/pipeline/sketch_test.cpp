#include "crawl/pipeline/sketch.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using crawl::pipeline::quantile_sketch;

namespace {
double exact_quantile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  return values[static_cast<std::size_t>(q * static_cast<double>(values.size() - 1))];
}
}  // namespace

TEST_CASE("sketch quantiles are within 1% of the exact ones", "[sketch]") {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> latency(7.0, 1.2);  // around a millisecond, long tail (in µs)
  std::vector<double> values;
  quantile_sketch sketch;
  for (int i = 0; i < 100000; ++i) {
    double v = latency(rng);
    values.push_back(v);
    sketch.add(v);
  }
  for (double q : {0.01, 0.1, 0.5, 0.9, 0.99, 0.999}) {
    double exact = exact_quantile(values, q);
    INFO("q " << q << " exact " << exact << " sketch " << sketch.quantile(q));
    CHECK(std::fabs(sketch.quantile(q) - exact) <= 0.01 * exact);
  }
  CHECK(sketch.quantile(0) == *std::min_element(values.begin(), values.end()));
  CHECK(sketch.quantile(1) == *std::max_element(values.begin(), values.end()));
}

TEST_CASE("the review's latencies: p50, p90 and p99 near 1062, 1079 and 1106 ms, not one bucket", "[sketch]") {
  quantile_sketch sketch;
  std::vector<double> values;
  for (int i = 0; i < 1000; ++i) values.push_back(1040.0 + 70.0 * i / 999.0);  // 1040..1110 ms
  for (double v : values) sketch.add(v);
  for (double q : {0.5, 0.9, 0.99}) CHECK(std::fabs(sketch.quantile(q) - exact_quantile(values, q)) <= 0.01 * exact_quantile(values, q));
  CHECK(sketch.quantile(0.5) != sketch.quantile(0.99));
}

TEST_CASE("merged sketches answer as one sketch of all the values", "[sketch]") {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> d(-50.0, 5000.0);
  quantile_sketch a, b, all;
  for (int i = 0; i < 20000; ++i) {
    double v = i % 97 == 0 ? 0.0 : d(rng);
    (i % 3 ? a : b).add(v);
    all.add(v);
  }
  a.merge(b);
  CHECK(a.count() == all.count());
  for (double q : {0.0, 0.001, 0.25, 0.5, 0.75, 0.999, 1.0}) CHECK(a.quantile(q) == all.quantile(q));
}

TEST_CASE("memory stays bounded over values spanning every magnitude", "[sketch]") {
  quantile_sketch sketch;
  for (int e = -300; e <= 300; ++e) sketch.add(std::pow(10.0, e));
  CHECK(sketch.count() == 601);
  CHECK(sketch.quantile(1) == 1e300);
  // The largest magnitudes keep their accuracy (by nearest rank, 0.998 of
  // 601 values is the 600th, 1e299).
  CHECK(std::fabs(sketch.quantile(0.998) - 1e299) <= 0.01 * 1e299);
}

TEST_CASE("quantiles are by nearest rank: p99 of two values is the larger", "[sketch]") {
  quantile_sketch sketch;
  sketch.add(0.001);
  sketch.add(0.25);
  CHECK(std::fabs(sketch.quantile(0.99) - 0.25) <= 0.005 * 0.25);
  CHECK(std::fabs(sketch.quantile(0.5) - 0.001) <= 0.005 * 0.001);
  quantile_sketch hundred;
  for (int i = 1; i <= 100; ++i) hundred.add(i);
  CHECK(std::fabs(hundred.quantile(0.99) - 99) <= 0.005 * 99);  // 0.99 * 100 is 99.00000000000001 in binary
}

TEST_CASE("an empty sketch answers 0", "[sketch]") {
  quantile_sketch sketch;
  CHECK(sketch.quantile(0.5) == 0);
  CHECK(sketch.count() == 0);
}

TEST_CASE("sketch: the serialized form round-trips, merges as the whole, and refuses malformed bytes", "[sketch]") {
  using crawl::pipeline::quantile_sketch;
  quantile_sketch whole, a, b;
  for (int i = 1; i <= 20'000; ++i) {
    double v = (i % 5 == 0 ? -1.0 : 1.0) * i * 0.37;
    whole.add(v);
    (i % 2 ? a : b).add(v);
  }
  whole.add(0.0);
  a.add(0.0);
  auto a_back = quantile_sketch::deserialize(a.serialize());
  auto b_back = quantile_sketch::deserialize(b.serialize());
  REQUIRE(a_back);
  REQUIRE(b_back);
  a_back->merge(*b_back);
  for (double q : {0.0, 0.01, 0.5, 0.9, 0.99, 1.0}) CHECK(a_back->quantile(q) == whole.quantile(q));
  CHECK(a_back->count() == whole.count());
  auto empty = quantile_sketch::deserialize(quantile_sketch().serialize());
  REQUIRE(empty);
  CHECK(empty->count() == 0);
  std::string bytes = a.serialize();
  CHECK(bytes.size() < 8 * 1024);  // varints: far below 8 bytes a bucket
  CHECK_FALSE(quantile_sketch::deserialize(""));
  CHECK_FALSE(quantile_sketch::deserialize(bytes.substr(0, bytes.size() - 1)));
  CHECK_FALSE(quantile_sketch::deserialize(bytes + "x"));
  std::string inconsistent = bytes;
  inconsistent[4] = static_cast<char>(inconsistent[4] ^ 1);  // the count no longer adds up
  CHECK_FALSE(quantile_sketch::deserialize(inconsistent));
}

TEST_CASE("sketch: a quantile among the values counted as zero stays within min and max (fuzz finding)", "[sketch]") {
  crawl::pipeline::quantile_sketch k;
  k.add(1e-310);
  k.add(2e-310);
  CHECK(k.quantile(0.5) >= k.min());
  CHECK(k.quantile(0.5) <= k.max());
}
