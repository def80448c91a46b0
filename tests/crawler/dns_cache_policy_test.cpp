#include "crawl/crawler/dns_cache_policy.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace crawl::crawler;
using namespace std::chrono_literals;

namespace {
using clock = dns_cache_policy::clock;
const clock::time_point t0 = clock::time_point{} + 1000h;

// The timeouts given to `n` transfers started evenly over `span` from `start`.
std::vector<long> timeouts(dns_cache_policy& p, std::size_t n, clock::duration span, clock::time_point start = t0) {
  std::vector<long> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(p.timeout_for_transfer(start + span * i / n));
  return out;
}

std::size_t pruning(const std::vector<long>& t) {
  std::size_t n = 0;
  for (long v : t) n += v != -1;
  return n;
}
}  // namespace

TEST_CASE("a burst of transfers walks libcurl's DNS cache once per `every` transfers, not once each", "[dns]") {
  dns_cache_policy p({.every = 1000});
  auto t = timeouts(p, 100'000, 1s);
  CHECK(pruning(t) == 100);
  CHECK(t.front() == 60);  // the first prunes, with libcurl's own timeout
}

TEST_CASE("a slow trickle of transfers still prunes every interval, so an entry is never kept long past its timeout",
          "[dns]") {
  dns_cache_policy p({.every = 1000, .interval = 5s});
  auto t = timeouts(p, 20, 200s);  // one every 10 s
  CHECK(pruning(t) == 20);
  dns_cache_policy q({.every = 1000, .interval = 5s});
  auto u = timeouts(q, 200, 20s);  // ten a second: one prune in each 5 s (or so)
  CHECK(pruning(u) >= 4);
  CHECK(pruning(u) <= 5);
}

TEST_CASE("many new hosts a second shorten the timeout so the cache keeps about max_entries", "[dns]") {
  dns_cache_policy p({.every = 1000, .interval = 5s, .timeout = 60s, .max_entries = 20'000});
  auto t = timeouts(p, 100'000, 10s);  // 10,000 starts a second
  long last = -1;
  for (long v : t)
    if (v != -1) last = v;
  CHECK(last == 2);  // the last two seconds hold 20,000 starts
  dns_cache_policy few({.max_entries = 20'000});
  auto f = timeouts(few, 10'000, 30s);
  long last_few = -1;
  for (long v : f)
    if (v != -1) last_few = v;
  CHECK(last_few == 60);
}

TEST_CASE("more new hosts in one second than max_entries prune everything", "[dns]") {
  dns_cache_policy p({.every = 10, .max_entries = 5});
  auto t = timeouts(p, 1000, 100ms);
  CHECK(t.front() == 60);  // one start so far
  for (std::size_t i = 1; i < t.size(); ++i) CHECK((t[i] == -1 || t[i] == 0));
  CHECK(pruning(t) == 100);
}

TEST_CASE("starts older than the window no longer count", "[dns]") {
  dns_cache_policy p({.every = 1, .max_entries = 100});
  timeouts(p, 1000, 1s);  // a burst
  CHECK(p.timeout_for_transfer(t0 + 2s) == 2);  // the burst is two seconds old
  CHECK(p.timeout_for_transfer(t0 + 120s) == 60);  // the burst is long gone
}
