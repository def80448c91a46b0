#include "crawl/crawler/host_scheduler.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

using namespace crawl::crawler;

namespace {
scheduled_url on(const std::string& host, int i) {
  scheduled_url url;
  url.url = normalized_url{"http://" + host + "/" + std::to_string(i), host};
  url.line_no = static_cast<std::uint64_t>(i);
  return url;
}
}  // namespace

TEST_CASE("the per-host cap holds while other hosts proceed", "[scheduler]") {
  host_scheduler s(10, 2, 100);
  for (int i = 0; i < 5; ++i) s.add(on("a", i));
  s.add(on("b", 0));
  std::vector<std::string> started;
  while (auto u = s.next()) started.push_back(u->url.host);
  CHECK(started.size() == 3);
  CHECK(std::count(started.begin(), started.end(), "a") == 2);
  CHECK(s.in_flight() == 3);
  s.done("a");
  auto next = s.next();
  REQUIRE(next);
  CHECK(next->url.host == "a");
  CHECK_FALSE(s.next());
}

TEST_CASE("the global cap holds across hosts", "[scheduler]") {
  host_scheduler s(3, 8, 100);
  for (int i = 0; i < 10; ++i) s.add(on("h" + std::to_string(i), i));
  int started = 0;
  while (s.next()) ++started;
  CHECK(started == 3);
  s.done("h0");
  CHECK(s.next());
  CHECK_FALSE(s.next());
}

TEST_CASE("waiting URLs are bounded and everything drains", "[scheduler]") {
  host_scheduler s(4, 1, 5);
  int added = 0;
  while (s.wants_more()) s.add(on("one", added++));
  CHECK(added == 5);
  int finished = 0;
  while (!s.idle()) {
    auto u = s.next();
    REQUIRE(u);
    CHECK_FALSE(s.next());  // per host 1
    s.done(u->url.host);
    ++finished;
  }
  CHECK(finished == 5);
}

namespace {
using ms = std::chrono::milliseconds;
using clock_type = host_scheduler::clock;
const clock_type::time_point t0 = clock_type::time_point() + std::chrono::hours(1);
}  // namespace

TEST_CASE("politeness: --delay spaces the starts on one host, not across hosts", "[scheduler][politeness]") {
  host_scheduler s(100, 8, 100, politeness{ms(1000)});
  for (int i = 0; i < 3; ++i) s.add(on("a", i));
  s.add(on("b", 0));
  auto first = s.next(t0);
  auto second = s.next(t0);
  REQUIRE(first);
  REQUIRE(second);
  CHECK(first->url.host == "a");
  CHECK(second->url.host == "b");
  CHECK_FALSE(s.next(t0));  // a has slots, but its gap is not over
  REQUIRE(s.next_due());
  CHECK(*s.next_due() == t0 + ms(1000));
  CHECK_FALSE(s.next(t0 + ms(999)));
  auto third = s.next(t0 + ms(1000));
  REQUIRE(third);
  CHECK(third->url.url == "http://a/1");
  CHECK(*s.next_due() == t0 + ms(2000));
}

TEST_CASE("politeness: --rate is a gap of 1/N s, and a larger Crawl-delay wins", "[scheduler][politeness]") {
  host_scheduler s(100, 8, 100, politeness{ms(0), 4.0});
  for (int i = 0; i < 5; ++i) s.add(on("a", i));
  REQUIRE(s.next(t0));
  CHECK(s.gap("a") == ms(250));
  CHECK_FALSE(s.next(t0 + ms(249)));
  REQUIRE(s.next(t0 + ms(250)));
  s.set_crawl_delay("a", ms(2000));
  CHECK(s.gap("a") == ms(2000));
  REQUIRE(s.next(t0 + ms(500)));  // its time was set by the old gap; the new one counts from here
  CHECK_FALSE(s.next(t0 + ms(2499)));
  REQUIRE(s.next(t0 + ms(2500)));
  s.set_crawl_delay("a", ms(10));  // smaller than --rate's gap: the gap stays 250 ms
  CHECK(s.gap("a") == ms(250));
}

