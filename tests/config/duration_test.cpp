#include "crawl/config/crawl_settings.hpp"

#include <catch2/catch.hpp>

using crawl::config::parse_duration;
using std::chrono::milliseconds;

TEST_CASE("durations: plain seconds, units and combinations", "[duration]") {
  CHECK(parse_duration("90") == milliseconds(90'000));
  CHECK(parse_duration("90s") == milliseconds(90'000));
  CHECK(parse_duration("1.5s") == milliseconds(1'500));
  CHECK(parse_duration("15m") == milliseconds(900'000));
  CHECK(parse_duration("2h") == milliseconds(7'200'000));
  CHECK(parse_duration("1d") == milliseconds(86'400'000));
  CHECK(parse_duration("1h30m") == milliseconds(5'400'000));
  CHECK(parse_duration("0") == milliseconds(0));
}

TEST_CASE("durations: malformed text is refused, not guessed", "[duration]") {
  for (const char* bad : {"", "abc", "10x", "-5", "1h30", "m", "5 m"}) {
    INFO(bad);
    CHECK_FALSE(parse_duration(bad));
  }
}
