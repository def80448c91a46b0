// Timestamps of log lines: each form, offsets converted to UTC, dates that
// do not exist refused; expected values computed with Python's calendar.timegm.
#include "crawl/pipeline/timestamp.hpp"

#include <catch2/catch.hpp>

using namespace crawl::pipeline;

namespace {
std::int64_t iso(std::string_view text, std::size_t* used = nullptr) {
  std::size_t n = 0;
  auto t = parse_iso8601(text, n);
  REQUIRE(t);
  if (used) *used = n;
  return t->seconds;
}
const utc_time nov_30_2026{1796025600, 0};  // 2026-11-30T08:00:00Z: "now" for syslog lines
}  // namespace

TEST_CASE("timestamp: days and seconds against known dates, both ways", "[timestamp]") {
  struct known { int y; unsigned mo, d, h, mi, s; std::int64_t unix; };
  for (auto k : {known{2026, 11, 29, 21, 59, 30, 1795989570}, known{2024, 2, 29, 12, 0, 0, 1709208000},
                 known{2000, 3, 1, 0, 0, 0, 951868800}, known{1969, 12, 31, 23, 59, 59, -1},
                 known{2026, 1, 1, 0, 0, 0, 1767225600}, known{1600, 1, 1, 0, 0, 0, -11676096000},
                 known{9999, 12, 31, 23, 59, 59, 253402300799}, known{1970, 1, 1, 0, 0, 0, 0}}) {
    INFO(k.y << "-" << k.mo << "-" << k.d);
    CHECK(days_from_civil(k.y, k.mo, k.d) * 86400 + k.h * 3600 + k.mi * 60 + k.s == k.unix);
    civil_time c = civil_from_seconds(k.unix);
    CHECK(c.year == k.y);
    CHECK(c.month == k.mo);
    CHECK(c.day == k.d);
    CHECK(c.hour == k.h);
    CHECK(c.minute == k.mi);
    CHECK(c.second == k.s);
  }
  // Every day of four centuries, around 1970 and 2000, goes there and back.
  for (std::int64_t day = -73'000; day < 73'000; ++day) {
    civil_time c = civil_from_seconds(day * 86400);
    REQUIRE(valid_date(c.year, c.month, c.day));
    REQUIRE(days_from_civil(c.year, c.month, c.day) == day);
  }
}

TEST_CASE("timestamp: ISO 8601 with Z, offsets, no zone, fractions and a space", "[timestamp]") {
  CHECK(iso("2026-11-29T21:59:30Z") == 1795989570);
  CHECK(iso("2026-11-29T23:59:30+02:00") == 1795989570);  // the same instant: the same bucket
  CHECK(iso("2026-11-29T16:59:30-0500") == 1795989570);
  CHECK(iso("2026-11-29T22:59:30+01") == 1795989570);
  CHECK(iso("2026-11-29 21:59:30") == 1795989570);       // no zone: UTC
  std::size_t used = 0;
  CHECK(iso("2026-11-29T21:59:30.123456789123Z level=info", &used) == 1795989570);
  CHECK(used == 33);
  std::size_t n = 0;
  auto t = parse_iso8601("2026-11-29T21:59:30,5+00:00", n);
  REQUIRE(t);
  CHECK(t->nanos == 500'000'000);
  CHECK(parse_iso8601("2026-11-29T21:59:30", n, 3600)->seconds == 1795989570 - 3600);  // --tz of the file
  for (const char* bad : {"2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-31T00:00:00Z",
                          "2026-11-29T24:00:00Z", "2026-11-29T21:60:00Z", "2026-11-29", "26-11-29T21:59:30Z",
                          "2026/11/29T21:59:30Z", "2026-11-29X21:59:30Z", ""}) {
    INFO(bad);
    CHECK_FALSE(parse_iso8601(bad, n));
  }
}

TEST_CASE("timestamp: the Common Log Format, offsets converted", "[timestamp]") {
  std::size_t used = 0;
  auto t = parse_clf("29/Nov/2026:21:02:46 +0100] \"GET / HTTP/1.1\"", used);
  REQUIRE(t);
  CHECK(t->seconds == 1795982566);  // 20:02:46Z
  CHECK(used == 26);
  CHECK(parse_clf("29/nov/2026:21:02:46 +0100", used));  // month names in any case
  CHECK_FALSE(parse_clf("29/Nof/2026:21:02:46 +0100", used));
  CHECK_FALSE(parse_clf("30/Feb/2026:21:02:46 +0100", used));
  CHECK_FALSE(parse_clf("29/Nov/2026:21:02:46", used));  // the offset is part of the form
}

TEST_CASE("timestamp: syslog without a year takes the year that puts it in the past", "[timestamp]") {
  std::size_t used = 0;
  auto t = parse_syslog("Nov 29 20:02:46 host prog[1]: msg", used, nov_30_2026);
  REQUIRE(t);
  CHECK(t->seconds == 1795982566);
  CHECK(used == 15);
  // December's lines read on 1 January are last year's.
  utc_time new_year{1767225600 + 3600, 0};  // 2026-01-01T01:00:00Z
  auto december = parse_syslog("Dec 31 23:59:59 host x: y", used, new_year);
  REQUIRE(december);
  CHECK(december->seconds == 1767225599);  // 2025-12-31T23:59:59Z
  CHECK(parse_syslog("Nov  9 01:02:03 h p: m", used, nov_30_2026));  // a space-padded day
  CHECK_FALSE(parse_syslog("Nov 31 01:02:03 h p: m", used, nov_30_2026));
  // 29 February in a year that has none: the last year that had one.
  auto leap = parse_syslog("Feb 29 12:00:00 h p: m", used, nov_30_2026);
  REQUIRE(leap);
  CHECK(leap->seconds == 1709208000);  // 2024
}

TEST_CASE("timestamp: epoch numbers by magnitude, with fractions", "[timestamp]") {
  CHECK(parse_epoch("1795989570")->seconds == 1795989570);
  auto ms = parse_epoch("1795989570123");
  REQUIRE(ms);
  CHECK(ms->seconds == 1795989570);
  CHECK(ms->nanos == 123'000'000);
  auto us = parse_epoch("1795989570123456");
  CHECK(us->nanos == 123'456'000);
  auto ns = parse_epoch("1795989570123456789");
  CHECK(ns->seconds == 1795989570);
  CHECK(ns->nanos == 123'456'789);
  auto fraction = parse_epoch("1795989570.25");
  CHECK(fraction->nanos == 250'000'000);
  auto before = parse_epoch("-1.5");
  CHECK(before->seconds == -2);
  CHECK(before->nanos == 500'000'000);
  for (const char* bad : {"", "-", "12a", "1e9", "99999999999999999999", " 1"}) {
    INFO(bad);
    CHECK_FALSE(parse_epoch(bad));
  }
}

TEST_CASE("timestamp: any form, and back to text", "[timestamp]") {
  std::size_t used = 0;
  for (const char* text : {"2026-11-29T20:02:46Z", "29/Nov/2026:21:02:46 +0100", "Nov 29 20:02:46"}) {
    INFO(text);
    auto t = parse_timestamp(text, used, nov_30_2026);
    REQUIRE(t);
    CHECK(format_utc(*t) == "2026-11-29T20:02:46Z");
  }
  CHECK(format_utc(utc_time{1795989570, 123'456'789}, 3) == "2026-11-29T21:59:30.123Z");
  CHECK(format_utc(utc_time{-1, 0}) == "1969-12-31T23:59:59Z");
}
