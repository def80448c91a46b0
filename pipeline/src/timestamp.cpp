#include "crawl/pipeline/timestamp.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace crawl::pipeline {

namespace {

constexpr std::int64_t seconds_per_day = 86'400;

bool digit(char c) { return c >= '0' && c <= '9'; }

// Exactly `n` digits at `at`, as a number.
bool read_digits(std::string_view s, std::size_t at, std::size_t n, unsigned& value) {
  if (at + n > s.size()) return false;
  value = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (!digit(s[i])) return false;
    value = value * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return true;
}

// "Jan" .. "Dec", the first letter in either case: 1 to 12, or 0.
unsigned month_of(std::string_view s, std::size_t at) {
  static constexpr std::array<std::string_view, 12> names = {"jan", "feb", "mar", "apr", "may", "jun",
                                                             "jul", "aug", "sep", "oct", "nov", "dec"};
  if (at + 3 > s.size()) return 0;
  char lowered[3];
  for (int i = 0; i < 3; ++i) {
    char c = s[at + static_cast<std::size_t>(i)];
    lowered[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  }
  for (unsigned m = 0; m < 12; ++m)
    if (std::string_view(lowered, 3) == names[m]) return m + 1;
  return 0;
}

bool valid_clock(unsigned hour, unsigned minute, unsigned second) {
  return hour < 24 && minute < 60 && second <= 60;  // 60: a leap second, read as the next second's start
}

std::int64_t to_seconds(int year, unsigned month, unsigned day, unsigned hour, unsigned minute, unsigned second) {
  return days_from_civil(year, month, day) * seconds_per_day + hour * 3600 + minute * 60 + second;
}

// A fraction of a second at `at` ('.' or ',' then digits): nanoseconds (digits past the ninth dropped).
std::uint32_t read_fraction(std::string_view s, std::size_t& at) {
  if (at >= s.size() || (s[at] != '.' && s[at] != ',') || at + 1 >= s.size() || !digit(s[at + 1])) return 0;
  ++at;
  std::uint32_t nanos = 0;
  int digits = 0;
  for (; at < s.size() && digit(s[at]); ++at, ++digits)
    if (digits < 9) nanos = nanos * 10 + static_cast<std::uint32_t>(s[at] - '0');
  for (; digits < 9; ++digits) nanos *= 10;
  return nanos;
}

// "+hh:mm", "+hhmm", "+hh", "-..." at `at`: seconds east of UTC.
bool read_offset(std::string_view s, std::size_t& at, std::int32_t& offset) {
  if (at >= s.size() || (s[at] != '+' && s[at] != '-')) return false;
  int sign = s[at] == '-' ? -1 : 1;
  unsigned hours, minutes = 0;
  if (!read_digits(s, at + 1, 2, hours) || hours > 23) return false;
  std::size_t end = at + 3;
  if (end < s.size() && s[end] == ':') {
    if (!read_digits(s, end + 1, 2, minutes)) return false;
    end += 3;
  } else if (read_digits(s, end, 2, minutes)) {
    end += 2;
  }
  if (minutes > 59) return false;
  offset = sign * static_cast<std::int32_t>(hours * 3600 + minutes * 60);
  at = end;
  return true;
}

}  // namespace

bool valid_date(int year, unsigned month, unsigned day) {
  static constexpr unsigned days_in[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return false;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= days_in[month - 1] + (month == 2 && leap ? 1 : 0);
}

// Counting from 1 March keeps the leap day at the end of the counted year,
// so a year's days before a date are a linear formula of the month; whole
// 400-year cycles (146,097 days) are counted first so that the arithmetic
// stays on non-negative numbers for any year.
std::int64_t days_from_civil(int year, unsigned month, unsigned day) {
  std::int64_t y = year - (month <= 2 ? 1 : 0);
  std::int64_t cycle = (y >= 0 ? y : y - 399) / 400;
  std::int64_t year_of_cycle = y - cycle * 400;                                   // 0 .. 399
  std::int64_t month_from_march = month > 2 ? month - 3 : month + 9;              // 0 .. 11
  std::int64_t day_of_year = (153 * month_from_march + 2) / 5 + day - 1;          // 0 .. 365
  std::int64_t day_of_cycle = year_of_cycle * 365 + year_of_cycle / 4 - year_of_cycle / 100 + day_of_year;
  return cycle * 146'097 + day_of_cycle - 719'468;  // 719,468: days from 0000-03-01 to 1970-01-01
}

civil_time civil_from_seconds(std::int64_t seconds) {
  std::int64_t days = seconds >= 0 ? seconds / seconds_per_day : (seconds - seconds_per_day + 1) / seconds_per_day;
  std::int64_t rest = seconds - days * seconds_per_day;
  std::int64_t z = days + 719'468;
  std::int64_t cycle = (z >= 0 ? z : z - 146'096) / 146'097;
  std::int64_t day_of_cycle = z - cycle * 146'097;
  std::int64_t year_of_cycle =
      (day_of_cycle - day_of_cycle / 1460 + day_of_cycle / 36'524 - day_of_cycle / 146'096) / 365;
  std::int64_t day_of_year = day_of_cycle - (365 * year_of_cycle + year_of_cycle / 4 - year_of_cycle / 100);
  std::int64_t month_from_march = (5 * day_of_year + 2) / 153;
  civil_time c;
  c.day = static_cast<unsigned>(day_of_year - (153 * month_from_march + 2) / 5 + 1);
  c.month = static_cast<unsigned>(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
  c.year = static_cast<int>(year_of_cycle + cycle * 400 + (c.month <= 2 ? 1 : 0));
  c.hour = static_cast<unsigned>(rest / 3600);
  c.minute = static_cast<unsigned>(rest / 60 % 60);
  c.second = static_cast<unsigned>(rest % 60);
  return c;
}

std::optional<utc_time> parse_iso8601(std::string_view s, std::size_t& used, std::int32_t default_offset) {
  unsigned year, month, day, hour, minute, second;
  if (!read_digits(s, 0, 4, year) || s.size() < 19 || s[4] != '-' || !read_digits(s, 5, 2, month) || s[7] != '-' ||
      !read_digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !read_digits(s, 11, 2, hour) || s[13] != ':' || !read_digits(s, 14, 2, minute) || s[16] != ':' ||
      !read_digits(s, 17, 2, second))
    return std::nullopt;
  if (!valid_date(static_cast<int>(year), month, day) || !valid_clock(hour, minute, second)) return std::nullopt;
  std::size_t at = 19;
  std::uint32_t nanos = read_fraction(s, at);
  std::int32_t offset = default_offset;
  if (at < s.size() && (s[at] == 'Z' || s[at] == 'z')) {
    offset = 0;
    ++at;
  } else {
    read_offset(s, at, offset);
  }
  used = at;
  return utc_time{to_seconds(static_cast<int>(year), month, day, hour, minute, second) - offset, nanos};
}

std::optional<utc_time> parse_clf(std::string_view s, std::size_t& used) {
  unsigned day, year, hour, minute, second;
  unsigned month = month_of(s, 3);
  if (!read_digits(s, 0, 2, day) || s.size() < 26 || s[2] != '/' || month == 0 || s[6] != '/' ||
      !read_digits(s, 7, 4, year) || s[11] != ':' || !read_digits(s, 12, 2, hour) || s[14] != ':' ||
      !read_digits(s, 15, 2, minute) || s[17] != ':' || !read_digits(s, 18, 2, second) || s[20] != ' ')
    return std::nullopt;
  if (!valid_date(static_cast<int>(year), month, day) || !valid_clock(hour, minute, second)) return std::nullopt;
  std::size_t at = 21;
  std::int32_t offset = 0;
  if (!read_offset(s, at, offset)) return std::nullopt;
  used = at;
  return utc_time{to_seconds(static_cast<int>(year), month, day, hour, minute, second) - offset, 0};
}

std::optional<utc_time> parse_syslog(std::string_view s, std::size_t& used, utc_time now, std::int32_t offset) {
  unsigned month = month_of(s, 0), day, hour, minute, second;
  if (month == 0 || s.size() < 15 || s[3] != ' ') return std::nullopt;
  if (s[4] == ' ') {
    if (!read_digits(s, 5, 1, day)) return std::nullopt;
  } else if (!read_digits(s, 4, 2, day)) {
    return std::nullopt;
  }
  if (s[6] != ' ' || !read_digits(s, 7, 2, hour) || s[9] != ':' || !read_digits(s, 10, 2, minute) || s[12] != ':' ||
      !read_digits(s, 13, 2, second) || !valid_clock(hour, minute, second))
    return std::nullopt;
  std::size_t at = 15;
  std::uint32_t nanos = read_fraction(s, at);  // some daemons add one
  int year = civil_from_seconds(now.seconds).year;
  auto at_year = [&](int y) {
    return to_seconds(y, month, day, hour, minute, second) - offset;
  };
  // 29 February is a date only in leap years: the nearest earlier one.
  int candidate = year;
  while (!valid_date(candidate, month, day) && candidate > year - 8) --candidate;
  if (!valid_date(candidate, month, day)) return std::nullopt;
  std::int64_t t = at_year(candidate);
  if (t > now.seconds + seconds_per_day) {
    int earlier = candidate - 1;
    while (!valid_date(earlier, month, day) && earlier > candidate - 8) --earlier;
    t = at_year(earlier);
  }
  used = at;
  return utc_time{t, nanos};
}

std::optional<utc_time> parse_epoch(std::string_view s) {
  if (s.empty() || s.size() > 40) return std::nullopt;
  bool negative = s.front() == '-';
  std::size_t at = negative ? 1 : 0;
  std::uint64_t whole = 0;
  std::size_t digits = 0;
  for (; at < s.size() && digit(s[at]); ++at, ++digits) {
    if (digits >= 19) return std::nullopt;
    whole = whole * 10 + static_cast<std::uint64_t>(s[at] - '0');
  }
  if (digits == 0) return std::nullopt;
  std::uint32_t fraction = read_fraction(s, at);  // nanoseconds of the unit
  if (at != s.size()) return std::nullopt;
  // The unit by magnitude: how many of it make a second.
  std::uint64_t per_second = whole < 100'000'000'000ull                ? 1
                             : whole < 100'000'000'000'000ull          ? 1'000
                             : whole < 100'000'000'000'000'000ull      ? 1'000'000
                                                                       : 1'000'000'000;
  std::int64_t seconds = static_cast<std::int64_t>(whole / per_second);
  std::uint64_t nanos = (whole % per_second) * (1'000'000'000 / per_second) + fraction / per_second;
  if (negative) {  // before 1970: nanoseconds stay positive
    seconds = -seconds;
    if (nanos) {
      seconds -= 1;
      nanos = 1'000'000'000 - nanos;
    }
  }
  return utc_time{seconds, static_cast<std::uint32_t>(nanos)};
}

std::optional<utc_time> parse_timestamp(std::string_view text, std::size_t& used, utc_time now, std::int32_t offset) {
  if (auto t = parse_iso8601(text, used, offset)) return t;
  if (auto t = parse_clf(text, used)) return t;
  return parse_syslog(text, used, now, offset);
}

std::string format_utc(utc_time t, int fraction_digits) {
  civil_time c = civil_from_seconds(t.seconds);
  char text[48];
  int n = std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02u:%02u:%02u", c.year, c.month, c.day, c.hour, c.minute,
                        c.second);
  std::string out(text, static_cast<std::size_t>(n));
  if (fraction_digits > 0) {
    char fraction[16];
    std::snprintf(fraction, sizeof fraction, ".%09u", t.nanos);
    out.append(fraction, static_cast<std::size_t>(1 + std::min(fraction_digits, 9)));
  }
  return out + "Z";
}

}  // namespace crawl::pipeline