TEST_CASE("politeness: an overloaded host backs off alone, doubling to a cap, and recovers by halves",
          "[scheduler][politeness]") {
  politeness p;
  p.max_back_off = ms(4000);
  host_scheduler s(100, 8, 100, p);
  for (int i = 0; i < 10; ++i) s.add(on("busy", i));
  for (int i = 0; i < 10; ++i) s.add(on("calm", i));
  REQUIRE(s.next(t0));
  s.overloaded("busy", t0);
  CHECK(s.gap("busy") == ms(1000));
  s.overloaded("busy", t0);
  CHECK(s.gap("busy") == ms(2000));
  s.overloaded("busy", t0);
  s.overloaded("busy", t0);
  CHECK(s.gap("busy") == ms(4000));  // capped
  CHECK(s.gap("calm") == ms(0));
  // Only calm starts until busy's back-off is over.
  int calm = 0;
  while (auto u = s.next(t0 + ms(10))) {
    CHECK(u->url.host == "calm");
    ++calm;
  }
  CHECK(calm == 8);  // its per-host cap
  s.answered("busy");
  CHECK(s.gap("busy") == ms(2000));
  int answers = 1;
  while (s.gap("busy") > ms(0) && answers < 100) {
    s.answered("busy");
    ++answers;
  }
  CHECK(answers == 6);  // 4 s, 2, 1, 0.5, 0.25, 0.125, then none
}

TEST_CASE("politeness: Retry-After pauses the whole host", "[scheduler][politeness]") {
  host_scheduler s(100, 8, 100);
  for (int i = 0; i < 3; ++i) s.add(on("a", i));
  REQUIRE(s.next(t0));
  s.overloaded("a", t0, ms(30'000));
  CHECK_FALSE(s.next(t0 + ms(29'999)));
  CHECK(s.next(t0 + ms(30'000)));
}

TEST_CASE("politeness: one host with many URLs does not starve a thousand hosts with few", "[scheduler][politeness]") {
  host_scheduler s(10, 1, 2'000'000);
  for (int i = 0; i < 200'000; ++i) s.add(on("huge", i));
  for (int h = 0; h < 1000; ++h)
    for (int i = 0; i < 20; ++i) s.add(on("small" + std::to_string(h), i));
  // Each start ends at once: which hosts get the first 1001 starts?
  std::map<std::string, int> starts;
  for (int i = 0; i < 1001; ++i) {
    auto u = s.next(t0);
    REQUIRE(u);
    ++starts[u->url.host];
    s.done(u->url.host);
  }
  CHECK(starts.size() == 1001);  // every host once: picked by host, not by URL
  CHECK(starts["huge"] == 1);
}

TEST_CASE("politeness: idle hosts are forgotten once their gap is over", "[scheduler][politeness]") {
  host_scheduler s(100, 8, 100, politeness{ms(1000)});
  for (int h = 0; h < 50; ++h) s.add(on("h" + std::to_string(h), h));
  for (int h = 0; h < 50; ++h) {
    auto u = s.next(t0);
    REQUIRE(u);
    s.done(u->url.host);
  }
  CHECK(s.hosts() == 50);  // each must still wait out its gap
  CHECK_FALSE(s.next(t0 + ms(1000)));
  CHECK(s.hosts() == 0);
}

TEST_CASE("politeness: the gap counts from when a request went out, connection set-up included",
          "[scheduler][politeness]") {
  host_scheduler s(100, 8, 100, politeness{ms(200)});
  for (int i = 0; i < 3; ++i) s.add(on("a", i));
  REQUIRE(s.next(t0));
  s.sent("a", t0 + ms(7));  // the connection took 7 ms: the host saw the request then
  CHECK_FALSE(s.next(t0 + ms(200)));
  CHECK(*s.next_due() == t0 + ms(207));
  REQUIRE(s.next(t0 + ms(207)));
  s.sent("a", t0 + ms(207));  // on a connection already open: no later than planned
  CHECK(*s.next_due() == t0 + ms(407));
  s.sent("b", t0);  // a host it does not know: nothing to do
  CHECK(s.hosts() == 1);
}
