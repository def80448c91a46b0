// line_pattern must give exactly what an unanchored RE2 search gives; its
// literal prefilter is only allowed to be faster. byte counting likewise
// must equal std::count.
#include "crawl/pipeline/byte_count.hpp"
#include "crawl/pipeline/line_pattern.hpp"

#include <catch2/catch.hpp>
#include <re2/re2.h>

#include <algorithm>
#include <random>

using namespace crawl::pipeline;

TEST_CASE("the required prefix is the leading literal text, or nothing when unsure", "[line_pattern]") {
  CHECK(required_prefix("status=(\\d+)") == "status=");
  CHECK(required_prefix("user id: (\\w+)") == "user id: ");
  CHECK(required_prefix("GET /api/(\\S+)") == "GET /api/");
  CHECK(required_prefix("a\\.b\\[(x)") == "a.b[");
  CHECK(required_prefix("ERROR") == "ERROR");
  CHECK(required_prefix("colou?r") == "colo");    // the u may vanish
  CHECK(required_prefix("ab*c") == "a");
  CHECK(required_prefix("ab{2}") == "a");
  CHECK(required_prefix("a\\.+") == "a");
  CHECK(required_prefix("x=(a)|y=(b)").empty());  // alternation
  CHECK(required_prefix("(?i)error").empty());    // flags
  CHECK(required_prefix("^start").empty());
  CHECK(required_prefix("\\d+ ms").empty());
  CHECK(required_prefix("[ab]c").empty());
  CHECK(required_prefix(".x").empty());
  CHECK(required_prefix("\\Qa.b\\E").empty());
  CHECK(required_prefix("caf\xc3\xa9") == "caf");
}

namespace {

// What a plain unanchored RE2 search gives for the first group (or the whole
// match when the pattern has none).
bool reference(const RE2& re, std::string_view line, std::string& out) {
  re2::StringPiece sub[2];
  int group = re.NumberOfCapturingGroups() >= 1 ? 1 : 0;
  if (!re.Match(re2::StringPiece(line.data(), line.size()), 0, line.size(), RE2::UNANCHORED, sub, group + 1))
    return false;
  out.assign(sub[group].data(), sub[group].size());
  return true;
}

std::string random_line(std::mt19937& rng) {
  static const char* pieces[] = {"status=", "stat", "status=2", "=", "200", "x", " ", "user=",
                                 "bob",     "ERROR", "err", "\\b", "a.b", "id:", "9", "status"};
  std::string line;
  int n = static_cast<int>(rng() % 12);
  for (int i = 0; i < n; ++i) line += pieces[rng() % (sizeof(pieces) / sizeof(*pieces))];
  return line;
}

}  // namespace

TEST_CASE("a prefiltered search finds what RE2 alone finds, on every line", "[line_pattern]") {
  const char* patterns[] = {"status=(\\d+)", "status=(\\d*)", "user=(\\w+)", "ERROR", "=(\\d+)x",
                            "status=2(00)?", "\\bstatus=(\\d+)\\b", "a\\.b", "st(at)", "x=(a)|status=(\\d)",
                            "(?P<code>\\d+)", "stat"};
  std::mt19937 rng(7);
  std::vector<std::string> lines = {"", "status=", "status=status=200", "xstatus=200", "status=abc status=5",
                                    "user=bob user=", "=9x", "a.b", "axb", "a\\.b"};
  for (int i = 0; i < 3000; ++i) lines.push_back(random_line(rng));
  for (const char* p : patterns) {
    line_pattern pattern(p);
    REQUIRE(pattern.ok());
    RE2 re(p);
    for (const auto& line : lines) {
      std::string expected;
      bool want = reference(re, line, expected);
      std::string_view got;
      INFO("pattern " << p << " line '" << line << "'");
      REQUIRE(pattern.found_in(line) == want);
      REQUIRE(pattern.capture(line, got) == want);
      if (want) REQUIRE(std::string(got) == expected);
    }
  }
  CHECK_FALSE(line_pattern("(unclosed").ok());
  CHECK_FALSE(line_pattern("(unclosed").error().empty());
}

TEST_CASE("count_byte equals std::count at every length and alignment", "[byte_count]") {
  std::mt19937 rng(11);
  std::string data(16 * 255 * 3 + 40, 'a');
  for (auto& c : data) c = "ab\n\0"[rng() % 4];
  for (std::size_t start : {0u, 1u, 7u, 15u}) {
    for (std::size_t len : {0u, 1u, 15u, 16u, 17u, 255u * 16u, 255u * 16u + 1u, 255u * 32u + 5u}) {
      std::string_view s(data.data() + start, len);
      CHECK(count_byte(s, '\n') == static_cast<std::uint64_t>(std::count(s.begin(), s.end(), '\n')));
      CHECK(count_byte(s, '\0') == static_cast<std::uint64_t>(std::count(s.begin(), s.end(), '\0')));
    }
  }
  std::string all(16 * 300, '\n');  // every byte a match: counters must not overflow
  CHECK(count_byte(all, '\n') == all.size());
}
