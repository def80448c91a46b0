#pragma once
// Timestamps as log lines write them, read by hand and converted to UTC.
// Not strptime: its %b depends on the locale, and it is slow on the hot path
// of a log summary; GCC 12 has no std::chrono::parse. Pure and thread-safe.
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crawl::pipeline {

struct utc_time {
  std::int64_t seconds = 0;  // since 1970-01-01T00:00:00Z
  std::uint32_t nanos = 0;
  friend auto operator<=>(const utc_time&, const utc_time&) = default;
};

struct civil_time {
  int year = 1970;
  unsigned month = 1, day = 1, hour = 0, minute = 0, second = 0;
};

bool valid_date(int year, unsigned month, unsigned day);
// Days since 1970-01-01 of a date of the proleptic Gregorian calendar.
std::int64_t days_from_civil(int year, unsigned month, unsigned day);
civil_time civil_from_seconds(std::int64_t seconds);

// ISO 8601 / RFC 3339 at the start of `text`: "2026-11-29T21:02:46", with
// 'T', 't' or a space between date and time, an optional fraction ('.' or
// ','; nanoseconds kept), then "Z", "+hh:mm", "+hhmm", "+hh" or nothing
// (then `default_offset` seconds east of UTC: 0 unless --tz says).
// `used`: the bytes read.
std::optional<utc_time> parse_iso8601(std::string_view text, std::size_t& used, std::int32_t default_offset = 0);
// The Common Log Format's "29/Nov/2026:21:02:46 +0100" (without its brackets).
std::optional<utc_time> parse_clf(std::string_view text, std::size_t& used);
// RFC 3164 syslog's "Nov 29 21:02:46" ("Nov  9" too): no year is written, so
// it is the year of `now`, or the one before when that would put the time
// more than a day after `now` (December's lines read in January).
std::optional<utc_time> parse_syslog(std::string_view text, std::size_t& used, utc_time now,
                                     std::int32_t offset = 0);
// An epoch number, as JSON and logfmt fields carry them: seconds,
// milliseconds, microseconds or nanoseconds by magnitude (below 1e11:
// seconds, that is before the year 5138; below 1e14: ms; 1e17: µs; else ns),
// with an optional fraction ("1764450166.25"). The whole text must be the number.
std::optional<utc_time> parse_epoch(std::string_view text);
// Whichever of ISO 8601, CLF and syslog `text` starts with; `offset`: the
// zone of ISO 8601 and syslog times written without one.
std::optional<utc_time> parse_timestamp(std::string_view text, std::size_t& used, utc_time now,
                                        std::int32_t offset = 0);

// "2026-11-29T21:02:46Z", or with `fraction_digits` (1 to 9) of the second.
std::string format_utc(utc_time t, int fraction_digits = 0);

}  // namespace crawl::pipeline
