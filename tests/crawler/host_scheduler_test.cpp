#include "crawl/crawler/host_scheduler.hpp"

#include <catch2/catch.hpp>

using namespace crawl::crawler;

namespace {
scheduled_url on(const std::string& host, int i) {
  return scheduled_url{normalized_url{"http://" + host + "/" + std::to_string(i), host}, static_cast<std::uint64_t>(i)};
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
